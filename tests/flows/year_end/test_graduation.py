"""毕业: a registrar graduates a class, the bureau approves, all included students graduate at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from flows.models import Graduation, GraduationEntry, Request
from records.errors import Conflict
from flows.graduation import graduation_roster, graduation_start
from records import services
from records.models import GraduationCertificate, Placement, SchoolClass, Student
from tests.factories import SchoolClassFactory, StudentFactory
from tests.flows.acting import REJECT, decide, inbox, open_step, steps_of
from tests.flows.status.conftest import start_poverty

YEAR = timezone.localdate().year


def statuses(students) -> list[str]:
    return [Student.objects.get(pk=s.pk).status for s in students]


def test_class_graduates_with_proposed_certificate_numbers(sixth, sixth_pupils, registrar, bureau_officer):
    request = graduation_start(school_class=sixth, by=registrar)

    assert inbox(bureau_officer) == [(request.pk, "approve_by_bureau")]
    # Until the bureau approves nothing changes.
    assert statuses(sixth_pupils) == ["enrolled"] * 4
    decide(bureau_officer, request)

    request.refresh_from_db()
    sixth.refresh_from_db()
    assert request.state == Request.State.COMPLETED
    assert statuses(sixth_pupils) == ["graduated"] * 4
    assert sixth.state == SchoolClass.State.GRADUATED
    assert not Placement.objects.filter(school_class=sixth, ended_on__isnull=True).exists()
    numbers = sorted(GraduationCertificate.objects.filter(school_class=sixth).values_list("number", flat=True))
    assert numbers == [f"330825{YEAR}{n:05d}" for n in range(1, 5)]
    # Every record's history says who graduated it and why.
    for pupil in sixth_pupils:
        last = Student.history.filter(id=pupil.pk).latest("history_date")
        assert (last.status, last.history_user, last.history_change_reason) == (
            "graduated", bureau_officer, f"毕业（申请 #{request.pk}）"
        )
        placement = Placement.history.filter(student_id=pupil.pk).latest("history_date")
        assert placement.ended_on is not None and placement.end_reason == "毕业"
    assert steps_of(request) == [("approve_by_bureau", "officer_longyou", "approve", "")]


def test_excluded_students_stay_enrolled_with_their_reason(sixth, sixth_pupils, registrar, bureau_officer):
    kept = sixth_pupils[0]
    request = graduation_start(
        school_class=sixth, by=registrar, exclude={kept.pk: "学业未达毕业要求，结业"},
        certificates={sixth_pupils[1].pk: "LY-2025-0001"},
    )
    decide(bureau_officer, request)

    assert statuses(sixth_pupils) == ["enrolled", "graduated", "graduated", "graduated"]
    entry = GraduationEntry.objects.get(request=request, student=kept)
    assert (entry.excluded, entry.exclude_reason) == (True, "学业未达毕业要求，结业")
    assert GraduationCertificate.objects.get(student=sixth_pupils[1]).number == "LY-2025-0001"
    assert not GraduationCertificate.objects.filter(student=kept).exists()
    # The excluded student is still free for the request that places them.
    assert Student.objects.get(pk=kept.pk).open_placement.school_class == sixth


def test_blockers_are_listed_and_refuse_the_start_unless_excluded(sixth, sixth_pupils, registrar):
    busy = sixth_pupils[2]
    poverty = start_poverty(busy, registrar)

    rows = {row["student"].pk: row["blockers"] for row in graduation_roster(sixth)}
    assert rows[busy.pk] == [f"已有办理中的申请（贫困生认定/取消 #{poverty.pk}）"]
    assert [rows[p.pk] for p in sixth_pupils if p != busy] == [[], [], []]

    with pytest.raises(Conflict) as refused:
        graduation_start(school_class=sixth, by=registrar)
    assert refused.value.messages == [f"{busy.name}（{busy.student_number}）：已有办理中的申请（贫困生认定/取消 #{poverty.pk}）"]
    assert not Request.objects.filter(kind=Request.Kind.GRADUATION).exists()

    # Excluded, the busy student no longer holds the class up.
    request = graduation_start(school_class=sixth, by=registrar, exclude={busy.pk: "贫困生认定办理中，下批毕业"})
    assert request.state == Request.State.OPEN


def test_approval_refused_with_the_list_when_a_student_is_no_longer_enrolled(
    sixth, sixth_pupils, registrar, bureau_officer
):
    request = graduation_start(school_class=sixth, by=registrar)
    # A death registered through the register while the request waited: the bulk path still
    # checks every student's state and refuses the whole approval.
    services.student_decease(student=sixth_pupils[1], by=registrar, remark="意外身故")

    with pytest.raises(ValidationError) as refused:
        decide(bureau_officer, request)
    assert refused.value.messages == [f"{sixth_pupils[1].name}（{sixth_pupils[1].student_number}）：学籍状态为“死亡”，不能办理毕业。"]
    assert statuses(sixth_pupils) == ["enrolled", "deceased", "enrolled", "enrolled"]
    assert SchoolClass.objects.get(pk=sixth.pk).state == SchoolClass.State.OPEN
    # The step is still open for the officer.
    assert open_step(bureau_officer, request).finished is None


@pytest.mark.parametrize("taken_by", ["certificate", "open_request", "same_request"])
def test_duplicate_certificate_numbers_are_refused(sixth, sixth_pupils, registrar, school_b, taken_by):
    a, b = sixth_pupils[0], sixth_pupils[1]
    if taken_by == "certificate":
        other = StudentFactory(school_class=SchoolClassFactory(school=school_b, grade=6))
        services.class_graduate(school_class=other.open_placement.school_class, certificates={other.pk: "DUP-0001"}, year=YEAR, by=None)
        numbers = {a.pk: "DUP-0001"}
    elif taken_by == "open_request":
        other_class = SchoolClassFactory(school=sixth.school, grade=6)
        other = StudentFactory(school_class=other_class, by=registrar)
        graduation_start(school_class=other_class, by=registrar, certificates={other.pk: "DUP-0001"})
        numbers = {a.pk: "DUP-0001"}
    else:
        numbers = {a.pk: "DUP-0001", b.pk: "DUP-0001"}

    with pytest.raises(ValidationError) as refused:
        graduation_start(school_class=sixth, by=registrar, certificates=numbers)
    expected = "毕业证书编号重复：DUP-0001" if taken_by == "same_request" else "毕业证书编号已被使用：DUP-0001"
    assert refused.value.message_dict == {"certificates": [expected]}
    assert not Graduation.objects.filter(school_class=sixth).exists()


def test_failure_half_way_leaves_nothing_graduated(sixth, sixth_pupils, registrar, bureau_officer, school_b):
    request = graduation_start(school_class=sixth, by=registrar)
    last = GraduationEntry.objects.filter(request=request, excluded=False).order_by("-certificate_number").first()
    # Between the start and the approval the number was issued elsewhere (e.g. entered for an old
    # graduate on the admin site): the students are updated before the certificates go in, and
    # the certificate insert fails.
    elsewhere = StudentFactory(school_class=SchoolClassFactory(school=school_b, grade=6))
    GraduationCertificate.objects.create(
        number=last.certificate_number, student=elsewhere, school=school_b,
        school_class=elsewhere.open_placement.school_class, year=YEAR - 1, issued_on=timezone.localdate(),
    )

    with pytest.raises(ValidationError) as refused:
        decide(bureau_officer, request)
    assert refused.value.messages == [f"毕业证书编号已被使用：{last.certificate_number}"]
    assert statuses(sixth_pupils) == ["enrolled"] * 4
    assert Placement.objects.filter(school_class=sixth, ended_on__isnull=True).count() == 4
    assert SchoolClass.objects.get(pk=sixth.pk).state == SchoolClass.State.OPEN
    assert not Student.history.filter(id__in=[p.pk for p in sixth_pupils], status="graduated").exists()
    request.refresh_from_db()
    assert request.state == Request.State.OPEN
    assert open_step(bureau_officer, request).finished is None


def test_rejection_changes_nothing(sixth, sixth_pupils, registrar, bureau_officer):
    request = graduation_start(school_class=sixth, by=registrar)
    decide(bureau_officer, request, REJECT, "毕业证书编号与上报名册不一致")
    assert statuses(sixth_pupils) == ["enrolled"] * 4
    assert Request.objects.get(pk=request.pk).state == Request.State.REJECTED
    # The students are free again for a corrected request.
    assert graduation_start(school_class=sixth, by=registrar).state == Request.State.OPEN


def test_only_a_graduating_class_of_the_own_school(class_a, sixth, registrar, receiving_registrar, student):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(ValidationError, match="不是毕业年级"):
        graduation_start(school_class=class_a, by=registrar)
    with pytest.raises(PermissionDenied):
        graduation_start(school_class=sixth, by=receiving_registrar)
