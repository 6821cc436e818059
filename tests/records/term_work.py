"""What the term-work tests share: terms placed around today, a class with pupils, the pages' text."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from records.models import Role
from tests.factories import StudentFactory, TermFactory, UserFactory

PUPILS = ("王小明", "李小红", "张小刚")


def term_around_today(bureau, *, began_days_ago: int, ends_in_days: int, name: str = ""):
    """A term of `bureau` that began `began_days_ago` days ago and ends in `ends_in_days` days."""
    today = timezone.localdate()
    return TermFactory(
        bureau=bureau,
        name=name or f"学期（{began_days_ago} 天前开始）",
        start=today - datetime.timedelta(days=began_days_ago),
        end=today + datetime.timedelta(days=ends_in_days),
    )


def text_of(response) -> str:
    """The page as a user reads it: the HTML without its tags, whitespace squeezed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def pupils(class_a, registrar):
    """Three pupils of class_a, by name."""
    return {name: StudentFactory(school_class=class_a, by=registrar, name=name) for name in PUPILS}


@pytest.fixture
def start_of_term(longyou_bureau, wuyi_bureau):
    """Terms of both counties that began three days ago: the start check is open."""
    term = term_around_today(longyou_bureau, began_days_ago=3, ends_in_days=120, name="2026—2027学年第一学期")
    term_around_today(wuyi_bureau, began_days_ago=3, ends_in_days=120, name="武义第一学期")
    return term


@pytest.fixture
def end_of_term(longyou_bureau, wuyi_bureau):
    """Terms of both counties that end in five days: the end check is open, grades and comments due."""
    term = term_around_today(longyou_bureau, began_days_ago=120, ends_in_days=5, name="2026—2027学年第一学期")
    term_around_today(wuyi_bureau, began_days_ago=120, ends_in_days=5, name="武义第一学期")
    return term


@pytest.fixture
def chinese_teacher(class_a):
    return UserFactory(
        username="chinese_a", role=Role.SUBJECT_TEACHER, school=class_a.school, school_class=class_a,
        subject="语文", full_name="郑老师",
    )


@pytest.fixture
def math_teacher_a2(class_a2):
    return UserFactory(
        username="math_a2", role=Role.SUBJECT_TEACHER, school=class_a2.school, school_class=class_a2,
        subject="数学", full_name="钱老师",
    )


@pytest.fixture
def class_teacher_a2(class_a2):
    return UserFactory(
        username="teacher_a2", role=Role.CLASS_TEACHER, school=class_a2.school, school_class=class_a2, full_name="孙老师"
    )
