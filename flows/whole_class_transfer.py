"""整班转学: the sending school moves a whole class; the receiving school confirms and picks or
creates the class; the bureaus approve; every student moves in one transaction, or none."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from records.services import class_create, class_dissolve, student_transfer

from .forms import WholeClassDecisionForm
from .models import Request, RequestStudent, WholeClassTransfer
from .request_flow import BetweenTwoSchools
from .steps import Step


class WholeClassTransferFlow(BetweenTwoSchools, flow.Flow):
    """整班转学"""

    process_class = WholeClassTransfer
    kind = Request.Kind.WHOLE_CLASS_TRANSFER

    start = flow.StartHandle(this.begin).Next(this.confirm_by_receiving_school)
    confirm_by_receiving_school = (
        Step(
            org=this.receiving_school,
            title=_("转入学校确认接收并选择或新建班级"),
            form_class=WholeClassDecisionForm,
            apply=this.set_receiving_class,
            form_required=True,
        )
        .Next(this.approve_by_receiving_bureau)
        .OnReject(this.rejected)
    )
    approve_by_receiving_bureau = (
        Step(org=this.receiving_bureau, title=_("转入地教育局审批"))
        .Next(this.needs_sending_bureau)
        .OnReject(this.rejected)
    )
    apply_change = flow.Function(this.move_students).Annotation(title=_("全班转入")).Next(this.end)

    def set_receiving_class(self, process, cleaned_data):
        process.to_class = cleaned_data.get("to_class")
        process.new_class_name = cleaned_data.get("new_class_name") or ""

    def move_students(self, activation):
        request = activation.process
        by = self.last_actor(activation)
        to_class = request.to_class or class_create(
            school=request.to_school,
            grade=request.from_class.grade,
            entry_year=request.from_class.entry_year,
            name=request.new_class_name,
            by=by,
        )
        if request.to_class is None:
            request.to_class = to_class
            request.save(update_fields=["to_class"])
        students = [rs.student for rs in RequestStudent.objects.filter(request=request).select_related("student")]
        for student in students:
            try:
                student_transfer(student=student, to_class=to_class, by=by, reason=_("整班转学"))
            except ValidationError as error:
                # The officer must learn which of the class's students holds the move up.
                raise ValidationError(
                    _("%(name)s（%(number)s）：%(error)s")
                    % {"name": student.name, "number": student.student_number, "error": " ".join(error.messages)}
                ) from None
        class_dissolve(school_class=request.from_class, by=by)
        self.close_completed(activation)
