"""A small world for the tests: two cities of 浙江省, a county in each, three primary schools.

浙江省 330000
├── 衢州市 330800 (city bureau: city_officer)
│   └── 龙游县 330825 (bureau: bureau_officer) — school_a (class_a, class_a2), school_b (class_b)
└── 金华市 330700
    └── 武义县 330723 (bureau: other_bureau_officer) — school_c (class_c)

All classes are third grade, so a transfer between any two of them keeps the grade.
"""

from __future__ import annotations

import importlib

import pytest
from django.conf import settings as settings_module
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import translation

from records.models import Code, Role, School

pytest_plugins = ["tests.browser_fixtures"]

from tests.factories import (
    BureauFactory,
    RegionFactory,
    SchoolClassFactory,
    SchoolFactory,
    StudentFactory,
    UserFactory,
    code,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every role fixture sets a password; PBKDF2's iterations would dominate the run time. The
    # default hashers stay listed for passwords hashed before this fixture ran (module fixtures).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _site_language():
    # A test-client request in English leaves English active in this thread (LocaleMiddleware
    # activates per request and never resets); every test starts in the site's language.
    translation.activate(settings_module.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded evidence and photos go to a folder of the test's own, never to var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _code_tables_after_flush(request):
    """Put the code tables and role groups back for tests that run outside a transaction.

    They are loaded by a data migration; a transactional test (django_db(transaction=True),
    live_server) empties every table when it ends, and the next one would find no 性别 or
    registrar group.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    if Code.objects.exists():
        return
    data = importlib.import_module("records.migrations.0002_code_tables_and_roles")
    for table, rows in data.CODE_TABLES.items():
        Code.objects.bulk_create(
            Code(table=table, code=value, name=name, sort_order=order) for order, (value, name) in enumerate(rows)
        )
    for table, value, name, order in importlib.import_module("records.migrations.0006_dropout_reason_incapacity").ADDED_CODES:
        Code.objects.create(table=table, code=value, name=name, sort_order=order)
    Code.objects.filter(table="dropout_reason", code="9").update(sort_order=5)
    principal = importlib.import_module("records.migrations.0008_principal").PRINCIPAL_PERMISSIONS
    for role, models in {**data.ROLE_PERMISSIONS, "principal": principal}.items():
        codenames = [f"{action}_{model}" for model, actions in models.items() for action in actions]
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(Permission.objects.filter(content_type__app_label="records", codename__in=codenames))


@pytest.fixture
def code_of():
    """code_of("gender", "1") → the Code row 男."""
    return code


# --- Regions and bureaus ----------------------------------------------------------------------


@pytest.fixture
def zhejiang(db):
    return RegionFactory.province(code="330000", name="浙江省")


@pytest.fixture
def quzhou(zhejiang):
    return RegionFactory.city(code="330800", name="衢州市", parent=zhejiang)


@pytest.fixture
def longyou(quzhou):
    return RegionFactory.county(code="330825", name="龙游县", parent=quzhou)


@pytest.fixture
def jinhua(zhejiang):
    return RegionFactory.city(code="330700", name="金华市", parent=zhejiang)


@pytest.fixture
def wuyi(jinhua):
    return RegionFactory.county(code="330723", name="武义县", parent=jinhua)


@pytest.fixture
def quzhou_bureau(quzhou):
    return BureauFactory(region=quzhou, name="衢州市教育局")


@pytest.fixture
def longyou_bureau(longyou):
    return BureauFactory(region=longyou, name="龙游县教育局")


@pytest.fixture
def wuyi_bureau(wuyi):
    return BureauFactory(region=wuyi, name="武义县教育局")


# --- Schools and classes ----------------------------------------------------------------------


@pytest.fixture
def school_a(longyou, longyou_bureau):
    return SchoolFactory(region=longyou, bureau=longyou_bureau, name="龙游县实验小学", type=School.Type.PRIMARY)


@pytest.fixture
def school_b(longyou, longyou_bureau):
    return SchoolFactory(region=longyou, bureau=longyou_bureau, name="龙游县东华小学", type=School.Type.PRIMARY)


@pytest.fixture
def school_c(wuyi, wuyi_bureau):
    return SchoolFactory(region=wuyi, bureau=wuyi_bureau, name="武义县壶山小学", type=School.Type.PRIMARY)


@pytest.fixture
def class_a(school_a):
    return SchoolClassFactory(school=school_a, grade=3)


@pytest.fixture
def class_a2(school_a, class_a):
    return SchoolClassFactory(school=school_a, grade=3)


@pytest.fixture
def class_b(school_b):
    return SchoolClassFactory(school=school_b, grade=3)


@pytest.fixture
def class_c(school_c):
    return SchoolClassFactory(school=school_c, grade=3)


# --- People -----------------------------------------------------------------------------------


@pytest.fixture
def registrar(school_a):
    return UserFactory(username="registrar_a", role=Role.REGISTRAR, school=school_a, full_name="王学籍")


@pytest.fixture
def receiving_registrar(school_b):
    return UserFactory(username="registrar_b", role=Role.REGISTRAR, school=school_b, full_name="李学籍")


@pytest.fixture
def other_county_registrar(school_c):
    return UserFactory(username="registrar_c", role=Role.REGISTRAR, school=school_c, full_name="张学籍")


@pytest.fixture
def academic_office(school_a):
    return UserFactory(username="office_a", role=Role.ACADEMIC_OFFICE, school=school_a, full_name="赵教导")


@pytest.fixture
def class_teacher(class_a):
    return UserFactory(
        username="teacher_a", role=Role.CLASS_TEACHER, school=class_a.school, school_class=class_a, full_name="陈老师"
    )


@pytest.fixture
def subject_teacher(class_a):
    return UserFactory(
        username="math_a",
        role=Role.SUBJECT_TEACHER,
        school=class_a.school,
        school_class=class_a,
        subject="数学",
        full_name="周老师",
    )


@pytest.fixture
def bureau_officer(longyou_bureau):
    return UserFactory(username="officer_longyou", role=Role.BUREAU_OFFICER, bureau=longyou_bureau, full_name="吴科长")


@pytest.fixture
def other_bureau_officer(wuyi_bureau):
    return UserFactory(username="officer_wuyi", role=Role.BUREAU_OFFICER, bureau=wuyi_bureau, full_name="郑科长")


@pytest.fixture
def city_officer(quzhou_bureau):
    return UserFactory(username="officer_quzhou", role=Role.BUREAU_OFFICER, bureau=quzhou_bureau, full_name="孙处长")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN, full_name="系统管理员")


# --- Students ---------------------------------------------------------------------------------


@pytest.fixture
def student(class_a, registrar):
    """An enrolled third-grader of school_a, registered by its registrar."""
    return StudentFactory(school_class=class_a, by=registrar)


# --- Browsing ---------------------------------------------------------------------------------


@pytest.fixture
def client_for(db):
    """client_for(user) → a test client logged in as `user` (password change already done)."""

    def make(user) -> Client:
        client = Client()
        # The axes backend authenticates but does not load users from the session.
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make
