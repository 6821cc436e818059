"""Fixtures of the year-end tests: a sixth-grade class at school_a, a junior middle school in the
same county (龙游县) and one in 武义县, with their registrars.

龙游县 330825 — school_a (class_a 三年级, sixth 六年级), school_b, middle (七年级 first_year, first_year2)
武义县 330723 — school_c, other_middle (七年级)
"""

from __future__ import annotations

import pytest

from records.models import Role, School
from tests.factories import SchoolClassFactory, SchoolFactory, StudentFactory, UserFactory
from tests.flows.conftest import today  # noqa: F401 (fixture)


@pytest.fixture
def sixth(school_a):
    return SchoolClassFactory(school=school_a, grade=6)


@pytest.fixture
def sixth_pupils(sixth, registrar):
    """Four enrolled sixth-graders of school_a."""
    return [StudentFactory(school_class=sixth, by=registrar) for _ in range(4)]


@pytest.fixture
def middle(longyou, longyou_bureau):
    return SchoolFactory(region=longyou, bureau=longyou_bureau, name="龙游县第二初级中学", type=School.Type.JUNIOR)


@pytest.fixture
def other_middle(longyou, longyou_bureau):
    return SchoolFactory(region=longyou, bureau=longyou_bureau, name="龙游县东华初级中学", type=School.Type.JUNIOR)


@pytest.fixture
def wuyi_middle(wuyi, wuyi_bureau):
    return SchoolFactory(region=wuyi, bureau=wuyi_bureau, name="武义县壶山初级中学", type=School.Type.JUNIOR)


@pytest.fixture
def first_year(middle):
    return SchoolClassFactory(school=middle, grade=7)


@pytest.fixture
def first_year2(middle, first_year):
    return SchoolClassFactory(school=middle, grade=7)


@pytest.fixture
def other_first_year(other_middle):
    return SchoolClassFactory(school=other_middle, grade=7)


@pytest.fixture
def middle_registrar(middle):
    return UserFactory(username="registrar_middle", role=Role.REGISTRAR, school=middle, full_name="钟学籍")


@pytest.fixture
def other_middle_registrar(other_middle):
    return UserFactory(username="registrar_middle2", role=Role.REGISTRAR, school=other_middle, full_name="温学籍")


@pytest.fixture
def wuyi_middle_registrar(wuyi_middle):
    return UserFactory(username="registrar_wuyi_middle", role=Role.REGISTRAR, school=wuyi_middle, full_name="蓝学籍")
