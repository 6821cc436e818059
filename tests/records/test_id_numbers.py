import datetime

import pytest
from django.core.exceptions import ValidationError

from records.id_numbers import check_character, id_layout_number, parse_citizen_id
from tests.factories import citizen_id

# The worked example of GB 11643-1999 (a woman born 1949-12-31 in 北京市朝阳区): check character X.
STANDARD_EXAMPLE = "11010519491231002X"


def _with_check(first17: str) -> str:
    return first17 + check_character(first17)


def _error_for(value: str, field: str = "id_number") -> str:
    with pytest.raises(ValidationError) as raised:
        parse_citizen_id(value, field=field)
    assert list(raised.value.message_dict) == [field]
    return raised.value.message_dict[field][0]


def test_check_character_of_the_standard_example_is_x():
    assert check_character(STANDARD_EXAMPLE[:17]) == "X"


def test_valid_citizen_id_gives_area_birth_date_and_gender():
    number = citizen_id(area_code="330825", birth_date=datetime.date(2016, 3, 9), sequence=7, male=True)

    citizen = parse_citizen_id(number)

    assert citizen.number == number
    assert citizen.area_code == "330825"
    assert citizen.birth_date == datetime.date(2016, 3, 9)
    assert citizen.gender_code == "1"


def test_citizen_id_with_x_check_character_is_valid_and_read_as_female():
    citizen = parse_citizen_id(STANDARD_EXAMPLE)

    assert citizen.birth_date == datetime.date(1949, 12, 31)
    assert citizen.gender_code == "2"


def test_lowercase_x_and_surrounding_spaces_are_accepted_and_normalised():
    assert parse_citizen_id(f"  {STANDARD_EXAMPLE.lower()} ").number == STANDARD_EXAMPLE


def test_even_17th_digit_means_female_odd_means_male():
    birth = datetime.date(2015, 6, 1)
    female = citizen_id(area_code="330825", birth_date=birth, sequence=3, male=False)
    male = citizen_id(area_code="330825", birth_date=birth, sequence=3, male=True)

    assert int(female[16]) % 2 == 0 and parse_citizen_id(female).gender_code == "2"
    assert int(male[16]) % 2 == 1 and parse_citizen_id(male).gender_code == "1"


def test_wrong_check_character_is_refused():
    valid = citizen_id(area_code="330825", birth_date=datetime.date(2016, 3, 9), sequence=7, male=True)
    wrong = valid[:17] + next(c for c in "0123456789X" if c != valid[17])

    assert "校验位错误" in _error_for(wrong)


def test_impossible_birth_date_is_refused_even_with_a_correct_check_character():
    february_30 = _with_check("33082520170230001")

    assert "出生日期不存在" in _error_for(february_30)


def test_birth_date_in_the_future_is_refused():
    next_year = datetime.date.today().year + 1
    future = _with_check(f"330825{next_year}0101001")

    assert "出生日期不合理" in _error_for(future)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "33082520160309007",  # 17 characters
        "3308252016030900711",  # 19 characters
        "33082520160309A071",  # a letter inside
        "X30825201603090071",  # X anywhere but last
        # Full-width digits, as a Chinese input method in full-width mode types them.
        "３３０８２５２０１６０３０９００７１",
    ],
)
def test_malformed_citizen_id_is_refused_with_the_format_message(value):
    assert "应为18位" in _error_for(value)


def test_error_names_the_field_it_was_asked_for():
    message = _error_for("123", field="guardian_id_number")

    assert "居民身份证号" in message


def test_id_layout_number_is_area_birth_date_sequence_and_a_valid_check_character():
    number = id_layout_number(area_code="330825", birth_date=datetime.date(2016, 3, 9), sequence=12)

    assert number[:17] == "33082520160309012"
    assert parse_citizen_id(number).birth_date == datetime.date(2016, 3, 9)
