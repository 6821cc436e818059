"""Pages of the year end: graduate a class, take primary graduates into a middle school, roll the
school year over (with a progress bar), the whole-class operations, and the public check of a
graduation certificate. Thin, as flows/views.py: read the form, call one service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from records import selectors
from records.models import Role, Rollover, School, SchoolClass
from records.services.rollover import rollover_plan, rollover_progress, rollover_queue, rollover_undo, rollover_undo_blockers
from records.services import class_dissolve, class_merge, class_rename

from .year_end import PROMOTION_GRADE, graduation_roster, graduation_start, promotion_start


def _registrar_of(user, school_id) -> None:
    membership = selectors.membership_of(user)
    if not (membership and membership.role == Role.REGISTRAR and membership.school_id == school_id):
        raise PermissionDenied(_("只有本校学籍管理员可以办理。"))


def _errors(error: ValidationError) -> list[str]:
    return error.messages


class GraduationStartView(LoginRequiredMixin, TemplateView):
    """The class's roster with blockers and proposed certificate numbers; exclusions with reasons."""

    template_name = "flows/graduation_start.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.school_class = get_object_or_404(selectors.classes_visible_to(request.user), pk=kwargs["pk"])
        _registrar_of(request.user, self.school_class.school_id)
        return super().dispatch(request, *args, **kwargs)

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
            return self.render_to_response(self.get_context_data(errors=_errors(error)))
        messages.success(request, _("毕业申请已提交（#%(pk)d），等待教育局审批。") % {"pk": req.pk})
        return redirect("request_detail", pk=req.pk)


class PromotionStartView(LoginRequiredMixin, TemplateView):
    """A middle-school registrar searches the region's primary graduates, ticks many, picks classes."""

    template_name = "flows/promotion_start.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = selectors.membership_of(request.user)
        if not (membership and membership.role == Role.REGISTRAR and PROMOTION_GRADE in membership.school.grades):
            raise PermissionDenied(_("只有初级中学的学籍管理员可以办理升学。"))
        self.school = membership.school
        return super().dispatch(request, *args, **kwargs)

    def classes(self):
        return SchoolClass.objects.filter(school=self.school, grade=PROMOTION_GRADE, state=SchoolClass.State.OPEN).order_by("sequence")

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
            return self.render_to_response(self.get_context_data(errors=_errors(error)))
        messages.success(request, _("升学申请已提交（#%(pk)d），等待教育局审批。") % {"pk": req.pk})
        return redirect("request_detail", pk=req.pk)


# --- Rollover ------------------------------------------------------------------------------------


def _rollover_scope(user) -> dict:
    membership = selectors.membership_of(user)
    if membership and membership.role == Role.BUREAU_OFFICER:
        return {"bureau": membership.bureau}
    if membership and membership.role == Role.REGISTRAR:
        return {"school": membership.school}
    raise PermissionDenied(_("学年升级由教育局审批人员或学校学籍管理员办理。"))


def default_school_year() -> int:
    today = timezone.localdate()
    return today.year if today.month >= 7 else today.year - 1


class RolloverView(LoginRequiredMixin, TemplateView):
    """The preview of every class before and after; confirming queues the batch."""

    template_name = "records/rollover.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = _rollover_scope(request.user)
        return super().dispatch(request, *args, **kwargs)

    def school_year(self) -> int:
        try:
            return int(self.request.POST.get("school_year") or self.request.GET.get("school_year") or default_school_year())
        except ValueError:
            return default_school_year()

    def get_context_data(self, **kwargs):
        year = self.school_year()
        return super().get_context_data(
            plan=rollover_plan(school_year=year, **self.scope), school_year=year,
            scope=self.scope.get("bureau") or self.scope.get("school"),
            rollovers=selectors.rollovers_visible_to(self.request.user)[:10], **kwargs
        )

    def post(self, request, *args, **kwargs):
        try:
            rollover = rollover_queue(school_year=self.school_year(), by=request.user, **self.scope)
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(errors=_errors(error)))
        return redirect("rollover_detail", pk=rollover.pk)


class RolloverDetailView(LoginRequiredMixin, TemplateView):
    template_name = "records/rollover_detail.html"

    def get_context_data(self, **kwargs):
        rollover = get_object_or_404(selectors.rollovers_visible_to(self.request.user), pk=self.kwargs["pk"])
        rows = rollover.classes.select_related("school_class__school").order_by("school_class__school__identifier", "new_grade")
        undo_blockers = rollover_undo_blockers(rollover) if rollover.state == Rollover.State.APPLIED else []
        return super().get_context_data(
            rollover=rollover, rows=rows, progress=rollover_progress(rollover), undo_blockers=undo_blockers, **kwargs
        )


class RolloverProgressView(LoginRequiredMixin, View):
    """The progress bar's JSON: state, classes done of total, finished."""

    def get(self, request, pk):
        rollover = get_object_or_404(selectors.rollovers_visible_to(request.user), pk=pk)
        return JsonResponse(rollover_progress(rollover))


class RolloverUndoView(LoginRequiredMixin, View):
    def post(self, request, pk):
        rollover = get_object_or_404(selectors.rollovers_visible_to(request.user), pk=pk)
        try:
            rollover_undo(rollover=rollover, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("学年升级已撤销，各班级已恢复原年级和编码。"))
        return redirect("rollover_detail", pk=pk)


# --- Whole-class operations ---------------------------------------------------------------------


class ClassOperationView(LoginRequiredMixin, View):
    """Rename, merge into another class of the grade, or dissolve an empty class: no approval."""

    def post(self, request, pk, operation):
        school_class = get_object_or_404(selectors.classes_visible_to(request.user), pk=pk)
        _registrar_of(request.user, school_class.school_id)
        try:
            if operation == "rename":
                class_rename(school_class=school_class, name=request.POST.get("name", ""), by=request.user)
                messages.success(request, _("班级已改名。"))
            elif operation == "merge":
                into = get_object_or_404(SchoolClass, pk=request.POST.get("into") or 0, school_id=school_class.school_id)
                class_merge(source=school_class, into=into, by=request.user)
                messages.success(request, _("已并入“%(name)s”。") % {"name": into.name})
                return redirect("class_detail", pk=into.pk)
            elif operation == "dissolve":
                class_dissolve(school_class=school_class, by=request.user)
                messages.success(request, _("班级已撤销。"))
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("class_detail", pk=pk)


# --- The public check of a graduation certificate ------------------------------------------------

VERIFY_LIMIT = 20  # look-ups per client address
VERIFY_WINDOW = 600  # seconds


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def certificate_verify_view(request):
    """毕业证书查验: the number and the holder's name; answers only name, school, year and
    valid/invalid. Rate limited per client address, so numbers cannot be tried in bulk."""
    from records.selectors import certificate_verify

    context = {"number": request.GET.get("number", "").strip(), "name": request.GET.get("name", "").strip()}
    if context["number"] or context["name"]:
        key = f"certificate-verify:{_client_address(request)}"
        cache.add(key, 0, VERIFY_WINDOW)
        if cache.incr(key) > VERIFY_LIMIT:
            return render(request, "records/certificate_verify.html", {**context, "limited": True}, status=429)
        certificate = certificate_verify(number=context["number"], name=context["name"])
        context["checked"] = True
        if certificate:
            context["result"] = {
                "name": certificate.student.name, "school": certificate.school.name, "year": certificate.year,
            }
    return render(request, "records/certificate_verify.html", context)
