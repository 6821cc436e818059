import time

from django.core.management.base import BaseCommand

from records.demo import DEMO_PASSWORD, demo_has_foreign_students, demo_is_loaded, demo_logins
from demo.load import demo_load
from records.services import tables_analyze


class Command(BaseCommand):
    help = (
        "Load the demo register once: 龙游县 and 武义县 with their schools, classes, students and one "
        "login per role, and a few completed status changes in 龙游县. A second run changes nothing. "
        "加载演示数据（仅一次）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="where the site is served, for the printed hint"
        )

    def handle(self, *args, url, **options):
        if demo_is_loaded():
            self.stdout.write("The demo is already loaded; nothing changed. 演示数据已加载，未做任何修改。")
        elif demo_has_foreign_students():
            # make run calls this every time: a register with real students is left as it is.
            self.stdout.write(
                self.style.WARNING(
                    "This database already holds students, so the demo is not loaded: it goes only into an "
                    "empty register. 数据库中已有学生学籍，未加载演示数据。"
                )
            )
        else:
            started = time.monotonic()
            summary = demo_load()
            # Every table has just been filled: plan the first pages with the real row counts.
            tables_analyze()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo loaded in {time.monotonic() - started:.1f} s: {summary.regions} regions, "
                    f"{summary.schools} schools, {summary.classes} classes, {summary.students} students."
                )
            )
            for username in summary.skipped_users:
                self.stdout.write(self.style.WARNING(f"{username}: the name was taken already; left as it was."))
        self.print_logins(url)

    def print_logins(self, url: str) -> None:
        logins = demo_logins()
        if not logins:
            return
        width = max(len(login.username) for login in logins)
        self.stdout.write("")
        self.stdout.write(f"Open {url}accounts/login/ and sign in as one of these (演示账号):")
        for login in logins:
            self.stdout.write(f"  {login.username:<{width}}  {login.role} · {login.where} · {login.full_name}")
        self.stdout.write(f"Password for all of them (密码): {DEMO_PASSWORD}")
        self.stdout.write(
            "Demo accounts skip the first-login password change, so this password keeps working until "
            "someone changes it. 演示账号已免去首次登录改密码。"
        )
