"""升学 (policy texts 篇2 第十八条, 篇10 四.一): a middle school picks primary graduates of its bureau's
region into its first-year classes; the bureau approves; each enrolls there with the same
student number (no new record)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import TemplateView
from rest_framework import serializers
from viewflow import this
from viewflow.workflow import flow

from records import selectors
from records.errors import Conflict
from records.models import Role, School, SchoolClass, Student
from records.serializers import ClassCodeField
from records.services import students_promote
from records.views.access import SignedInMixin

from .base import RequestFlow
from .engine import open_requests_of, request_start, require_role
from .models import Promotion, PromotionEntry, Request
from .nodes import End, Function, Start
from .serializers import StartSerializer, class_code
from .steps import Step

PROMOTION_GRADE = 7  # 七年级: the first grade of junior middle school


class PromotionFlow(RequestFlow, flow.Flow):
    """升学"""

    process_class = Promotion
    kind = Request.Kind.PROMOTION

    start = Start(this.begin).Next(this.approve_by_bureau)
    approve_by_bureau = Step(org=this.bureau, title=_lazy("教育局审批")).Next(this.apply_change).OnReject(this.rejected)
    apply_change = Function(this.promote).Annotation(title=_lazy("学籍变更生效")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    def promote(self, activation):
        entries = activation.process.entries.select_related("to_class")
        students_promote(placements={e.student_id: e.to_class for e in entries}, by=self.last_actor(activation))
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return PromotionStart

    @property
    def start_pages(self):
        return (path("promotion/new/", PromotionStartView.as_view(), name="promotion_start"),)

    def details(self, process):
        return {
            "placements": [
                {"student": e.student_id, "to_class": class_code(e.to_class)}
                for e in process.entries.select_related("to_class")
            ]
        }

    def start_from_api(self, user, data):
        return promotion_start(placements=[(item["student"], item["to_class"]) for item in data["placements"]], by=user)


def promotion_start(*, placements: list[tuple[int, SchoolClass]], by) -> Promotion:
    """A middle-school registrar takes primary graduates of the region into its first-year classes.

    `placements`: (student id, class) pairs. A student already taken by another middle school is
    refused with that school's name; a student outside the region is not found.
    """
    membership = require_role(by, Role.REGISTRAR)
    school = membership.school
    if PROMOTION_GRADE not in school.grades:
        raise PermissionDenied(_("只有初级中学（或九年一贯制学校）可以办理升学。"))
    if not placements:
        raise ValidationError({"placements": _("请选择升学的学生和编入班级。")})
    ids = [pk for pk, _c in placements]
    if len(set(ids)) != len(ids):
        raise ValidationError({"placements": _("同一学生只能编入一个班级。")})
    errors = []
    for _pk, to_class in placements:
        if to_class.school_id != school.pk or to_class.grade != PROMOTION_GRADE or to_class.state != SchoolClass.State.OPEN:
            errors.append(_("“%(name)s”不是本校在读的七年级班级。") % {"name": to_class.name})
    if errors:
        raise ValidationError({"to_class": sorted(set(errors))})
    visible = {s.pk: s for s in selectors.promotion_region_students(by).filter(pk__in=ids)}
    unknown = [pk for pk in ids if pk not in visible]
    if unknown:
        raise ValidationError({"student": _("没有找到学生 %(ids)s。") % {"ids": ", ".join(map(str, unknown))}}, code="not_found")
    busy = open_requests_of(ids)
    blockers = []
    for pk in ids:
        student = visible[pk]
        if pk in busy:
            rs = busy[pk]
            if rs.request.kind == Request.Kind.PROMOTION:
                blockers.append(
                    _("%(name)s已被%(school)s选报升学（申请 #%(pk)d）。")
                    % {"name": student.name, "school": rs.request.school.name, "pk": rs.request_id}
                )
            else:
                blockers.append(
                    _("%(name)s已有办理中的申请（%(kind)s #%(pk)d）。")
                    % {"name": student.name, "kind": rs.request.get_kind_display(), "pk": rs.request_id}
                )
        elif student.status == Student.Status.ENROLLED and student.school_id != school.pk:
            blockers.append(_("%(name)s已在%(school)s就读。") % {"name": student.name, "school": student.school.name})
        elif not student.allows("promote"):
            blockers.append(
                _("%(name)s学籍状态为“%(status)s”，不能升学。") % {"name": student.name, "status": student.get_status_display()}
            )
        elif student.school.type != School.Type.PRIMARY:
            # 篇10 四: only primary graduates go up to junior middle school; a junior graduate
            # who took the 中考 may not repeat it (严禁…重读).
            blockers.append(
                _("%(name)s是%(school)s的毕业生：只有小学毕业生可以升入七年级。")
                % {"name": student.name, "school": student.school.name}
            )
    if blockers:
        raise Conflict(blockers, code="promotion_blocked")
    request = request_start(
        PromotionFlow,
        by=by,
        students=[visible[pk] for pk in ids],
        school=school,
        reason=_("%(school)s升学编班，%(n)d 人") % {"school": school.name, "n": len(ids)},
    )
    PromotionEntry.objects.bulk_create(
        [PromotionEntry(request=request, student_id=pk, to_class=to_class) for pk, to_class in placements]
    )
    return request


class PromotionStartView(SignedInMixin, TemplateView):
    """A middle-school registrar searches the region's primary graduates, ticks many, picks classes."""

    template_name = "flows/promotion_start.html"

    def check_access(self, request, *args, **kwargs):
        membership = selectors.membership_of(request.user)
        if not (membership and membership.role == Role.REGISTRAR and PROMOTION_GRADE in membership.school.grades):
            raise PermissionDenied(_("只有初级中学的学籍管理员可以办理升学。"))
        self.school = membership.school

    def classes(self):
        return SchoolClass.objects.filter(
            school=self.school, grade=PROMOTION_GRADE, state=SchoolClass.State.OPEN
        ).order_by("sequence")

    def get_context_data(self, **kwargs):
        q, school = self.request.GET.get("q", ""), self.request.GET.get("school", "")
        graduates = selectors.graduates_for_promotion(self.request.user, q=q, school=school)[:500]
        schools = School.objects.filter(
            pk__in=selectors.graduates_for_promotion(self.request.user).values("school_id")
        ).order_by("identifier")
        return super().get_context_data(
            graduates=graduates, classes=self.classes(), schools=schools, q=q, school=school,
            title=_("升学：选取小学毕业生"), **kwargs
        )

    def post(self, request, *args, **kwargs):
        classes = {str(c.pk): c for c in self.classes()}
        placements = []
        for pk in request.POST.getlist("student"):
            to_class = classes.get(request.POST.get(f"class_{pk}", ""))
            if to_class is None:
                return self.render_to_response(self.get_context_data(errors=[_("请为每名选中的学生选择编入班级。")]))
            placements.append((int(pk), to_class))
        try:
            with transaction.atomic():
                req = promotion_start(placements=placements, by=request.user)
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(errors=error.messages))
        messages.success(request, _("升学申请已提交（#%(pk)d），等待教育局审批。") % {"pk": req.pk})
        return redirect("request_detail", pk=req.pk)


class PromotionPlacementSerializer(serializers.Serializer):
    student = serializers.IntegerField(min_value=1)
    to_class = ClassCodeField()


class PromotionStart(StartSerializer):
    """升学: primary graduates of your bureau's region, each into one of your first-year classes."""

    kind_value = Request.Kind.PROMOTION
    placements = PromotionPlacementSerializer(many=True, allow_empty=False)
