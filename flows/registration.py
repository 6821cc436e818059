"""新生建档: a class teacher or registrar enters the record; the academic office verifies it (and
may send it back to the one who entered it, edits kept); the bureau approves; the record is
created, the student number issued and the student placed (policy texts 篇1 第四条)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from records.models import Role
from records.services import student_register

from .forms import VerifyRegistrationForm
from .models import Registration, Request
from .record_json import family_from_json, record_from_json
from .request_flow import RequestFlowMixin
from .steps import Step


class RegistrationFlow(RequestFlowMixin, flow.Flow):
    """新生建档"""

    process_class = Registration
    kind = Request.Kind.REGISTRATION

    start = flow.StartHandle(this.begin).Next(this.verify_by_academic_office)
    verify_by_academic_office = (
        Step(
            org=this.school,
            title=_("教导处核准新生信息"),
            role=Role.ACADEMIC_OFFICE,
            form_class=VerifyRegistrationForm,
            apply=this.acknowledge_duplicate,
            # The acknowledgement of a possible duplicate comes with the step's data: an approval
            # without it would skip the check.
            form_required=True,
        )
        .Next(this.approve_by_bureau)
        .OnReject(this.rejected)
        .OnReturn(this.correct_by_enterer)
    )
    correct_by_enterer = (
        Step(
            org=this.school,
            title=_("录入人修改后重新提交"),
            role=None,
            assignee=this.enterer,
            apply=this.apply_correction,
            page="registration_correct",
            form_required=True,
        )
        .Next(this.verify_by_academic_office)
        .OnReject(this.rejected)
    )
    approve_by_bureau = (
        Step(org=this.bureau, title=_("教育局审批新生建档")).Next(this.create_record).OnReject(this.rejected)
    )
    create_record = flow.Function(this.register).Annotation(title=_("建立学籍、编班")).Next(this.end)

    def school(self, process):
        return process.school

    def bureau(self, process):
        return process.school.bureau

    def enterer(self, process):
        return process.started_by

    def apply_correction(self, process, data):
        from .status_changes import registration_apply_correction

        registration_apply_correction(process, data)

    def acknowledge_duplicate(self, process, cleaned_data):
        acknowledged = bool(cleaned_data.get("acknowledge_duplicate"))
        if process.possible_duplicate_id and not acknowledged:
            raise ValidationError(
                {"acknowledge_duplicate": _("有疑似重复学籍：请核实不是同一人后勾选，或退回修改。")}
            )
        process.duplicate_acknowledged = acknowledged

    def register(self, activation):
        request = activation.process
        data = record_from_json(request.record)
        if request.photo:
            data["photo"] = request.photo.name
        request.student = student_register(
            school_class=request.to_class,
            data=data,
            family_members=family_from_json(request.family),
            by=self.last_actor(activation),
            placement_reason=_("新生建档"),
        )
        request.save(update_fields=["student"])
        self.close_completed(activation)
