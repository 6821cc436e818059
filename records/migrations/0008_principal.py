"""校长 (principal), a school role: signs a graduating grade's suspension (policy texts 篇10 五.五)
and reads the school as the academic office does."""

from django.conf import settings
from django.db import migrations, models

# The role's permission group, as 0002 fills the others'; the tests refill it after a flush.
PRINCIPAL_PERMISSIONS = {
    "student": ("view",), "familymember": ("view",), "placement": ("view",), "schoolclass": ("view",),
    "school": ("view",), "region": ("view",), "bureau": ("view",), "code": ("view",),
}


def add_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="principal")
    codenames = [f"{action}_{model}" for model, actions in PRINCIPAL_PERMISSIONS.items() for action in actions]
    group.permissions.set(Permission.objects.filter(content_type__app_label="records", codename__in=codenames))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="principal").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0007_bureau_transfer_in_evidence'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='membership',
            name='membership_place_matches_role',
        ),
        migrations.AlterField(
            model_name='historicalmembership',
            name='role',
            field=models.CharField(choices=[('registrar', '学籍管理员'), ('academic_office', '教导处'), ('principal', '校长'), ('class_teacher', '班主任'), ('subject_teacher', '任课教师'), ('bureau_officer', '教育局审批员'), ('admin', '系统管理员')], max_length=32, verbose_name='角色'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='role',
            field=models.CharField(choices=[('registrar', '学籍管理员'), ('academic_office', '教导处'), ('principal', '校长'), ('class_teacher', '班主任'), ('subject_teacher', '任课教师'), ('bureau_officer', '教育局审批员'), ('admin', '系统管理员')], max_length=32, verbose_name='角色'),
        ),
        migrations.AddConstraint(
            model_name='membership',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('bureau__isnull', True), ('role__in', ('registrar', 'academic_office', 'principal', 'class_teacher', 'subject_teacher')), ('school__isnull', False)), models.Q(('bureau__isnull', False), ('role', 'bureau_officer'), ('school__isnull', True), ('school_class__isnull', True)), models.Q(('bureau__isnull', True), ('role', 'admin'), ('school__isnull', True), ('school_class__isnull', True)), _connector='OR'), name='membership_place_matches_role'),
        ),
        migrations.RunPython(add_group, remove_group),
    ]
