"""学籍统计 on the API: the same selectors and filters as the page.

The page's filter form reads the query, so a region or school outside the user's is refused
here as there (400).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from records.api import FocusFilterSerializer, require_report_reader, valid_form

from ..forms import StatisticsFilterForm
from ..selectors import STATUSES, Change, Row, statistics


class StatisticsFilterSerializer(FocusFilterSerializer):
    grade = serializers.IntegerField(required=False, min_value=1, max_value=12)
    term = serializers.CharField(required=False, help_text="term name; empty for all time; omitted for the current term")


class CountRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="school identifier, region code, or grade")
    name = serializers.CharField()
    students = serializers.DictField(child=serializers.IntegerField(), help_text="by status")
    changes = serializers.DictField(child=serializers.IntegerField(), help_text="by kind of change")


class StatisticsSerializer(serializers.Serializer):
    focus = serializers.DictField()
    term = serializers.CharField(allow_blank=True)
    grade = serializers.IntegerField(allow_null=True)
    unit = serializers.ChoiceField(choices=["province", "city", "county", "school", "grade"])
    statuses = serializers.DictField(child=serializers.CharField())
    change_kinds = serializers.DictField(child=serializers.CharField())
    students = serializers.DictField(child=serializers.IntegerField())
    changes = serializers.DictField(child=serializers.IntegerField())
    rows = CountRowSerializer(many=True)
    grades = CountRowSerializer(many=True)


def _rows(students: list[Row], changes: list[Row], key_of) -> list[dict]:
    by_key = {row.key: row for row in changes}
    rows = [*students, *(row for row in changes if row.key not in {r.key for r in students})]
    return [
        {
            "key": key_of(row),
            "name": row.label,
            "students": {status.value: row.count(status) for status in STATUSES},
            "changes": dict(by_key[row.key].counts) if row.key in by_key else {},
        }
        for row in rows
    ]


class StatisticsView(APIView):
    """Students by status (now) and completed status changes by kind (in the term), for your region
    or school: by the regions or schools below it, and by grade."""

    @extend_schema(parameters=[StatisticsFilterSerializer], responses=StatisticsSerializer, tags=["statistics"])
    def get(self, request):
        require_report_reader(request.user)
        form = valid_form(StatisticsFilterForm, request)
        focus = form.focus()
        stats = statistics(request.user, focus=focus, period=form.period(), grade=form.chosen_grade())

        def key_of(row):
            return row.link.get("school") or row.link.get("region") or ("" if row.key is None else str(row.key))

        return Response(
            StatisticsSerializer(
                {
                    "focus": {
                        "name": focus.name,
                        "region": focus.region.code if focus.region else None,
                        "school": focus.school.identifier if focus.school else None,
                    },
                    "term": stats.period.term_name,
                    "grade": stats.grade,
                    "unit": stats.unit,
                    "statuses": {status.value: str(status.label) for status in STATUSES},
                    "change_kinds": {change.value: str(change.label) for change in Change},
                    "students": stats.totals,
                    "changes": stats.change_totals,
                    "rows": _rows(stats.units, stats.change_units, key_of),
                    "grades": _rows(stats.grades, stats.change_grades, lambda row: "" if row.key is None else str(row.key)),
                }
            ).data
        )
