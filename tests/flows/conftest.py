"""Fixtures of the flow tests: open transfer windows, a third county and second officers.

On top of tests/conftest.py's world (school_a and school_b under 龙游县, school_c under 武义县):

浙江省 330000
└── 衢州市 330800
    └── 常山县 330822 (bureau: third_county_officer) — no school involved in any test transfer
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from records.models import Role, TransferWindow
from tests.factories import BureauFactory, RegionFactory, UserFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def transfer_windows_open(longyou_bureau, wuyi_bureau, today):
    """Both county bureaus have published a transfer window of four weeks around today."""
    return [
        TransferWindow.objects.create(
            bureau=bureau, start=today - datetime.timedelta(days=14), end=today + datetime.timedelta(days=14)
        )
        for bureau in (longyou_bureau, wuyi_bureau)
    ]


# --- More people ------------------------------------------------------------------------------


@pytest.fixture
def changshan_bureau(quzhou):
    region = RegionFactory.county(code="330822", name="常山县", parent=quzhou)
    return BureauFactory(region=region, name="常山县教育局")


@pytest.fixture
def third_county_officer(changshan_bureau):
    """An officer of a county that no test transfer touches."""
    return UserFactory(
        username="officer_changshan", role=Role.BUREAU_OFFICER, bureau=changshan_bureau, full_name="钱科长"
    )


@pytest.fixture
def second_bureau_officer(longyou_bureau):
    return UserFactory(
        username="officer_longyou_2", role=Role.BUREAU_OFFICER, bureau=longyou_bureau, full_name="冯科员"
    )


@pytest.fixture
def second_other_bureau_officer(wuyi_bureau):
    return UserFactory(username="officer_wuyi_2", role=Role.BUREAU_OFFICER, bureau=wuyi_bureau, full_name="蒋科员")

