"""Term work on the pages: the school's and the bureau's overview, a class's term, the class
teacher's head count and comments, the subject teacher's grades.

Thin: each page reads the posted rows, calls one service and redirects; what a user may see and
write is the selectors' answer, and the services check it again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from .. import selectors, services
from ..models import CLASS_ROLES, COMMENT_MAX_LENGTH, HeadCount, Level, Role
from ..selectors.term_work import check_states, subjects_taught_in, terms_of_class
from ..subjects import Subject
from ..term_deadlines import entry_schedule, term_current, term_current_or_last

PAGE_SIZE = 50


def _row_errors(error: ValidationError) -> tuple[dict[int, list[str]], list[str]]:
    """A service's refusal as {student id: [messages]} and the messages of the whole entry."""
    rows, general = {}, []
    if hasattr(error, "error_dict"):
        for key, errors in error.message_dict.items():
            if key.isdigit():
                rows[int(key)] = errors
            else:
                general.extend(errors)
    else:
        general.extend(error.messages)
    return rows, general


class CountedPaginator(Paginator):
    """A paginator told the count, which the page has from a query it needs anyway."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


class ClassPageMixin(LoginRequiredMixin):
    """A class the user may see (404 otherwise), with the term its page is about: ?term=, or the
    term of today, or between terms the last one."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.school_class = get_object_or_404(selectors.classes_visible_to(request.user), pk=kwargs["pk"])
        self.today = timezone.localdate()
        self.terms = list(terms_of_class(self.school_class, day=self.today))
        self.current = term_current(self.school_class.school.bureau_id, self.today)
        chosen = request.GET.get("term", "")
        if chosen:
            self.term = next((term for term in self.terms if str(term.pk) == chosen), None)
            if self.term is None:
                raise Http404
        else:
            self.term = self.current or term_current_or_last(self.school_class.school.bureau_id, self.today)
        return super().dispatch(request, *args, **kwargs)

    @property
    def in_current_term(self) -> bool:
        """Entries are written in the term that is running, and only then."""
        return self.current is not None and self.term == self.current

    def get_context_data(self, **kwargs):
        return super().get_context_data(school_class=self.school_class, term=self.term, terms=self.terms, **kwargs)


class TermWorkView(LoginRequiredMixin, TemplateView):
    """学期工作: the school's classes (a bureau's: every school's in its region) and how far each
    has got this term. A teacher's is their class's page."""

    template_name = "records/term_work/overview.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = selectors.membership_of(request.user)
        if membership and membership.role in CLASS_ROLES:
            return redirect("class_term_work", pk=membership.school_class_id)
        if membership is None and not request.user.is_superuser:
            raise PermissionDenied(_("您的账号没有分配角色，请联系系统管理员。"))
        self.region_wide = membership is None or membership.role in (Role.BUREAU_OFFICER, Role.ADMIN)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        schools = list(selectors.schools_visible_to(user).values_list("identifier", "name"))
        school = self.request.GET.get("school", "")
        if school not in {identifier for identifier, _name in schools}:
            school = ""
        # A bureau looks for the classes that have not checked; a school at all of its own.
        show = self.request.GET.get("show") or ("unchecked" if self.region_wide else "all")
        totals = selectors.term_work_totals(user, day=today, school=school)
        unchecked_only = show == "unchecked"
        classes = selectors.term_work_classes(user, day=today, school=school, unchecked_only=unchecked_only)
        # The totals have counted the list already: no second COUNT over every class of a province.
        count = totals["unchecked" if unchecked_only else "all"]
        page = CountedPaginator(classes, PAGE_SIZE, count=count).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            rows=selectors.term_work_rows(page.object_list, day=today),
            page_obj=page,
            totals=totals,
            schools=schools if len(schools) > 1 else [],
            school=school,
            show=show,
            query=query.urlencode(),
            region_wide=self.region_wide,
            today=today,
            **kwargs,
        )


class ClassTermWorkView(ClassPageMixin, TemplateView):
    """本学期工作 of one class: its two head counts, its grades by subject, its comments."""

    template_name = "records/term_work/class_term.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.term is not None:
            context.update(
                work=selectors.class_term_work(self.school_class, self.term, day=self.today),
                is_class_teacher=selectors.is_class_teacher_of(self.request.user, self.school_class),
                my_subject=selectors.subject_taught_by(self.request.user, self.school_class),
            )
        return context


class HeadCountView(ClassPageMixin, TemplateView):
    """人数核对: the class teacher ticks who on the roster is not in class, names anyone in class
    who is not on it, enters the real count and, where they differ, explains why."""

    template_name = "records/term_work/head_count.html"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["point"] not in HeadCount.Point.values:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def _check(self):
        if not selectors.is_class_teacher_of(self.request.user, self.school_class):
            raise PermissionDenied(_("只有本班班主任可以核对本班人数。"))
        if self.term is None:
            raise Http404

    def get(self, request, *args, **kwargs):
        self._check()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.pop("point", None)  # the URL's; the page's is below
        point = self.kwargs["point"]
        state = next(s for s in check_states(self.school_class, self.term, self.today) if s.point == point)
        done = state.head_count
        posted = self.request.POST if self.request.method == "POST" else None
        if posted is not None:
            missing = {int(pk) for pk in posted.getlist("missing") if pk.isdigit()}
            values = {key: posted.get(key, "") for key in ("actual_count", "extras", "explanation")}
        elif done is not None:
            missing = {row["id"] for row in done.missing}
            values = {"actual_count": done.actual_count, "extras": "\n".join(done.extras), "explanation": done.explanation}
        else:
            missing, values = set(), {"actual_count": "", "extras": "", "explanation": ""}
        return super().get_context_data(
            point=point, point_label=HeadCount.Point(point).label, state=state,
            roster=selectors.class_roster(self.school_class), missing=missing, values=values, **kwargs
        )

    def post(self, request, *args, **kwargs):
        self._check()
        raw = request.POST.get("actual_count", "").strip()
        try:
            head_count = services.head_count_confirm(
                school_class=self.school_class,
                term=self.term,
                point=self.kwargs["point"],
                actual_count=int(raw) if raw.lstrip("-").isdigit() else (raw or None),
                missing=[int(pk) for pk in request.POST.getlist("missing") if pk.isdigit()],
                extras=request.POST.get("extras", "").splitlines(),
                explanation=request.POST.get("explanation", ""),
                by=request.user,
            )
        except ValidationError as error:
            fields = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            return self.render_to_response(self.get_context_data(errors=fields))
        messages.success(
            request,
            _("%(point)s人数核对已确认：名册 %(roster)d 人，实到 %(actual)d 人。")
            % {"point": head_count.get_point_display(), "roster": head_count.roster_count, "actual": head_count.actual_count},
        )
        return redirect("class_term_work", pk=self.school_class.pk)


class ClassGradesView(ClassPageMixin, TemplateView):
    """等级成绩: the subject teacher enters a level for every student of the class at once; anyone
    else who sees the class reads every subject's levels."""

    template_name = "records/term_work/grades.html"

    def editing(self) -> str | None:
        """The subject the user enters now: theirs, in the current term, while it is open."""
        subject = selectors.subject_taught_by(self.request.user, self.school_class)
        return subject if subject and self.in_current_term else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        subject = self.editing()
        if self.term is None:
            return context
        if subject:
            subjects = [subject]
        else:
            mine = selectors.subject_taught_by(self.request.user, self.school_class)
            subjects = [mine] if mine else subjects_taught_in([self.school_class.pk], self.term).get(self.school_class.pk, [])
        rows = selectors.grade_sheet(self.school_class, self.term, subjects)
        posted = self.request.POST if self.request.method == "POST" else {}
        row_errors = kwargs.pop("row_errors", {})
        context.update(
            subject=subject,
            subject_label=Subject(subject).label if subject else "",
            subjects=[(s, Subject(s).label) for s in subjects],
            levels=[str(level.label) for level in Level],
            schedule=entry_schedule(self.term),
            rows=[
                {
                    "student": student,
                    "grades": [grades.get(s) for s in subjects],
                    "value": posted.get(f"level_{student.pk}", grades[subject].get_level_display() if subject in grades else ""),
                    "errors": row_errors.get(student.pk, []),
                }
                for student, grades in rows
            ],
            **kwargs,
        )
        return context

    def post(self, request, *args, **kwargs):
        subject = self.editing()
        if subject is None:
            raise PermissionDenied(_("只有本班该学科的任课教师可以在学期内录入成绩。"))
        roster = selectors.class_roster(self.school_class)
        levels = {student.pk: request.POST.get(f"level_{student.pk}", "") for student in roster}
        try:
            changed = services.grades_record(
                school_class=self.school_class, term=self.term, subject=subject, levels=levels, by=request.user
            )
        except ValidationError as error:
            rows, general = _row_errors(error)
            return self.render_to_response(self.get_context_data(row_errors=rows, errors=[*general, *[m for ms in rows.values() for m in ms]]))
        messages.success(
            request, _("%(subject)s成绩已保存（%(changed)d 人有变更）。") % {"subject": Subject(subject).label, "changed": changed}
        )
        return redirect("class_grades", pk=self.school_class.pk)


class ClassCommentsView(ClassPageMixin, TemplateView):
    """期末评语: the class teacher writes one comment per student, editable until the term ends."""

    template_name = "records/term_work/comments.html"

    def editing(self) -> bool:
        return self.in_current_term and selectors.is_class_teacher_of(self.request.user, self.school_class)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.term is None:
            return context
        posted = self.request.POST if self.request.method == "POST" else {}
        row_errors = kwargs.pop("row_errors", {})
        context.update(
            editing=self.editing(),
            schedule=entry_schedule(self.term),
            max_length=COMMENT_MAX_LENGTH,
            rows=[
                {
                    "student": student,
                    "comment": comment,
                    "value": posted.get(f"comment_{student.pk}", comment.text if comment else ""),
                    "errors": row_errors.get(student.pk, []),
                }
                for student, comment in selectors.comment_sheet(self.school_class, self.term)
            ],
            **kwargs,
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.editing():
            raise PermissionDenied(_("只有本班班主任可以在学期结束前填写期末评语。"))
        roster = selectors.class_roster(self.school_class)
        texts = {student.pk: request.POST.get(f"comment_{student.pk}", "") for student in roster}
        try:
            changed = services.comments_record(school_class=self.school_class, term=self.term, texts=texts, by=request.user)
        except ValidationError as error:
            rows, general = _row_errors(error)
            return self.render_to_response(self.get_context_data(row_errors=rows, errors=[*general, *[m for ms in rows.values() for m in ms]]))
        messages.success(request, _("期末评语已保存（%(changed)d 人有变更）。") % {"changed": changed})
        return redirect("class_comments", pk=self.school_class.pk)
