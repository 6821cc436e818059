from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from records import selectors, services
from records.models import Bureau, Membership, Role, School, SchoolClass


class Command(BaseCommand):
    help = (
        "Create or update a user and their membership (school or bureau, role), recorded in the "
        "membership's history as done by --by. 创建或更新用户账号，历史记录中记下操作的管理员。"
    )

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
        parser.add_argument(
            "--by",
            help="username of the administrator doing this, kept in the history; required once an "
            "administrator exists (the first one records itself) 操作的管理员用户名",
        )
        parser.add_argument(
            "--script",
            action="store_true",
            help="an account for a program: its API tokens work before the initial password is changed "
            "脚本账号（凭 API 令牌可不先修改初始密码）",
        )

    def handle(self, *args, username, role, school, bureau, class_code, subject, name, password, by, script, **options):
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
        actor = self.actor(by, role)
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
                by=actor,
                self_provisioned=actor is None,
                is_script_account=script,
            )
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
        self.stdout.write(self.style.SUCCESS(f"{user.username}: {user.membership}"))

    def actor(self, by: str | None, role: str):
        """The administrator named by --by; None only for the first administrator, who is recorded
        as creating their own account (nobody else could have)."""
        if by:
            actor = get_user_model().objects.filter(username=by, is_active=True).first()
            if actor is None or not selectors.user_sees_everything(actor):
                raise CommandError(f"--by {by}: not an active administrator 不是有效的系统管理员账号")
            return actor
        administrators = get_user_model().objects.filter(is_active=True, is_superuser=True).exists() or (
            Membership.objects.filter(role=Role.ADMIN, user__is_active=True).exists()
        )
        if not administrators and role != Role.ADMIN:
            raise CommandError(
                "No administrator yet: create one first (--role admin), then name them with --by "
                "尚无系统管理员：请先创建管理员账号"
            )
        if administrators:
            raise CommandError(
                "--by USERNAME is required: the administrator who creates the account, for its history "
                "须用 --by 指定操作的管理员"
            )
        return None
