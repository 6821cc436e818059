"""The year-end pages: the public certificate check, the graduation page, whole-class operations."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from flows.models import Graduation
from records.models import Placement, SchoolClass
from records.services import class_graduate
from tests.factories import SchoolClassFactory, StudentFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certified(sixth, sixth_pupils):
    class_graduate(school_class=sixth, certificates={sixth_pupils[0].pk: "330825202500001"}, year=2025, by=None)
    return sixth_pupils[0]


def test_verification_page_answers_valid_with_only_name_school_year(certified):
    page = Client().post("/verify/", {"number": "330825202500001", "name": certified.name})
    text = page.content.decode()
    assert page.status_code == 200
    assert "证书有效" in text and certified.name in text and "龙游县实验小学" in text and "2025" in text
    # Nothing else of the record: not the student number, ID number, class or birth date.
    for secret in (certified.student_number, certified.id_number, "六年级", certified.birth_date.isoformat()):
        assert secret not in text


def test_verification_page_answers_invalid_for_a_wrong_name_or_number(certified):
    for number, name in (("330825202500001", "王小明"), ("330825202599999", certified.name)):
        text = Client().post("/verify/", {"number": number, "name": name}).content.decode()
        assert "证书无效" in text and "证书有效" not in text and "龙游县实验小学" not in text


def test_verification_page_is_rate_limited_per_address(certified):
    client = Client(REMOTE_ADDR="10.0.0.9")
    answers = [client.post("/verify/", {"number": f"X{n:05d}", "name": "某某"}).status_code for n in range(21)]
    assert answers == [200] * 20 + [429]
    assert "查询过于频繁" in client.post("/verify/", {"number": "330825202500001", "name": certified.name}).content.decode()
    assert Client(REMOTE_ADDR="10.0.0.10").post("/verify/", {"number": "330825202500001", "name": certified.name}).status_code == 200


def test_verification_by_the_address_shows_the_form_and_answers_nothing(certified):
    """The number and name stay out of addresses (browser histories, server logs): a GET with them
    in its query only shows the empty form."""
    page = Client().get("/verify/", {"number": "330825202500001", "name": certified.name})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="verify-form"' in text and 'method="post"' in text
    assert "证书有效" not in text and "证书无效" not in text and "龙游县实验小学" not in text
    assert 'value="330825202500001"' not in text and f'value="{certified.name}"' not in text


def test_verification_needs_the_pages_csrf_token(certified):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/verify/", {"number": "330825202500001", "name": certified.name}).status_code == 403

    form = client.get("/verify/")
    token = form.cookies["csrftoken"].value
    page = client.post("/verify/", {"number": "330825202500001", "name": certified.name, "csrfmiddlewaretoken": token})
    assert page.status_code == 200 and "证书有效" in page.content.decode()


def test_verification_reads_in_english(certified):
    page = Client().post("/verify/", {"number": "330825202500001", "name": ""}, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "Enter the holder’s name." in text and "Staff login" in text


def test_verification_names_a_missing_field(certified):
    page = Client().post("/verify/", {"number": "330825202500001", "name": " "})
    assert page.status_code == 400
    assert "证书有效" not in page.content.decode() and "请填写持证人姓名。" in page.content.decode()


def test_graduation_page_starts_the_request_with_an_exclusion(client_for, sixth, sixth_pupils, registrar):
    client = client_for(registrar)
    page = client.get(f"/classes/{sixth.pk}/graduate/")
    assert page.status_code == 200 and sixth_pupils[0].student_number in page.content.decode()
    data = {f"number_{p.pk}": f"WEB-000{n}" for n, p in enumerate(sixth_pupils)}
    data.update({f"exclude_{sixth_pupils[3].pk}": "1", f"reason_{sixth_pupils[3].pk}": "外省转入，档案未到"})
    response = client.post(f"/classes/{sixth.pk}/graduate/", data)
    request = Graduation.objects.get(school_class=sixth)
    assert response.status_code == 302 and response["Location"] == f"/requests/{request.pk}/"
    assert sorted(request.entries.exclude(certificate_number="").values_list("certificate_number", flat=True)) == [
        "WEB-0000", "WEB-0001", "WEB-0002"
    ]
    # An excluded student without a reason is refused on the page.
    assert client_for(registrar).get(f"/classes/{sixth.pk}/graduate/").status_code == 200


def test_class_rename_merge_and_dissolve(client_for, school_a, class_a, class_a2, registrar, receiving_registrar):
    pupils = [StudentFactory(school_class=class_a2, by=registrar) for _ in range(2)]
    client = client_for(registrar)
    assert client_for(receiving_registrar).post(f"/classes/{class_a.pk}/rename/", {"name": "x"}).status_code in (403, 404)

    client.post(f"/classes/{class_a.pk}/rename/", {"name": "三年级(1)班·星火"})
    class_a.refresh_from_db()
    assert class_a.name == "三年级(1)班·星火"
    assert [h.name for h in SchoolClass.history.filter(id=class_a.pk).order_by("history_date")][-2:] == ["三年级(1)班", "三年级(1)班·星火"]

    client.post(f"/classes/{class_a2.pk}/merge/", {"into": class_a.pk})
    assert {p.open_placement.school_class_id for p in pupils} == {class_a.pk}
    assert SchoolClass.objects.get(pk=class_a2.pk).state == SchoolClass.State.DISSOLVED
    assert Placement.objects.filter(school_class=class_a2, student__in=pupils, ended_on__isnull=False).count() == 2

    empty = SchoolClassFactory(school=school_a, grade=3)
    client.post(f"/classes/{empty.pk}/dissolve/")
    assert SchoolClass.objects.get(pk=empty.pk).state == SchoolClass.State.DISSOLVED
    # A class with students is not dissolved.
    client.post(f"/classes/{class_a.pk}/dissolve/")
    assert SchoolClass.objects.get(pk=class_a.pk).state == SchoolClass.State.OPEN
