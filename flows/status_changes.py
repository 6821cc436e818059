"""Starting the status-change requests: registration, suspension, resumption, dropout/death,
repeat/skip a grade, key-information change, poverty status; and resubmitting a registration
that was sent back. Each validates what the state machine and the rules allow before anything
is written, then starts its flow through flows.services.request_start."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from records.models import Code, CodeTable, Role, SchoolClass, Student
from records.services import (
    RESUME_SAME_CLASS_DAYS,
    validate_family_members,
    student_check_identity,
    student_last_placement,
)

from .models import Cause, Evidence, PovertyChange, Registration, WorkItem
from .record_json import family_to_json, record_to_json
from .services import (
    Conflict,
    _applicant_fields,
    _require_role,
    refuse_open_record_requests,
    refuse_state,
    request_start,
    task_decide,
)

SUSPENSION_DEFAULT_MONTHS = 3
SUSPENSION_MAX_DAYS = 365  # at most one school year
DEATH = "4"
LEFT_THE_SYSTEM = "3"


def _own_student(by, student: Student, *roles: str):
    membership = _require_role(by, *(roles or (Role.REGISTRAR,)))
    if membership.school_id != student.school_id:
        raise PermissionDenied(_("只能为本校学生办理。"))
    return membership


def _require_evidence(evidence, kinds: tuple[str, ...], message: str) -> None:
    if not any(kind in kinds for kind, _file in evidence):
        raise ValidationError({"evidence": message})


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=last_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- Registration (新生建档) --------------------------------------------------------------------


def _normalized(record: dict) -> dict:
    # Stored as the record will be (upper case): the open-request check compares the JSON as text.
    return dict(record, id_number=(record.get("id_number") or "").strip().upper())


def _require_entry_rights(by, to_class: SchoolClass):
    membership = _require_role(by, Role.REGISTRAR, Role.CLASS_TEACHER)
    if to_class.school_id != membership.school_id:
        raise PermissionDenied(_("只能为本校班级建档。"))
    if membership.role == Role.CLASS_TEACHER and membership.school_class_id != to_class.pk:
        raise PermissionDenied(_("班主任只能为本班学生建档。"))
    return membership


def _registration_checks(*, to_class: SchoolClass, record: dict, family: list, exclude_request=None) -> Student | None:
    if to_class.state != SchoolClass.State.OPEN:
        raise ValidationError({"to_class": _("该班级已不在读。")})
    candidate = Student(school=to_class.school, **record)
    candidate.full_clean(
        exclude=["student_number", "school", "status", "possible_duplicate_of", "photo"], validate_constraints=False
    )
    duplicate = student_check_identity(
        name=candidate.name, gender=candidate.gender, birth_date=candidate.birth_date,
        id_type=candidate.id_type, id_number=candidate.id_number,
    )
    validate_family_members(family)
    refuse_open_record_requests((candidate.id_number or "").strip().upper(), exclude=exclude_request)
    return duplicate


def registration_start(*, to_class: SchoolClass, by, record: dict, family: list, photo=None) -> Registration:
    """A registrar (any class of the school) or a class teacher (their class) enters a new student."""
    from .registration import RegistrationFlow

    _require_entry_rights(by, to_class)
    record = _normalized(record)
    duplicate = _registration_checks(to_class=to_class, record=record, family=family)
    return request_start(
        RegistrationFlow,
        by=by,
        school=to_class.school,
        to_class=to_class,
        record=record_to_json(record),
        family=family_to_json(family),
        photo=photo or "",
        possible_duplicate=duplicate,
    )


@transaction.atomic
def registration_resubmit(*, work_item: WorkItem, by, to_class: SchoolClass, record: dict, family: list, photo=None):
    """The one who entered a sent-back registration corrects it; it goes back to verification."""
    request = work_item.request.coerced
    if not isinstance(request, Registration) or work_item.step != "correct_by_enterer":
        raise PermissionDenied
    if to_class.school_id != request.school_id:
        raise PermissionDenied(_("只能为本校班级建档。"))
    # A class teacher corrects within their own class, as when entering.
    _require_entry_rights(by, to_class)
    record = _normalized(record)
    duplicate = _registration_checks(to_class=to_class, record=record, family=family, exclude_request=request)
    data = {
        "to_class": to_class,
        "record": record_to_json(record),
        "family": family_to_json(family),
        "possible_duplicate": duplicate,
        "photo": photo,
    }
    return task_decide(work_item=work_item, by=by, decision=WorkItem.Decision.APPROVE, comment=_("已修改，重新提交"), data=data)


# --- Suspension (休学 / 续休) and resumption (复学) -------------------------------------------------


def suspension_start(
    *, student: Student, by, cause: str, start_date: datetime.date | None = None, end_date: datetime.date | None = None,
    applicant=None, reason="", evidence=(),
):
    """休学 for an enrolled student, 续休 (extension) for a suspended one. Illness needs a hospital
    diagnosis; other reasons their proof. Default three months, at most one school year."""
    from .suspension import SuspensionFlow

    _own_student(by, student)
    refuse_state(student, (Student.Status.ENROLLED, Student.Status.SUSPENDED), _("休学"))
    fields = _applicant_fields(applicant, reason)
    if cause not in Cause.values:
        raise ValidationError({"cause": _("请选择休学原因。")})
    extension = student.status == Student.Status.SUSPENDED
    today = timezone.localdate()
    start_date = start_date or (student.suspended_until if extension and student.suspended_until else today)
    end_date = end_date or _add_months(start_date, SUSPENSION_DEFAULT_MONTHS)
    if end_date <= start_date:
        raise ValidationError({"end": _("休学截止日期须晚于开始日期。")})
    if (end_date - start_date).days > SUSPENSION_MAX_DAYS:
        raise ValidationError({"end": _("休学期限一般为三个月，最长不超过一学年。")})
    if extension and student.suspended_until and end_date <= student.suspended_until:
        raise ValidationError({"end": _("续休截止日期须晚于原休学截止日期（%(date)s）。") % {"date": student.suspended_until}})
    if not extension and end_date <= today:
        raise ValidationError({"end": _("休学截止日期须晚于今天。")})
    if cause == Cause.ILLNESS:
        _require_evidence(evidence, (Evidence.Kind.DIAGNOSIS,), _("因病休学须上传医院诊断证明。"))
    else:
        _require_evidence(evidence, tuple(Evidence.Kind.values), _("请上传休学理由的证明材料。"))
    return request_start(
        SuspensionFlow, by=by, students=[student], evidence=evidence, student=student, school=student.school,
        cause=cause, start_date=start_date, end_date=end_date, extension=extension, **fields,
    )


def resumption_start(*, student: Student, by, cause: str = Cause.OTHER, to_class=None, applicant=None, reason="", evidence=()):
    """复学 for a suspended or dropped-out student, at the original school."""
    from .resumption import ResumptionFlow

    _own_student(by, student)
    refuse_state(student, (Student.Status.SUSPENDED, Student.Status.DROPPED_OUT), _("复学"))
    fields = _applicant_fields(applicant, reason)
    if cause == Cause.ILLNESS:
        _require_evidence(
            evidence, (Evidence.Kind.DIAGNOSIS, Evidence.Kind.CERTIFICATE), _("因病休学的学生复学，须上传医院出具的可以复学的证明。")
        )
    last = student_last_placement(student)
    former = last.school_class if last else None
    away = (timezone.localdate() - last.ended_on).days if last and last.ended_on else 0
    if to_class is not None:
        if to_class.school_id != student.school_id:
            raise ValidationError({"to_class": _("复学须回原学校；到其他学校就读请复学后再办理转学。")})
        if to_class.state != SchoolClass.State.OPEN:
            raise ValidationError({"to_class": _("该班级已不在读。")})
        if former and to_class.pk != former.pk:
            if away <= RESUME_SAME_CLASS_DAYS and former.state == SchoolClass.State.OPEN:
                raise ValidationError({"to_class": _("离校不满三个月，复学须回原班级。")})
            if not (former.grade - 1 <= to_class.grade <= former.grade):
                raise ValidationError({"to_class": _("复学只能编入原年级或低一个年级的班级。")})
    elif former is None or former.state != SchoolClass.State.OPEN:
        raise ValidationError({"to_class": _("原班级已不在读，请选择复学编入的班级。")})
    return request_start(
        ResumptionFlow, by=by, students=[student], evidence=evidence, student=student, school=student.school,
        cause=cause, to_class=to_class, **fields,
    )


# --- Dropout, withdrawal, death ------------------------------------------------------------------


def dropout_start(*, student: Student, by, reason_code: Code, remark: str = "", evidence=()):
    """流失 / 退学 / 死亡 with a reason from the code table; death needs a certificate file."""
    from .dropout import DropoutFlow

    _own_student(by, student)
    if reason_code.table != CodeTable.DROPOUT_REASON:
        raise ValidationError({"reason": _("流失原因无效。")})
    if reason_code.code == LEFT_THE_SYSTEM:
        raise ValidationError(
            {"reason": _("转至市外/省外/境外请办理“转出”申请，以便记录转往地并遵守转学办理时间。")}
        )
    if reason_code.code == DEATH:
        refuse_state(
            student,
            (Student.Status.ENROLLED, Student.Status.SUSPENDED, Student.Status.DROPPED_OUT, Student.Status.GRADUATED),
            _("死亡登记"),
        )
        _require_evidence(evidence, (Evidence.Kind.CERTIFICATE,), _("死亡登记须上传公安机关或医院出具的死亡证明。"))
    else:
        refuse_state(student, (Student.Status.ENROLLED, Student.Status.SUSPENDED), _("流失/退学"))
    if not (remark or "").strip() and reason_code.code == "9":
        raise ValidationError({"remark": _("原因为“其他”时请填写备注。")})
    return request_start(
        DropoutFlow, by=by, students=[student], evidence=evidence, student=student, school=student.school,
        reason_code=reason_code, remark=(remark or "").strip(), reason=(remark or reason_code.name).strip(),
    )


# --- Repeat or skip a grade -----------------------------------------------------------------------


def grade_change_start(*, student: Student, by, to_class: SchoolClass, justification: str):
    """留级 / 跳级: exactly one grade down or up, same school, where the bureau allows it."""
    from .grade_change import GradeChangeFlow

    _own_student(by, student)
    bureau = student.school.bureau
    if not bureau.allow_repeat_or_skip:
        raise Conflict(_("%(bureau)s未开放留级/跳级办理。") % {"bureau": bureau.name}, code="not_allowed")
    refuse_state(student, (Student.Status.ENROLLED,), _("留级/跳级"))
    current = student.open_placement.school_class
    if to_class.school_id != student.school_id:
        raise ValidationError({"to_class": _("留级或跳级只能在本校内调整班级。")})
    if abs(to_class.grade - current.grade) != 1:
        raise ValidationError({"to_class": _("留级或跳级只能调整一个年级：请选择%(grade)s相邻年级的班级。") % {"grade": current.grade_name}})
    if to_class.state != SchoolClass.State.OPEN:
        raise ValidationError({"to_class": _("该班级已不在读。")})
    if not (justification or "").strip():
        raise ValidationError({"justification": _("请填写留级或跳级的理由。")})
    return request_start(
        GradeChangeFlow, by=by, students=[student], student=student, school=student.school,
        from_class=current, to_class=to_class, reason=justification.strip(),
    )


# --- Key information and poverty --------------------------------------------------------------


def key_info_change_start(*, student: Student, by, changes: dict, reason: str = "", evidence=()):
    """关键信息变更 with evidence; the new values are validated and checked for duplicates now and
    again when the change is applied."""
    from .key_info_change import KeyInfoChangeFlow

    _own_student(by, student)
    refuse_state(
        student,
        (Student.Status.ENROLLED, Student.Status.SUSPENDED, Student.Status.DROPPED_OUT, Student.Status.GRADUATED),
        _("关键信息变更"),
    )
    unknown = sorted(set(changes) - set(Student.KEY_FIELDS))
    if unknown:
        raise ValidationError({field: _("该项不是关键信息，学校可直接修改。") for field in unknown})
    changes = {field: value for field, value in changes.items() if getattr(student, field) != value}
    if not changes:
        raise ValidationError({"changes": _("没有要变更的内容。")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写变更理由。")})
    _require_evidence(evidence, tuple(Evidence.Kind.values), _("关键信息变更须上传证明材料（如户口簿、公安机关证明）。"))
    merged = {field: changes.get(field, getattr(student, field)) for field in Student.KEY_FIELDS}
    candidate = Student.objects.get(pk=student.pk)
    for field, value in merged.items():
        setattr(candidate, field, value)
    candidate.full_clean(
        exclude=["student_number", "school", "status", "possible_duplicate_of", "photo"], validate_constraints=False
    )
    student_check_identity(exclude=student, **{**merged, "id_number": merged["id_number"] or ""})
    previous = record_to_json({field: getattr(student, field) for field in changes})
    return request_start(
        KeyInfoChangeFlow, by=by, students=[student], evidence=evidence, student=student, school=student.school,
        changes=record_to_json(changes), previous=previous, reason=reason.strip(),
    )


def poverty_start(*, student: Student, by, action: str, note: str = ""):
    """贫困生认定 / 取消."""
    from .poverty import PovertyFlow

    _own_student(by, student)
    refuse_state(
        student,
        (Student.Status.ENROLLED, Student.Status.SUSPENDED, Student.Status.DROPPED_OUT, Student.Status.GRADUATED),
        _("贫困生认定/取消"),
    )
    if action not in PovertyChange.Action.values:
        raise ValidationError({"action": _("请选择认定或取消。")})
    if action == PovertyChange.Action.IDENTIFY and student.poverty:
        raise Conflict(_("该生已是贫困生。"), code="no_change")
    if action == PovertyChange.Action.CANCEL and not student.poverty:
        raise Conflict(_("该生不是贫困生，无需取消。"), code="no_change")
    if not (note or "").strip():
        raise ValidationError({"note": _("请填写说明。")})
    return request_start(
        PovertyFlow, by=by, students=[student], student=student, school=student.school,
        action=action, note=note.strip(), reason=note.strip(),
    )


def registration_apply_correction(process: Registration, data: dict) -> None:
    """Copy a resubmitted registration onto the request (the correction step's `apply`)."""
    process.to_class = data["to_class"]
    process.record = data["record"]
    process.family = data["family"]
    process.possible_duplicate = data["possible_duplicate"]
    process.duplicate_acknowledged = False
    if data.get("photo"):
        process.photo = data["photo"]


