import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from records import selectors, services
from records.models import Bureau, Membership, Role, School, SchoolClass

# For scripts that provision accounts with a password they already hold; read from the
# environment, never from the command line (which shell history and `ps` would keep).
PASSWORD_ENV = "XUEJI_USER_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create or update a user and their membership (school or bureau, role), recorded in the "
        "membership's history as done by --by. 创建或更新用户账号，历史记录中记下操作的管理员。 "
        "Asks for the initial password twice when run in a terminal; with --initial-password, or "
        "when not in a terminal, prints a one-time password instead. Either must be changed at the "
        "first login."
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
        parser.add_argument(
            "--initial-password",
            action="store_true",
            help="generate a one-time initial password and print it once 生成一次性初始密码",
        )
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
        # Kept only to refuse it with a pointer to the ways that keep the password off the command line.
        parser.add_argument("--password", help=f"no longer accepted: see --initial-password and {PASSWORD_ENV}")

    def handle(self, *args, username, role, school, bureau, class_code, subject, name, by, script, **options):
        if options["password"] is not None:
            raise CommandError(
                "--password is no longer accepted: a password on the command line stays in the shell "
                f"history and is visible to other users. Run in a terminal to be asked for it, use "
                f"--initial-password for a one-time password, or set {PASSWORD_ENV}. "
                "不再接受 --password 参数。"
            )
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
        password, generated = self.initial_password(username, name, one_time=options["initial_password"])
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
        if generated:
            self.stdout.write(
                f"Initial password 初始密码 (shown once; to be changed at the first login 首次登录须修改): {password}"
            )

    def initial_password(self, username: str, name: str, *, one_time: bool) -> tuple[str, bool]:
        """The password to set, and whether it was generated (then it is printed once)."""
        from_env = os.environ.get(PASSWORD_ENV)
        if from_env and not one_time:
            self.stderr.write(
                f"Warning: the password is taken from {PASSWORD_ENV}; unset it when done. "
                f"警告：密码取自环境变量 {PASSWORD_ENV}。"
            )
            return self.validated(from_env, username, name), False
        if one_time or not sys.stdin.isatty():
            return services.initial_password_generate(), True
        for _attempt in range(3):
            password = getpass.getpass("Initial password 初始密码: ")
            if password != getpass.getpass("Initial password again 再次输入: "):
                self.stderr.write("The passwords differ. 两次输入的密码不一致。")
                continue
            try:
                return self.validated(password, username, name), False
            except CommandError as error:
                self.stderr.write(str(error))
        raise CommandError("No password set. 未设置密码。")

    def validated(self, password: str, username: str, name: str) -> str:
        try:
            validate_password(password, get_user_model()(username=username, first_name=name))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        return password

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
