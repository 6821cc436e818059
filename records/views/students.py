"""The home page per role, the student list, a student's whole record and its direct edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, TemplateView

from .. import selectors, services
from ..forms import (
    FamilyMemberForm,
    ReassignClassForm,
    StudentEditForm,
    StudentFilterForm,
    form_errors_from,
)
from ..history import student_history
from ..models import CLASS_ROLES, Role, Student
from ..record_form import STUDENT_CODE_FIELDS, student_record_groups
from .access import SignedInMixin, school_registrar

PAGE_SIZE = 50


class HomeView(SignedInMixin, TemplateView):
    """One page per role: the school's counts, the teacher's class, the bureau's schools."""

    template_name = "records/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        membership = selectors.membership_of(user)
        role = membership.role if membership else (Role.ADMIN if user.is_superuser else None)
        context.update(membership=membership, role=role, Role=Role)
        if role in (Role.REGISTRAR, Role.ACADEMIC_OFFICE, Role.PRINCIPAL):
            context["school"] = selectors.schools_with_counts(user).first()
        elif role in CLASS_ROLES:
            context["school_class"] = selectors.classes_with_size(user).first()
        elif role == Role.BUREAU_OFFICER:
            counts = selectors.student_status_counts(user)
            context["totals"] = {status: counts.get(status, 0) for status in Student.Status.values}
            schools = selectors.schools_with_counts(user).order_by("region__code", "identifier")
            context["schools_page"] = Paginator(schools, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return context


class StudentListView(SignedInMixin, TemplateView):
    """The list, 50 a page: numbered pages first, then pages after a row (selectors.pages says why)."""

    template_name = "records/student_list.html"

    def get_context_data(self, **kwargs):
        get = self.request.GET
        filter_form = StudentFilterForm(get, user=self.request.user)
        search = filter_form.search_arguments()
        students = selectors.student_search(self.request.user, **search)
        try:
            page = selectors.student_list_page(
                students, selectors.students_with_current_class, page=get.get("page"), after=get.get("after"),
                before=get.get("before"), exact=get.get("exact") == "1", searching=bool(search.get("q")),
                page_size=PAGE_SIZE,
            )
        except selectors.BadPage:
            raise Http404 from None
        query = get.copy()
        for moving in ("page", "after", "before"):
            query.pop(moving, None)
        exact_query = query.copy()
        exact_query["exact"] = "1"
        return super().get_context_data(
            filter_form=filter_form, students=page.rows, page=page, query=query.urlencode(),
            exact_query=exact_query.urlencode(), **kwargs,
        )


class StudentDetailView(SignedInMixin, DetailView):
    """The whole record; someone who may not see the student gets a 404, not a 403, so that
    record numbers of other schools cannot be probed."""

    template_name = "records/student_detail.html"
    context_object_name = "student"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # Not a bare 404 for the school (or class) the student has left: when and why, and its
            # own part of the history; never where the student went (selectors.former).
            former = selectors.student_left_from(request.user, kwargs["pk"])
            if former is None:
                raise
            return TemplateResponse(request, "records/student_left.html", {"former": former}, status=404)

    def get_object(self, queryset=None):
        students = selectors.students_visible_to(self.request.user).select_related(
            *STUDENT_CODE_FIELDS, "dropout_reason", "possible_duplicate_of__school"
        )
        return get_object_or_404(students, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        student = self.object
        visible = selectors.students_visible_to(self.request.user)
        duplicate = student.possible_duplicate_of
        shown = selectors.identity_shown_to(self.request.user)
        return super().get_context_data(
            groups=student_record_groups(student, shown),
            family_members=student.family_members.select_related("relationship", "ethnicity", "id_type"),
            placements=student.placements.select_related("school", "school_class").order_by("-started_on", "-id"),
            history=student_history(student, shown),
            duplicate_visible=bool(duplicate and visible.filter(pk=duplicate.pk).exists()),
            **kwargs,
        )


class StudentEditView(SignedInMixin, TemplateView):
    """The school edits what needs no approval; key information goes through a request."""

    template_name = "records/student_edit.html"
    EDITOR_ROLES = (Role.REGISTRAR, Role.ACADEMIC_OFFICE)

    def check_access(self, request, *args, **kwargs):
        self.student = get_object_or_404(selectors.students_visible_to(request.user), pk=kwargs["pk"])
        membership = selectors.membership_of(request.user)
        if not (membership and membership.role in self.EDITOR_ROLES and membership.school_id == self.student.school_id):
            raise PermissionDenied(_("只有学籍所在学校的学籍管理员或教导处可以修改学生信息。"))
        if self.student.status == Student.Status.DECEASED:
            raise PermissionDenied(_("该生学籍已注销，不能修改。"))

    def forms(self):
        data = self.request.POST if self.request.method == "POST" else None
        files = self.request.FILES if self.request.method == "POST" else None
        members = {member.position: member for member in self.student.family_members.all()}
        return {
            "form": StudentEditForm(data, files, instance=Student.objects.get(pk=self.student.pk)),
            "family1": FamilyMemberForm(data, prefix="family1", instance=members.get(1)),
            "family2": FamilyMemberForm(data, prefix="family2", instance=members.get(2), optional=True),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(student=self.student, **{**self.forms(), **kwargs})

    def post(self, request, *args, **kwargs):
        forms = self.forms()
        family = [forms["family1"]] if forms["family2"].is_blank() else [forms["family1"], forms["family2"]]
        if all([forms["form"].is_valid(), *[member.is_valid() for member in family]]):
            changed = {name: forms["form"].cleaned_data[name] for name in forms["form"].changed_data}
            family_changed = any(member.has_changed() for member in family) or (
                forms["family2"].is_blank() and self.student.family_members.filter(position=2).exists()
            )
            try:
                with transaction.atomic():
                    if changed:
                        services.student_update(student=self.student, data=changed, by=request.user)
                    if family_changed:
                        services.family_members_replace(
                            student=self.student, members=[member.cleaned_data for member in family], by=request.user
                        )
            except ValidationError as error:
                target = forms["family1"] if "family_members" in getattr(error, "message_dict", {}) else forms["form"]
                form_errors_from(target, error)
            else:
                messages.success(request, _("学生信息已保存，修改已记入变更记录。") if changed or family_changed else _("没有修改。"))
                return redirect("student_detail", pk=self.student.pk)
        return self.render_to_response(self.get_context_data(**forms))


class StudentReassignView(SignedInMixin, FormView):
    """重新分班: the registrar moves the student to another class of the same grade, no approval."""

    template_name = "records/student_reassign.html"
    form_class = ReassignClassForm

    def check_access(self, request, *args, **kwargs):
        self.student = get_object_or_404(selectors.students_visible_to(request.user), pk=kwargs["pk"])
        school_registrar(request.user, self.student.school_id)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "student": self.student}

    def get_context_data(self, **kwargs):
        return super().get_context_data(student=self.student, placement=self.student.open_placement, **kwargs)

    def form_valid(self, form):
        try:
            placement = services.student_reassign_class(
                student=self.student, to_class=form.cleaned_data["to_class"], by=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_errors_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("已调入%(name)s，已记入在班记录。") % {"name": placement.school_class.name})
        return redirect("student_detail", pk=self.student.pk)
