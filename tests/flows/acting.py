"""Acting on requests as the pages and the API will: find the step in the user's inbox, decide
it, and read back what a registrar or an officer would check."""

from __future__ import annotations

import datetime

from flows.transfer import ReceivingClassDecisionForm
from flows.whole_class_transfer import WholeClassDecisionForm
from django.core.files.base import ContentFile

from flows.models import Evidence, Request, WorkItem
from flows.engine import task_decide
from flows.transfer import transfer_start
from records.models import CodeTable, Placement
from records.services import code_get
from flows.selectors import tasks_in_inbox
from tests.factories import citizen_id

APPROVE = WorkItem.Decision.APPROVE
REJECT = WorkItem.Decision.REJECT

APPLICANT = {"name": "王建国", "relationship": "父亲", "phone": "13800000001"}
REASON = "随父母工作调动迁居"


def inbox(user) -> list[tuple[int, str]]:
    """What the user's inbox shows: (request, step) of each open step, oldest first."""
    return list(tasks_in_inbox(user).values_list("request_id", "step"))


def open_step(user, request: Request) -> WorkItem:
    """The user's open step of `request`, as the inbox links to it."""
    return tasks_in_inbox(user).get(request_id=request.pk)


def decide(user, request: Request, decision: str = APPROVE, comment: str = "", form=None) -> Request:
    return task_decide(
        work_item=open_step(user, request), by=user, decision=decision, comment=comment, form=form
    )


def receiving_class_form(request: Request, to_class, decision: str = APPROVE, comment: str = ""):
    data = {"decision": decision, "comment": comment, "to_class": to_class.pk if to_class else ""}
    return ReceivingClassDecisionForm(data=data, request=request)


def confirm_receiving_class(user, request: Request, to_class) -> Request:
    """The receiving registrar approves and picks the class on the confirmation page."""
    form = receiving_class_form(request, to_class)
    assert form.is_valid(), form.errors
    return decide(user, request, form.cleaned_data["decision"], form.cleaned_data["comment"], form=form)


def whole_class_form(request: Request, *, to_class=None, new_class_name="", decision=APPROVE, comment=""):
    data = {
        "decision": decision,
        "comment": comment,
        "to_class": to_class.pk if to_class else "",
        "new_class_name": new_class_name,
    }
    return WholeClassDecisionForm(data=data, request=request)


def receiving_evidence() -> list:
    """What the parent brings to the receiving school: the household register and the acceptance."""
    return [
        (Evidence.Kind.HOUSEHOLD_REGISTER, ContentFile(b"%PDF-1.4 household register", name="户口簿.pdf")),
        (Evidence.Kind.ACCEPTANCE, ContentFile(b"%PDF-1.4 acceptance", name="接收证明.pdf")),
    ]


def start_transfer(student, by, *, to_class=None, to_school=None, today=None):
    """A registrar logs the parent's transfer request (receiving order with to_class and the parent's
    documents, sending order with to_school)."""
    return transfer_start(
        student=student, by=by, to_class=to_class, to_school=to_school, applicant=APPLICANT, reason=REASON, today=today,
        evidence=receiving_evidence() if to_class is not None else (),
    )


def steps_of(request: Request) -> list[tuple[str, str | None, str, str]]:
    """The request's steps as its page lists them: (step, who acted, decision, comment)."""
    return [
        (item.step, item.actor.username if item.actor else None, item.decision, item.comment)
        for item in WorkItem.objects.filter(request=request).select_related("actor").order_by("created", "pk")
    ]


def where(student) -> tuple:
    """What a registrar checks on the student's page: school, current class, status."""
    student.refresh_from_db()
    placement = student.open_placement
    return student.school, placement.school_class if placement else None, student.status


def placement_history(student) -> list[tuple]:
    """Every version of every placement of the student: (class, ended?, by whom), oldest first."""
    return [
        (version.school_class_id, version.ended_on is not None, version.history_user_id, version.history_type)
        for version in Placement.history.filter(student_id=student.pk).order_by("history_date", "history_id")
    ]


# --- A record for a transfer-in from outside the system ----------------------------------------

BIRTH = datetime.date(2017, 3, 15)
# 江西省上饶市: the student comes from outside the province.
OUTSIDE_ID = citizen_id(area_code="361100", birth_date=BIRTH, sequence=7, male=False)


def record(id_number=OUTSIDE_ID, **overrides) -> dict:
    """The record as the registrar enters it from the previous school's papers."""
    data = {
        "name": "林晓雨",
        "gender": code_get(CodeTable.GENDER, "2"),
        "birth_date": BIRTH,
        "id_type": code_get(CodeTable.ID_TYPE, "1"),
        "id_number": id_number,
        "ethnicity": code_get(CodeTable.ETHNICITY, "01"),
        "nationality": code_get(CodeTable.NATIONALITY, "156"),
        "overseas_chinese": code_get(CodeTable.OVERSEAS, "00"),
        "health": code_get(CodeTable.HEALTH, "1"),
        "household_type": code_get(CodeTable.HOUSEHOLD_TYPE, "1"),
        "entry_date": datetime.date(2023, 9, 1),
        "study_mode": code_get(CodeTable.STUDY_MODE, "1"),
        "student_type": code_get(CodeTable.STUDENT_TYPE, "1"),
        "disability_type": code_get(CodeTable.DISABILITY, "0"),
        "left_behind": code_get(CodeTable.LEFT_BEHIND, "1"),
        "household_place": "江西省上饶市信州区",
        "current_address": "浙江省衢州市龙游县东华街道",
    }
    data.update(overrides)
    return data


def family() -> list[dict]:
    return [
        {
            "name": "林建华",
            "relationship": code_get(CodeTable.RELATIONSHIP, "1"),
            "is_guardian": True,
            "phone": "13900000002",
        }
    ]
