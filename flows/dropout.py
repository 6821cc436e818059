"""流失 / 退学 / 死亡 (policy texts 篇2 第六条、第十六条, 篇10 三.三): the bureau approves; the student
becomes dropped out or deceased and the placement closes. Deceased is final."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from rest_framework import serializers
from viewflow import this
from viewflow.forms import FieldSet, Layout, Row
from viewflow.workflow import flow

from records.models import Code, CodeTable, Student
from records.serializers import CodeField
from records.services import status_check, student_decease, student_drop_out

from .base import RequestFlow
from .engine import request_start, require_evidence, require_own_student
from .forms import RequestStartForm
from .models import Dropout, Evidence, Request
from .nodes import End, Function, If, Start
from .pages import OwnStudentMixin, StartRequestView
from .serializers import EvidenceFields, StartSerializer, evidence_of, id_field, visible_student
from .steps import Step

# Dropout reason codes (records' code table dropout_reason).
LEFT_THE_SYSTEM = "3"  # 转至市外/省外/境外: the transfer-out request records it
DEATH = "4"
INCAPACITY = "5"  # 因故丧失学习能力: proven like a death (篇10 三.三)
OTHER = "9"


class DropoutFlow(RequestFlow, flow.Flow):
    """流失/退学/死亡"""

    process_class = Dropout
    kind = Request.Kind.DROPOUT

    start = Start(this.begin).Next(this.approve_by_bureau)
    approve_by_bureau = Step(org=this.bureau, title=_lazy("教育局审批")).Next(this.is_death).OnReject(this.rejected)
    is_death = If(this.reports_death).Then(this.register_death).Else(this.apply_change)
    register_death = Function(this.decease).Annotation(title=_lazy("注销学籍")).Next(this.end)
    apply_change = Function(this.drop_out).Annotation(title=_lazy("学籍变更生效")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    def reports_death(self, activation) -> bool:
        return activation.process.reason_code.code == DEATH

    def remark(self, request: Dropout) -> str:
        return request.remark or request.reason_code.name

    def decease(self, activation):
        request = activation.process
        student_decease(student=request.student, by=self.last_actor(activation), remark=self.remark(request))
        self.close_completed(activation)

    def drop_out(self, activation):
        request = activation.process
        student_drop_out(
            student=request.student, reason=request.reason_code, remark=self.remark(request), by=self.last_actor(activation)
        )
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return DropoutStart

    @property
    def start_pages(self):
        return (path("students/<int:pk>/dropout/", DropoutStartView.as_view(), name="dropout_start"),)

    def items(self, process):
        return [(_("原因"), process.reason_code.name), (_("备注"), process.remark or "—")]

    def details(self, process):
        return {"reason": process.reason_code.code, "remark": process.remark}

    def student_action(self, student):
        if student.allows("drop_out"):
            label = pgettext("action", "流失/退学/死亡")
        elif student.allows("decease"):
            label = _("死亡登记")
        else:
            return None
        return {"label": label, "url": reverse("dropout_start", args=[student.pk])}

    def start_from_api(self, user, data):
        return dropout_start(
            student=visible_student(user, data["student"]), by=user, reason_code=data["reason"],
            remark=data.get("remark", ""), evidence=evidence_of(data),
        )


def dropout_start(*, student: Student, by, reason_code: Code, remark: str = "", evidence=()):
    """流失 / 退学 / 死亡 with a reason from the code table; death needs a certificate file."""
    require_own_student(by, student)
    if reason_code.table != CodeTable.DROPOUT_REASON:
        raise ValidationError({"reason": _("流失原因无效。")})
    if reason_code.code == LEFT_THE_SYSTEM:
        raise ValidationError(
            {"reason": _("转至市外/省外/境外请办理“转出”申请，以便记录转往地并遵守转学办理时间。")}
        )
    if reason_code.code == DEATH:
        status_check(student, "decease", _("死亡登记"))
        require_evidence(evidence, (Evidence.Kind.CERTIFICATE,), _("死亡登记须上传公安机关或医院出具的死亡证明。"))
    else:
        status_check(student, "drop_out", _("流失/退学"))
    if reason_code.code == INCAPACITY:
        require_evidence(
            evidence, (Evidence.Kind.CERTIFICATE,),
            _("因故丧失学习能力须上传乡镇派出所或县级以上医院出具的证明材料。"),
        )
    remark = (remark or "").strip()
    if not remark and reason_code.code == OTHER:
        raise ValidationError({"remark": _("原因为“其他”时请填写备注。")})
    return request_start(
        DropoutFlow, by=by, students=[student], evidence=evidence, student=student, school=student.school,
        reason_code=reason_code, remark=remark, reason=remark or reason_code.name,
    )


class DropoutForm(RequestStartForm):
    with_applicant = False
    evidence_fields = {"evidence_certificate": Evidence.Kind.CERTIFICATE, "evidence_other": Evidence.Kind.OTHER}
    reason_code = forms.ModelChoiceField(label=_lazy("原因"), queryset=Code.objects.filter(table=CodeTable.DROPOUT_REASON))
    remark = forms.CharField(label=_lazy("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reason"]
        self.fields["evidence_certificate"].help_text = _(
            "死亡登记须上传死亡证明；因故丧失学习能力须上传乡镇派出所或县级以上医院出具的证明。"
        )
        self.layout = Layout(Row("reason_code", "remark"), FieldSet(_("证明材料"), Row(*self.evidence_fields)))


class DropoutStartView(OwnStudentMixin, StartRequestView):
    form_class = DropoutForm
    title = _lazy("流失/退学/死亡登记")

    def start(self, form):
        data = form.cleaned_data
        return dropout_start(
            student=self.student, by=self.request.user, reason_code=data["reason_code"], remark=data.get("remark", ""),
            evidence=form.evidence(),
        )


class DropoutStart(EvidenceFields, StartSerializer):
    """流失 / 退学 / 死亡 with a reason from the code table; death needs `evidence_certificate`."""

    kind_value = Request.Kind.DROPOUT
    student = id_field()
    reason = CodeField(table=CodeTable.DROPOUT_REASON, help_text="dropout reason code")
    remark = serializers.CharField(max_length=200, required=False, allow_blank=True)
