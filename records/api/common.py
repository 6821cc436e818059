"""What every endpoint of the API shares: ordering and validated query filters."""

from __future__ import annotations

from rest_framework import filters



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
