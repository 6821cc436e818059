"""A known register for the statistics, the dropout list and the term report (a pytest plugin).

On top of tests/conftest.py's world (龙游县: school_a, school_b; 武义县: school_c), every change
made through the flows as a registrar and an officer would, so the counts below are what a
bureau officer checks on the page:

school_a 龙游县实验小学    three students of class_a (三年级) and two of a 一年级 class stay enrolled;
                          one is suspended (休学), one drops out (流失), one moves to school_b
                          (转学), one leaves for 江苏省 (转出省外)
school_b 龙游县东华小学    two of class_b enrolled, and the one who came from school_a
school_c 武义县壶山小学    two of class_c enrolled, one dropped out (退学)

The term: 2 months before today to 2 months after, in both counties' calendars.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from flows.transfer_out import transfer_out_start
from records import services
from records.models import Role
from tests.factories import BureauFactory, SchoolClassFactory, StudentFactory, UserFactory
from tests.flows.acting import APPLICANT, decide, start_transfer
from tests.flows.status.conftest import start_dropout, start_suspension

TERM = "本学期"


@dataclass
class World:
    suspended: object
    dropped_out: object
    transferred: object
    left_for_jiangsu: object
    dropped_out_c: object
    grade_one: object


def _calendar(bureau, by, today):
    services.calendar_replace(
        bureau=bureau,
        terms=[
            {"name": "上学期", "start": today - datetime.timedelta(days=200), "end": today - datetime.timedelta(days=70)},
            {"name": TERM, "start": today - datetime.timedelta(days=60), "end": today + datetime.timedelta(days=60)},
        ],
        windows=[{"start": today - datetime.timedelta(days=7), "end": today + datetime.timedelta(days=7)}],
        by=by,
    )


@pytest.fixture
def province_officer(zhejiang):
    bureau = BureauFactory(region=zhejiang, name="浙江省教育厅")
    return UserFactory(username="officer_zhejiang", role=Role.BUREAU_OFFICER, bureau=bureau, full_name="何处长")


@pytest.fixture
def world(
    class_a, class_b, class_c, registrar, receiving_registrar, other_county_registrar, academic_office,
    bureau_officer, other_bureau_officer, longyou_bureau, wuyi_bureau, admin_user,
) -> World:
    today = timezone.localdate()
    _calendar(longyou_bureau, admin_user, today)
    _calendar(wuyi_bureau, admin_user, today)

    a = [StudentFactory(school_class=class_a, by=registrar) for _ in range(7)]
    grade_one = SchoolClassFactory(school=class_a.school, grade=1)
    for _ in range(2):
        StudentFactory(school_class=grade_one, by=registrar)
    for _ in range(2):
        StudentFactory(school_class=class_b, by=receiving_registrar)
    c = [StudentFactory(school_class=class_c, by=other_county_registrar) for _ in range(3)]

    suspension = start_suspension(a[0], registrar)
    decide(academic_office, suspension)
    decide(bureau_officer, suspension)

    decide(bureau_officer, start_dropout(a[1], registrar, "2", remark="长期不到校"))

    transfer = start_transfer(a[2], receiving_registrar, to_class=class_b)
    decide(bureau_officer, transfer)
    decide(registrar, transfer)

    transfer_out = transfer_out_start(
        student=a[3], by=registrar, scope="province", destination="江苏省南京市", applicant=APPLICANT, reason="随父母迁居外省"
    )
    decide(bureau_officer, transfer_out)

    decide(other_bureau_officer, start_dropout(c[0], other_county_registrar, "1", remark="家长申请退学"))

    for student in (*a, *c):
        student.refresh_from_db()
    return World(
        suspended=a[0], dropped_out=a[1], transferred=a[2], left_for_jiangsu=a[3], dropped_out_c=c[0], grade_one=grade_one
    )
