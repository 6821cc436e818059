"""The class list, a class with its roster, and the school's own operations on a class (rename,
merge, dissolve: no approval)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from .. import selectors
from ..forms import ClassFilterForm
from ..models import SchoolClass
from ..names import by_name
from ..services import class_dissolve, class_merge, class_rename
from .access import SignedInMixin, school_registrar

PAGE_SIZE = 50


class ClassListView(SignedInMixin, ListView):
    template_name = "records/class_list.html"
    context_object_name = "classes"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        data = self.request.GET.copy()
        data.setdefault("state", SchoolClass.State.OPEN)
        self.filter_form = ClassFilterForm(data, user=self.request.user)
        classes = selectors.classes_with_size(self.request.user)
        return self.filter_form.filter(classes).order_by(
            "school__identifier", "grade", "sequence"
        )

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filter_form=self.filter_form, query=query.urlencode(), **kwargs)


class ClassDetailView(SignedInMixin, DetailView):
    template_name = "records/class_detail.html"
    context_object_name = "school_class"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.classes_with_size(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        roster = selectors.student_search(self.request.user, class_code=self.object.code)
        return super().get_context_data(roster=roster.order_by(by_name(), "pk"), **kwargs)


class ClassOperationView(SignedInMixin, View):
    """Rename, merge into another class of the grade, or dissolve an empty class: no approval."""

    def post(self, request, pk, operation):
        school_class = get_object_or_404(selectors.classes_visible_to(request.user), pk=pk)
        school_registrar(request.user, school_class.school_id)
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
