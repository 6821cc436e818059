"""factory_boy factories for the register.

Classes, students and accounts are created through records.services, exactly as the pages
and flows create them: class codes and student numbers are generated, family members and the
first placement are written, and every state is reached through a service
(`StudentFactory(suspended=True)`), never by setting `status`.
"""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from records import services
from records.id_numbers import check_character
from records.models import Bureau, Code, CodeTable, Region, Role, School, SchoolClass, Student, Term

DEFAULT_PASSWORD = "Xueji-Test-2024!"

# The code of every Student foreign key into a code table, as the registration form's defaults.
STUDENT_CODE_DEFAULTS = {
    "ethnicity": (CodeTable.ETHNICITY, "01"),  # 汉族
    "nationality": (CodeTable.NATIONALITY, "156"),  # 中国
    "overseas_chinese": (CodeTable.OVERSEAS, "00"),
    "health": (CodeTable.HEALTH, "1"),
    "household_type": (CodeTable.HOUSEHOLD_TYPE, "1"),
    "entry_way": (CodeTable.ENTRY_WAY, "1"),
    "study_mode": (CodeTable.STUDY_MODE, "1"),
    "student_type": (CodeTable.STUDENT_TYPE, "1"),
    "disability_type": (CodeTable.DISABILITY, "0"),
    "left_behind": (CodeTable.LEFT_BEHIND, "1"),
}
STUDENT_CODE_FIELDS = {"gender": CodeTable.GENDER, "id_type": CodeTable.ID_TYPE, "transport": CodeTable.TRANSPORT}
STUDENT_CODE_FIELDS.update({field: table for field, (table, _code) in STUDENT_CODE_DEFAULTS.items()})

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN_NAMES = (
    "子涵 欣怡 梓轩 浩宇 雨桐 一诺 思远 嘉怡 宇航 梓萱 俊杰 可馨 博文 诗涵 皓轩 语嫣 明哲 若曦 天佑 静怡 "
    "家豪 晨曦 泽宇 欣然 文博 佳琪 子墨 雅婷 昊天 梦瑶"
).split()


def code(table: CodeTable | str, value: str) -> Code:
    return services.code_get(table, value)


def _code_value(value) -> str:
    return value.code if isinstance(value, Code) else str(value)


def citizen_id(*, area_code: str, birth_date: datetime.date, sequence: int, male: bool) -> str:
    """A valid 18-character citizen ID (GB 11643): the 17th digit odd for a male, even for a female."""
    order = (sequence % 500) * 2 + (1 if male else 0)
    first17 = f"{area_code}{birth_date:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)


def school_year_start(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


# --- Regions, bureaus, schools ----------------------------------------------------------------


class RegionFactory(DjangoModelFactory):
    """A county by default (under 安徽省 合肥市, so it never meets the fixtures' 浙江 regions)."""

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"3401{n % 99 + 1:02d}")
    name = factory.Sequence(lambda n: f"测试县{n}")
    level = Region.Level.COUNTY
    parent = factory.LazyFunction(
        lambda: RegionFactory.city(code="340100", name="合肥市", parent=RegionFactory.province(code="340000", name="安徽省"))
    )

    @classmethod
    def province(cls, *, code: str, name: str) -> Region:
        return cls(code=code, name=name, level=Region.Level.PROVINCE, parent=None)

    @classmethod
    def city(cls, *, code: str, name: str, parent: Region) -> Region:
        return cls(code=code, name=name, level=Region.Level.CITY, parent=parent)

    @classmethod
    def county(cls, *, code: str, name: str, parent: Region) -> Region:
        return cls(code=code, name=name, level=Region.Level.COUNTY, parent=parent)


class BureauFactory(DjangoModelFactory):
    class Meta:
        model = Bureau
        django_get_or_create = ("region",)

    region = factory.SubFactory(RegionFactory)
    code = factory.LazyAttribute(lambda o: o.region.code)
    name = factory.LazyAttribute(lambda o: f"{o.region.name}教育局")


class TermFactory(DjangoModelFactory):
    """A term of a bureau's calendar; by default it began a week ago and runs twenty weeks."""

    class Meta:
        model = Term

    bureau = factory.SubFactory(BureauFactory)
    name = factory.Sequence(lambda n: f"测试学期{n + 1}")
    start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(weeks=20))


# The first two digits of a school identifier: the school type.
SCHOOL_TYPE_CODES = {
    School.Type.PRIMARY: "21",
    School.Type.JUNIOR: "31",
    School.Type.NINE_YEAR: "32",
    School.Type.SENIOR: "34",
}


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    region = factory.SubFactory(RegionFactory)
    bureau = factory.LazyAttribute(lambda o: BureauFactory(region=o.region))
    type = School.Type.PRIMARY
    name = factory.LazyAttributeSequence(lambda o, n: f"{o.region.name}第{n + 1}{o.type.label}")
    identifier = factory.LazyAttributeSequence(
        lambda o, n: f"{SCHOOL_TYPE_CODES[o.type]}{o.region.code[:2]}{n + 1:06d}"
    )


class SchoolClassFactory(factory.Factory):
    """Opened through records.services.class_create, so the 12-digit code is generated."""

    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    grade = factory.LazyAttribute(lambda o: o.school.grades[0])
    entry_year = factory.LazyAttribute(lambda o: school_year_start() - (o.grade - o.school.grades[0]))
    name = ""  # empty: the service names it 一年级(1)班, 一年级(2)班 …
    by = None

    @classmethod
    def _create(cls, model_class, *, school, grade, entry_year, name, by):
        return services.class_create(school=school, grade=grade, entry_year=entry_year, name=name, by=by)


# --- Students ---------------------------------------------------------------------------------


def _guardian(student) -> list[dict]:
    surname = student.name[0]
    return [
        {
            "name": f"{surname}建国",
            "relationship": code(CodeTable.RELATIONSHIP, "1"),  # 父亲
            "is_guardian": True,
            "phone": "13800000000",
            "address": "浙江省衢州市龙游县龙洲街道",
        }
    ]


def _id_number(student) -> str:
    id_type = _code_value(student.id_type)
    if id_type == services.CITIZEN_ID_TYPE:
        return citizen_id(
            area_code=student.school_class.school.region.code,
            birth_date=student.birth_date,
            sequence=student.sequence,
            male=_code_value(student.gender) == "1",
        )
    if id_type == services.NO_ID_TYPE:
        return ""
    return f"E{student.sequence + 10000000:08d}"  # a passport or permit number


class StudentFactory(factory.Factory):
    """Registers a student through records.services.student_register.

    The citizen ID is valid and consistent with birth date and gender; its area code is the
    school's county. Code fields accept a Code or its code (`id_type="A"`). The traits
    `suspended`, `dropped_out`, `graduated` and `deceased` reach the state through the services.
    """

    class Meta:
        model = Student

    class Params:
        sequence = factory.Sequence(lambda n: n)
        suspended = factory.Trait(reach="suspended")
        dropped_out = factory.Trait(reach="dropped_out")
        graduated = factory.Trait(reach="graduated")
        deceased = factory.Trait(reach="deceased")

    school_class = factory.SubFactory(SchoolClassFactory)
    name = factory.LazyAttribute(
        lambda o: SURNAMES[o.sequence % len(SURNAMES)] + GIVEN_NAMES[o.sequence // len(SURNAMES) % len(GIVEN_NAMES)]
    )
    gender = factory.LazyAttribute(lambda o: "1" if o.sequence % 2 == 0 else "2")
    # Distinct for every sequence number, so no two factory students look like duplicates.
    birth_date = factory.LazyAttribute(
        lambda o: datetime.date(2018, 8, 31) - datetime.timedelta(days=o.sequence % 1800)
    )
    id_type = services.CITIZEN_ID_TYPE
    id_number = factory.LazyAttribute(_id_number)
    entry_date = factory.LazyAttribute(lambda o: datetime.date(o.school_class.entry_year, 9, 1))
    household_place = "浙江省衢州市龙游县"
    current_address = "浙江省衢州市龙游县龙洲街道"
    family_members = factory.LazyAttribute(_guardian)
    by = None
    reach = None

    @classmethod
    def _create(cls, model_class, *, school_class, family_members, by, reach, placed_on=None, **data):
        for field, (table, default) in STUDENT_CODE_DEFAULTS.items():
            data.setdefault(field, default)
        for field, table in STUDENT_CODE_FIELDS.items():
            if data.get(field) is not None and not isinstance(data[field], Code):
                data[field] = code(table, data[field])
        student = services.student_register(
            school_class=school_class, data=data, family_members=family_members, by=by, placed_on=placed_on
        )
        if reach == "suspended":
            student = services.student_suspend(
                student=student, until=timezone.localdate() + datetime.timedelta(days=180), by=by, reason="因病休学"
            )
        elif reach == "dropped_out":
            student = services.student_drop_out(student=student, reason=code(CodeTable.DROPOUT_REASON, "2"), by=by)
        elif reach == "graduated":
            student = services.student_graduate(student=student, by=by)
        elif reach == "deceased":
            student = services.student_decease(student=student, by=by)
        return student


# --- People -----------------------------------------------------------------------------------


class UserFactory(factory.Factory):
    """An account with its Membership, provisioned through records.services.user_provision.

    `must_change_password=False` (the default here) records the first password change, so the
    user can browse pages; pass True to test the first-login redirect.
    """

    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.REGISTRAR
    password = DEFAULT_PASSWORD
    school = None
    bureau = None
    school_class = None
    subject = ""
    full_name = factory.Sequence(lambda n: f"{SURNAMES[n % len(SURNAMES)]}老师")
    must_change_password = False

    @classmethod
    def _create(cls, model_class, *, must_change_password, **kwargs):
        user = services.user_provision(**kwargs)
        if not must_change_password:
            services.user_password_changed(user=user)
        return get_user_model().objects.select_related("membership").get(pk=user.pk)
