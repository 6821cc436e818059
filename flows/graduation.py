"""毕业 (policy texts 篇2 第十七条, 篇10 四.三): the registrar proposes a graduating class with a
certificate number per student (or an exclusion with its reason); the bureau approves; every
included student graduates and the class closes, in one transaction."""

from __future__ import annotations

import re
from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import TemplateView
from rest_framework import serializers
from viewflow import this
from viewflow.workflow import flow

from records import selectors
from records.class_codes import GRADUATING_GRADES
from records.errors import Conflict
from records.models import GraduationCertificate, Role, SchoolClass, Student
from records.names import by_name
from records.serializers import ClassCodeField
from records.services import class_graduate
from records.views.access import SignedInMixin, school_registrar

from .base import RequestFlow
from .engine import open_requests_of, request_start, require_role
from .models import Graduation, GraduationEntry, Request, RequestStudent
from .nodes import End, Function, Start
from .serializers import StartSerializer, class_code
from .steps import Step

CERTIFICATE_NUMBER = re.compile(r"^[0-9A-Za-z-]{4,32}$")


class GraduationFlow(RequestFlow, flow.Flow):
    """毕业"""

    process_class = Graduation
    kind = Request.Kind.GRADUATION

    start = Start(this.begin).Next(this.approve_by_bureau)
    approve_by_bureau = Step(org=this.bureau, title=_lazy("教育局审批")).Next(this.apply_change).OnReject(this.rejected)
    apply_change = Function(this.graduate).Annotation(title=_lazy("学籍变更生效")).Next(this.end)
    rejected = Function(this.close_rejected).Annotation(title=_lazy("未获同意，办结")).Next(this.end_rejected)
    end = End().Annotation(title=_lazy("已办结"))
    end_rejected = End().Annotation(title=_lazy("已驳回"))

    def graduate(self, activation):
        request = activation.process
        certificates = dict(request.entries.filter(excluded=False).values_list("student_id", "certificate_number"))
        # The students are this request's, so no other request can be open for them; refuse anyway
        # with the list rather than graduate someone another request is about.
        busy = list(
            RequestStudent.objects.filter(student_id__in=list(certificates), open=True)
            .exclude(request=request)
            .select_related("student", "request")
        )
        if busy:
            raise ValidationError(
                [
                    _("%(name)s已有办理中的申请（%(kind)s #%(pk)d）。")
                    % {"name": b.student.name, "kind": b.request.get_kind_display(), "pk": b.request_id}
                    for b in busy
                ],
                code="open_request",
            )
        class_graduate(
            school_class=request.school_class, certificates=certificates, year=request.year,
            by=self.last_actor(activation), remark=_("毕业（申请 #%(pk)d）") % {"pk": request.pk},
        )
        self.close_completed(activation)

    # --- Pages and API ---------------------------------------------------------------------------

    @property
    def start_serializer(self):
        return GraduationStart

    @property
    def start_pages(self):
        return (path("classes/<int:pk>/graduate/", GraduationStartView.as_view(), name="graduation_start"),)

    def details(self, process):
        return {
            "class_code": class_code(process.school_class),
            "year": process.year,
            "students": [
                {"student": e.student_id, "certificate": e.certificate_number or None, "excluded": e.excluded,
                 "reason": e.exclude_reason}
                for e in process.entries.all()
            ],
        }

    def start_from_api(self, user, data):
        return graduation_start(
            school_class=data["class_code"], by=user,
            exclude={item["student"]: item["reason"] for item in data["exclude"]},
            certificates={int(pk): number for pk, number in data["certificates"].items() if str(pk).isdigit()},
        )


def certificate_prefix(school_class: SchoolClass, year: int) -> str:
    """毕业证书编号: the bureau's code, the year, then a five-digit sequence (e.g. 330825202500001)."""
    return f"{school_class.school.bureau.code}{year}"


def certificate_numbers_propose(school_class: SchoolClass, year: int, count: int) -> list[str]:
    """The next `count` free numbers of the bureau's pattern, after issued ones and those that
    open requests have proposed."""
    prefix = certificate_prefix(school_class, year)
    pattern = rf"^{prefix}[0-9]{{5}}$"
    highest = [
        GraduationCertificate.objects.filter(number__regex=pattern).aggregate(n=Max("number"))["n"],
        GraduationEntry.objects.filter(
            request__state=Request.State.OPEN, certificate_number__regex=pattern
        ).aggregate(n=Max("certificate_number"))["n"],
    ]
    start = max((int(n[len(prefix):]) for n in highest if n), default=0) + 1
    return [f"{prefix}{n:05d}" for n in range(start, start + count)]


def graduation_roster(school_class: SchoolClass, *, year: int | None = None) -> list[dict]:
    """Every student placed in the class, with what blocks their graduation and a proposed number."""
    year = year or timezone.localdate().year
    students = list(
        Student.objects.filter(placements__school_class=school_class, placements__ended_on__isnull=True).order_by(
            by_name(), "pk"
        )
    )
    busy = open_requests_of(s.pk for s in students)
    numbers = iter(certificate_numbers_propose(school_class, year, len(students)))
    rows = []
    for s in students:
        blockers = []
        if not s.allows("graduate"):
            blockers.append(_("学籍状态为“%(status)s”") % {"status": s.get_status_display()})
        if s.pk in busy:
            rs = busy[s.pk]
            blockers.append(
                _("已有办理中的申请（%(kind)s #%(pk)d）") % {"kind": rs.request.get_kind_display(), "pk": rs.request_id}
            )
        rows.append({"student": s, "blockers": blockers, "proposed": next(numbers)})
    return rows


def graduation_start(
    *,
    school_class: SchoolClass,
    by,
    exclude: dict[int, str] | None = None,
    certificates: dict[int, str] | None = None,
    year: int | None = None,
) -> Graduation:
    """Open a graduation request for a graduating class. `exclude`: student id → reason (they stay
    enrolled); `certificates`: student id → number, the proposed number where absent."""
    membership = require_role(by, Role.REGISTRAR)
    if school_class.school_id != membership.school_id:
        raise PermissionDenied(_("只能为本校班级办理毕业。"))
    if school_class.state != SchoolClass.State.OPEN:
        raise ValidationError({"class_code": _("该班级已不在读。")})
    if school_class.grade not in GRADUATING_GRADES:
        raise ValidationError({"class_code": _("%(grade)s不是毕业年级。") % {"grade": school_class.grade_name}})
    year = year or timezone.localdate().year
    exclude = {int(k): (v or "").strip() for k, v in (exclude or {}).items()}
    certificates = {int(k): (v or "").strip() for k, v in (certificates or {}).items()}
    rows = graduation_roster(school_class, year=year)
    if not rows:
        raise ValidationError({"class_code": _("该班级没有在读学生。")})
    in_class = {row["student"].pk for row in rows}
    errors: dict[str, list[str]] = {}
    strangers = sorted((set(exclude) | set(certificates)) - in_class)
    if strangers:
        errors["exclude"] = [_("学生 %(ids)s 不在本班。") % {"ids": ", ".join(map(str, strangers))}]
    missing_reason = [row["student"].name for row in rows if row["student"].pk in exclude and not exclude[row["student"].pk]]
    if missing_reason:
        errors.setdefault("exclude", []).append(_("请填写不予毕业的原因：%(names)s") % {"names": "、".join(missing_reason)})
    limit = GraduationEntry._meta.get_field("exclude_reason").max_length
    too_long = [row["student"].name for row in rows if len(exclude.get(row["student"].pk, "")) > limit]
    if too_long:
        errors.setdefault("exclude", []).append(
            _("不予毕业的原因不能超过%(limit)d个字：%(names)s") % {"limit": limit, "names": "、".join(too_long)}
        )
    included = [row for row in rows if row["student"].pk not in exclude]
    if not included:
        errors.setdefault("exclude", []).append(_("全班都不予毕业时无需办理毕业。"))
    if errors:
        raise ValidationError(errors)
    blockers = [
        _("%(name)s（%(number)s）：%(why)s") % {"name": r["student"].name, "number": r["student"].student_number, "why": "；".join(r["blockers"])}
        for r in included
        if r["blockers"]
    ]
    if blockers:
        raise Conflict(blockers, code="graduation_blocked")
    numbers = {r["student"].pk: certificates.get(r["student"].pk) or r["proposed"] for r in included}
    _check_numbers(numbers, {r["student"].pk: r["student"] for r in included})
    request = request_start(
        GraduationFlow,
        by=by,
        students=[r["student"] for r in included],
        school=school_class.school,
        school_class=school_class,
        year=year,
        reason=_("%(class)s %(year)d 年毕业，%(n)d 人毕业，%(x)d 人不予毕业")
        % {"class": school_class.name, "year": year, "n": len(included), "x": len(exclude)},
    )
    GraduationEntry.objects.bulk_create(
        [
            GraduationEntry(
                request=request, student=row["student"],
                certificate_number="" if row["student"].pk in exclude else numbers[row["student"].pk],
                excluded=row["student"].pk in exclude, exclude_reason=exclude.get(row["student"].pk, ""),
            )
            for row in rows
        ]
    )
    return request


def _check_numbers(numbers: dict[int, str], students: dict[int, Student]) -> None:
    """Unique system-wide: not issued, not proposed by another open request, not twice here."""
    errors = []
    bad = [students[pk].name for pk, n in numbers.items() if not CERTIFICATE_NUMBER.match(n)]
    if bad:
        errors.append(_("毕业证书编号只能由4至32位数字、字母或“-”组成：%(names)s") % {"names": "、".join(bad)})
    values = list(numbers.values())
    twice = sorted(n for n, times in Counter(values).items() if times > 1)
    if twice:
        errors.append(_("毕业证书编号重复：%(numbers)s") % {"numbers": "、".join(twice)})
    issued = set(GraduationCertificate.objects.filter(number__in=values).values_list("number", flat=True))
    proposed = set(
        GraduationEntry.objects.filter(request__state=Request.State.OPEN, certificate_number__in=values).values_list(
            "certificate_number", flat=True
        )
    )
    if issued | proposed:
        errors.append(_("毕业证书编号已被使用：%(numbers)s") % {"numbers": "、".join(sorted(issued | proposed))})
    if errors:
        raise ValidationError({"certificates": errors})


class GraduationStartView(SignedInMixin, TemplateView):
    """The class's roster with blockers and proposed certificate numbers; exclusions with reasons."""

    template_name = "flows/graduation_start.html"

    def check_access(self, request, *args, **kwargs):
        self.school_class = get_object_or_404(selectors.classes_visible_to(request.user), pk=kwargs["pk"])
        school_registrar(request.user, self.school_class.school_id)

    def get_context_data(self, **kwargs):
        rows = graduation_roster(self.school_class)
        posted = self.request.POST if self.request.method == "POST" else {}
        for row in rows:
            pk = row["student"].pk
            row["number"] = posted.get(f"number_{pk}", row["proposed"])
            row["excluded"] = bool(posted.get(f"exclude_{pk}")) if posted else bool(row["blockers"])
            row["reason"] = posted.get(f"reason_{pk}", "")
        return super().get_context_data(
            school_class=self.school_class, rows=rows, title=_("毕业：%(name)s") % {"name": self.school_class.name}, **kwargs
        )

    def post(self, request, *args, **kwargs):
        ids = [row["student"].pk for row in graduation_roster(self.school_class)]
        exclude = {pk: request.POST.get(f"reason_{pk}", "") for pk in ids if request.POST.get(f"exclude_{pk}")}
        certificates = {pk: request.POST.get(f"number_{pk}", "") for pk in ids if pk not in exclude}
        try:
            with transaction.atomic():
                req = graduation_start(
                    school_class=self.school_class, by=request.user, exclude=exclude, certificates=certificates
                )
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(errors=error.messages))
        messages.success(request, _("毕业申请已提交（#%(pk)d），等待教育局审批。") % {"pk": req.pk})
        return redirect("request_detail", pk=req.pk)


class GraduationExclusionSerializer(serializers.Serializer):
    student = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(allow_blank=True, max_length=200)


class GraduationStart(StartSerializer):
    """毕业 of one of your graduating classes. Students in `exclude` stay enrolled with their reason;
    `certificates` maps a student id to its certificate number (the proposed number where absent)."""

    kind_value = Request.Kind.GRADUATION
    class_code = ClassCodeField()
    exclude = GraduationExclusionSerializer(many=True, required=False, default=list)
    certificates = serializers.DictField(child=serializers.CharField(max_length=32), required=False, default=dict)
