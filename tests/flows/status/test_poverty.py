"""贫困生认定 / 取消: the school asks, the bureau approves, the flag changes with its history."""

import pytest

from flows.models import PovertyChange, Request
from records.errors import Conflict

from ..acting import REJECT, decide, inbox, steps_of
from .conftest import last_change, start_poverty

IDENTIFY, CANCEL = PovertyChange.Action.IDENTIFY, PovertyChange.Action.CANCEL


def test_identified_then_cancelled_with_the_history_showing_each_change_and_who_approved_it(
    student, registrar, bureau_officer, second_bureau_officer
):
    identify = start_poverty(student, registrar, IDENTIFY, note="低保家庭，经村委会证明")

    assert inbox(bureau_officer) == [(identify.pk, "approve_by_bureau")]
    student.refresh_from_db()
    assert not student.poverty

    decide(bureau_officer, identify)

    student.refresh_from_db()
    assert student.poverty
    new, old = last_change(student)
    assert (old.poverty, new.poverty) == (False, True)
    assert (new.history_user, new.history_change_reason) == (bureau_officer, "低保家庭，经村委会证明")
    identify.refresh_from_db()
    assert identify.state == Request.State.COMPLETED
    assert steps_of(identify) == [("approve_by_bureau", bureau_officer.username, "approve", "")]

    cancel = start_poverty(student, registrar, CANCEL, note="家庭经济状况已好转")
    decide(second_bureau_officer, cancel)

    student.refresh_from_db()
    assert not student.poverty
    new, old = last_change(student)
    assert (old.poverty, new.poverty) == (True, False)
    assert (new.history_user, new.history_change_reason) == (second_bureau_officer, "家庭经济状况已好转")


def test_identifying_a_student_who_is_already_poor_is_refused(student, registrar, bureau_officer):
    decide(bureau_officer, start_poverty(student, registrar, IDENTIFY))
    student.refresh_from_db()  # the page loads the student anew

    with pytest.raises(Conflict) as refused:
        start_poverty(student, registrar, IDENTIFY)

    assert refused.value.messages == ["该生已是贫困生。"]
    assert Request.objects.filter(student=student).count() == 1


def test_cancelling_for_a_student_who_is_not_poor_is_refused(student, registrar):
    with pytest.raises(Conflict) as refused:
        start_poverty(student, registrar, CANCEL)

    assert refused.value.messages == ["该生不是贫困生，无需取消。"]
    assert not Request.objects.filter(student=student).exists()


def test_rejected_identification_leaves_the_flag_unchanged(student, registrar, bureau_officer):
    versions_before = student.history.count()

    identify = start_poverty(student, registrar, IDENTIFY)
    decide(bureau_officer, identify, REJECT, "证明材料不足")

    student.refresh_from_db()
    assert not student.poverty
    assert student.history.count() == versions_before
    identify.refresh_from_db()
    assert (identify.state, identify.close_comment) == (Request.State.REJECTED, "证明材料不足")
