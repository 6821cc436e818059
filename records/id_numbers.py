"""Citizen ID numbers (GB 11643) and student numbers (学籍号)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
# [0-9], not \d: \d also matches full-width digits (１２３), which int() accepts but the
# student number's database constraint does not.
_CITIZEN_ID = re.compile(r"^[0-9]{17}[0-9X]$")


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


@dataclass(frozen=True)
class CitizenId:
    number: str
    area_code: str
    birth_date: datetime.date
    gender_code: str  # "1" male, "2" female (national code table)


def parse_citizen_id(value: str, *, field: str = "id_number") -> CitizenId:
    """Validate an 18-character citizen ID and read its birth date and gender.

    Raises ValidationError naming `field` with a message that says what is wrong.
    """
    number = (value or "").strip().upper()
    if not _CITIZEN_ID.match(number):
        raise ValidationError(
            {field: _("居民身份证号应为18位：前17位数字，最后一位为数字或X。")}, code="id_format"
        )
    try:
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError({field: _("居民身份证号中的出生日期不存在。")}, code="id_birth_date") from None
    if birth_date.year < 1900 or birth_date > datetime.date.today():
        raise ValidationError({field: _("居民身份证号中的出生日期不合理。")}, code="id_birth_date")
    if check_character(number[:17]) != number[17]:
        raise ValidationError({field: _("居民身份证号校验位错误，请核对号码。")}, code="id_check")
    gender_code = "1" if int(number[16]) % 2 == 1 else "2"
    return CitizenId(number=number, area_code=number[:6], birth_date=birth_date, gender_code=gender_code)


def id_layout_number(*, area_code: str, birth_date: datetime.date, sequence: int) -> str:
    """An 18-character number in citizen-ID layout: area, birth date, sequence, check character."""
    first17 = f"{area_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


class StudentNumberPrefix:
    CITIZEN = "G"  # G + the citizen ID number
    TEMPORARY = "L"  # temporary number in ID layout, until a citizen ID is verified
    NO_ID = "J"  # in ID layout, for a student with no usable ID
