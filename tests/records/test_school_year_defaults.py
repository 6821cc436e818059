"""The school year a rollover offers, and the names the register stores whatever the page's language."""

from __future__ import annotations

import datetime

from django.utils import translation

from records.models import Term
from records.services import class_create
from records.term_calendar import next_school_year

D = datetime.date


def test_the_rollover_offers_the_year_after_the_current_term(longyou_bureau):
    Term.objects.create(bureau=longyou_bureau, name="2026—2027学年第一学期", start=D(2026, 9, 1), end=D(2027, 1, 20))
    Term.objects.create(bureau=longyou_bureau, name="2026—2027学年第二学期", start=D(2027, 2, 17), end=D(2027, 7, 3))

    assert next_school_year(longyou_bureau, D(2026, 12, 4)) == 2027  # first term running
    assert next_school_year(longyou_bureau, D(2027, 4, 1)) == 2027  # second term running
    assert next_school_year(longyou_bureau, D(2027, 7, 20)) == 2027  # the summer after it


def test_without_a_calendar_the_year_after_todays_school_year(longyou_bureau):
    assert next_school_year(longyou_bureau, D(2026, 12, 4)) == 2027
    assert next_school_year(longyou_bureau, D(2027, 7, 20)) == 2027
    assert next_school_year(None, D(2027, 9, 10)) == 2028


def test_a_class_named_on_an_english_page_keeps_its_chinese_name(school_a, registrar):
    with translation.override("en"):
        school_class = class_create(school=school_a, grade=3, entry_year=2024, by=registrar)
    assert school_class.name == "三年级(1)班"
