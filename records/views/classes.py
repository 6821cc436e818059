"""The class list and a class with its roster."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from .. import selectors
from ..forms import (
    ClassFilterForm,
)
from ..models import SchoolClass

PAGE_SIZE = 50


class ClassListView(LoginRequiredMixin, ListView):
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


class ClassDetailView(LoginRequiredMixin, DetailView):
    template_name = "records/class_detail.html"
    context_object_name = "school_class"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.classes_with_size(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        roster = selectors.student_search(self.request.user, class_code=self.object.code)
        return super().get_context_data(roster=roster.order_by("name", "pk"), **kwargs)
