"""One login per role, all with the printed password."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from .. import services
from ..models import Membership, Role

DEMO_PASSWORD = "Xueji-2026!demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    full_name: str
    school: str = ""  # DemoSchool.key
    grade: int | None = None  # teachers: the first class of this grade
    subject: str = ""
    bureau: str = ""  # region code


DEMO_USERS = (
    DemoUser("xikou_registrar", Role.REGISTRAR, "徐春燕", school="xikou"),
    DemoUser("xikou_office", Role.ACADEMIC_OFFICE, "余建华", school="xikou"),
    DemoUser("xikou_principal", Role.PRINCIPAL, "劳国平", school="xikou"),
    DemoUser("xikou_teacher", Role.CLASS_TEACHER, "叶丽萍", school="xikou", grade=3),
    DemoUser("xikou_math", Role.SUBJECT_TEACHER, "毛志强", school="xikou", grade=3, subject="数学"),
    # A graduating class's teacher signs its pupils' suspensions (篇10 五.五).
    DemoUser("xikou_head6", Role.CLASS_TEACHER, "祝海燕", school="xikou", grade=6),
    DemoUser("shiyan_registrar", Role.REGISTRAR, "吴晓燕", school="shiyan"),
    DemoUser("erzhong_registrar", Role.REGISTRAR, "汪海峰", school="erzhong"),
    DemoUser("hengshan_registrar", Role.REGISTRAR, "童建平", school="hengshan"),
    DemoUser("longyou_officer", Role.BUREAU_OFFICER, "郑国强", bureau="330825"),
    DemoUser("quzhou_officer", Role.BUREAU_OFFICER, "姜文斌", bureau="330800"),
    DemoUser("wuyi_registrar", Role.REGISTRAR, "朱美玲", school="wuyi_shiyan"),
    DemoUser("wuyi_officer", Role.BUREAU_OFFICER, "邵建军", bureau="330723"),
    DemoUser("admin", Role.ADMIN, "系统管理员"),
)


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    full_name: str
    where: str


def demo_logins() -> list[Login]:
    """The demo accounts as they are in the database, in the order of DEMO_USERS."""
    memberships = {
        membership.user.username: membership
        for membership in Membership.objects.filter(
            user__username__in=[user.username for user in DEMO_USERS]
        ).select_related("user", "school", "school_class", "bureau")
    }
    logins = []
    for user in DEMO_USERS:
        membership = memberships.get(user.username)
        if membership is None:
            continue
        if membership.school_class:
            where = f"{membership.school_class}" + (f" {membership.get_subject_display()}" if membership.subject else "")
        else:
            where = str(membership.school or membership.bureau or "全部")
        logins.append(Login(user.username, membership.get_role_display(), membership.user.first_name, where))
    return logins


def provision(user: DemoUser, *, schools, bureaus, classes, skipped: list[str], by=None):
    if get_user_model().objects.filter(username=user.username).exists():
        # Someone already uses this name: leave their account and password alone.
        skipped.append(user.username)
        return None
    school_class = None
    if user.grade:
        school_class = next(c for c in classes[user.school] if c.grade == user.grade)
    account = services.user_provision(
        username=user.username,
        role=user.role,
        password=DEMO_PASSWORD,
        school=schools.get(user.school),
        bureau=bureaus.get(user.bureau),
        school_class=school_class,
        subject=user.subject,
        full_name=user.full_name,
        by=by,
        # The printed demo password must keep working: no first-login change for demo accounts.
        must_change_password=False,
    )
    return account
