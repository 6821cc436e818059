"""控辍保学: the list of dropped-out children of compulsory-education age, and one child's follow-ups.

The list reads through records.selectors, scoped by who asks, and offers the same rows as xlsx
(?format=xlsx) with its filters.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import TemplateView

from .. import selectors, services
from ..dropout_forms import DropoutFilterForm, FollowUpForm
from ..forms import form_errors_from
from ..models import DropoutFollowUp
from ..school_age import age_on
from ..workbooks import Sheet, page_query, wants_xlsx, workbook_response, xlsx_url
from .access import ReportReaderMixin, SignedInMixin

PAGE_SIZE = 50

DROPOUT_HEADER = (
    "学籍号", "姓名", "性别", "出生日期", "年龄", "学校", "县（市、区）", "流失原因", "转往地", "离校日期", "跟踪次数",
    "最近跟踪日期", "最近跟踪结果",
)
MAY_NOT_FOLLOW_UP = _lazy("只有学生学籍所在学校的学籍管理员和辖区教育局的审批人员可以填写跟踪记录。")


def _dropout_rows(students, day) -> list[list]:
    return [
        [
            s.student_number, s.name, s.gender.name, f"{s.birth_date:%Y-%m-%d}", age_on(s.birth_date, day),
            s.school.name, s.school.region.name, s.dropout_reason.name if s.dropout_reason else "",
            s.dropout_destination, f"{s.left_on:%Y-%m-%d}" if s.left_on else "", s.follow_up_count,
            f"{s.last_follow_up_on:%Y-%m-%d}" if s.last_follow_up_on else "",
            str(DropoutFollowUp.Result(s.last_result).label) if s.last_result else _("尚未跟踪"),
        ]
        for s in students
    ]


class DropoutListView(ReportReaderMixin, TemplateView):
    """控辍保学: dropped-out students of compulsory-education age, with their follow-ups."""

    template_name = "records/dropout_list.html"
    refusal = _lazy("控辍保学名单供教育局审批人员、学校学籍管理员和教导处查看。")

    def get(self, request, *args, **kwargs):
        form = DropoutFilterForm(request.GET, user=request.user)
        focus = form.focus()
        students = selectors.dropout_search(request.user, focus=focus, **form.search_arguments())
        today = timezone.localdate()
        if wants_xlsx(request):
            caption = [
                _("控辍保学名单：%(name)s") % {"name": focus.name},
                _("义务教育阶段（6—15周岁）流失学生，含转至市外/省外/境外。导出时间：%(now)s") % {"now": f"{timezone.localtime():%Y-%m-%d %H:%M}"},
            ]
            header = [_(title) for title in DROPOUT_HEADER]
            return workbook_response(
                f"控辍保学名单-{focus.name}.xlsx",
                [Sheet(title=_("控辍保学名单"), header=header, rows=_dropout_rows(students, today), caption=caption)],
            )
        page = Paginator(students, PAGE_SIZE).get_page(request.GET.get("page"))
        for student in page:
            student.age = age_on(student.birth_date, today)
        query = page_query(request)
        return self.render_to_response(
            self.get_context_data(
                filter_form=form, focus=focus, page_obj=page, students=page, query=query,
                reason_counts=sorted(selectors.dropout_reason_counts(students).items()),
                xlsx_url=xlsx_url(query),
            )
        )


class DropoutDetailView(SignedInMixin, TemplateView):
    """One student's follow-ups: everyone who may see the student reads them; the school's
    registrar and the region's bureau officers add one."""

    template_name = "records/dropout_detail.html"

    def check_access(self, request, *args, **kwargs) -> None:
        self.student = get_object_or_404(
            selectors.students_visible_to(request.user).select_related("school__region", "dropout_reason"), pk=kwargs["pk"]
        )

    def get_context_data(self, form=None, **kwargs):
        writable = selectors.may_follow_up(self.request.user, self.student)
        if form is None and writable:
            form = FollowUpForm(user=self.request.user)
        return super().get_context_data(
            student=self.student, follow_ups=selectors.follow_ups_of(self.request.user, self.student),
            form=form if writable else None, last_placement=services.student_last_placement(self.student),
            age=age_on(self.student.birth_date, timezone.localdate()), **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = FollowUpForm(request.POST, user=request.user)
        if not selectors.may_follow_up(request.user, self.student):
            raise PermissionDenied(MAY_NOT_FOLLOW_UP)
        if form.is_valid():
            try:
                services.follow_up_add(student=self.student, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, _("跟踪记录已保存。"))
                return redirect("dropout_detail", pk=self.student.pk)
        return self.render_to_response(self.get_context_data(form=form))
