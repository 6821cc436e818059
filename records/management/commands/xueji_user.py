from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from records import services
from records.models import Bureau, Role, School, SchoolClass


class Command(BaseCommand):
    help = "Create or update a user and their membership (school or bureau, role). 创建或更新用户账号。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        place = parser.add_mutually_exclusive_group()
        place.add_argument("--school", help="10-digit school identifier 学校标识码")
        place.add_argument("--bureau", help="bureau code 教育局代码")
        parser.add_argument("--class", dest="class_code", help="12-digit class code 班级编码")
        parser.add_argument("--subject", default="")
        parser.add_argument("--name", default="", help="the person's full name 姓名")
        parser.add_argument("--password", required=True)

    def handle(self, *args, username, role, school, bureau, class_code, subject, name, password, **options):
        try:
            school_obj = School.objects.get(identifier=school) if school else None
            bureau_obj = Bureau.objects.get(code=bureau) if bureau else None
            class_obj = SchoolClass.objects.get(code=class_code) if class_code else None
        except (School.DoesNotExist, Bureau.DoesNotExist, SchoolClass.DoesNotExist) as error:
            raise CommandError(f"Not found 未找到: {error}") from None
        if role == Role.BUREAU_OFFICER and not bureau_obj:
            raise CommandError("--bureau is required for bureau_officer 教育局审批员须指定 --bureau")
        if role not in (Role.BUREAU_OFFICER, Role.ADMIN) and not (school_obj or class_obj):
            raise CommandError("--school is required for a school role 学校角色须指定 --school")
        try:
            user = services.user_provision(
                username=username,
                role=role,
                password=password,
                school=school_obj,
                bureau=bureau_obj,
                school_class=class_obj,
                subject=subject,
                full_name=name,
            )
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
        self.stdout.write(self.style.SUCCESS(f"{user.username}: {user.membership}"))
