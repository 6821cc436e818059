"""What every endpoint of the API shares: ordering and validated query filters; and what the
report endpoints share: the pages' filter forms and who may read them."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, filters, serializers

from ..selectors import statistics_visible_to


class Ordering(filters.OrderingFilter):
    """?ordering=name,-birth_date over the view's `ordering_fields`: a dict of API name → ORM path.

    Unknown names are ignored (REST framework's way); the primary key breaks ties, so that pages
    neither repeat nor skip a row.
    """

    def get_ordering(self, request, queryset, view):
        fields = getattr(view, "ordering_fields", {})
        ordering = []
        for term in request.query_params.get(self.ordering_param, "").split(","):
            term = term.strip()
            name = term.lstrip("-")
            if name in fields:
                ordering.append(("-" if term.startswith("-") else "") + fields[name])
        return [*ordering, "pk"] if ordering else None

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_schema_operation_parameters(self, view):
        names = ", ".join(getattr(view, "ordering_fields", {}))
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"comma-separated, `-` for descending: {names}",
                "schema": {"type": "string"},
            }
        ]


def query_filters(request, serializer_class) -> dict:
    """The list's query parameters, validated (400 on a bad value), blanks dropped."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return {key: value for key, value in serializer.validated_data.items() if value not in ("", None)}


def valid_form(form_class, request):
    """A page's filter form over the query (the report pages' forms know whose choices are whose):
    its errors are a 400, field by field."""
    form = form_class(request.query_params, user=request.user)
    if not form.is_valid():
        raise exceptions.ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
    return form


def require_report_reader(user) -> None:
    """The reports' endpoints: bureau officers, a school's registrar and academic office."""
    if not statistics_visible_to(user):
        raise exceptions.PermissionDenied(_("学籍统计供教育局审批人员、学校学籍管理员和教导处查看。"))


class FocusFilterSerializer(serializers.Serializer):
    """The region and school filter of the reports (for the schema; records.focus_filter validates it)."""

    region = serializers.CharField(required=False, help_text="GB/T 2260 code of a region below yours (city or province officers)")
    school = serializers.CharField(required=False, help_text="school identifier, within a county")
