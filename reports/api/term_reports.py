"""The term report of status changes on the API: a school's report, its filing, and who has filed."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from records.api import require_report_reader, valid_form
from records.class_codes import GRADE_NAMES
from records.selectors import report_schools

from ..forms import TermReportFilterForm
from ..selectors import (
    current_term_name,
    school_term_period,
    term_report_change_counts,
    term_report_overview,
    term_report_rows,
    term_report_submissions,
)
from ..services import term_report_submit


class TermFilterSerializer(serializers.Serializer):
    region = serializers.CharField(required=False)
    term = serializers.CharField(required=False, help_text="term name; omitted for the current term")


class SubmissionSerializer(serializers.Serializer):
    term = serializers.CharField(source="term_name")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    change_count = serializers.IntegerField()
    note = serializers.CharField()
    submitted_by = serializers.CharField(source="submitted_by.username")
    submitted_at = serializers.DateTimeField()


class TermReportSchoolSerializer(serializers.Serializer):
    school = serializers.CharField(source="identifier")
    name = serializers.CharField()
    region = serializers.CharField(source="region.name")
    change_count = serializers.IntegerField()
    submitted = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by = serializers.CharField(source="submitted_by_username", allow_null=True)
    submitted_count = serializers.IntegerField(allow_null=True)

    def get_submitted(self, school) -> bool:
        return school.submitted_at is not None


@extend_schema(parameters=[TermFilterSerializer], tags=["statistics"])
class TermReportList(generics.ListAPIView):
    """Which schools of your region have filed the term's report of status changes."""

    serializer_class = TermReportSchoolSerializer

    def get_queryset(self):
        require_report_reader(self.request.user)
        self.form = valid_form(TermReportFilterForm, self.request)
        self.term = self.form.term_name()
        return term_report_overview(self.request.user, focus=self.form.focus(), term_name=self.term)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        counts = term_report_change_counts(self.request.user, rows, self.term) if self.term else {}
        for school in rows:
            school.change_count = counts.get(school.pk, 0)
        return page


class ReportRowSerializer(serializers.Serializer):
    request = serializers.IntegerField(source="request_id")
    student_number = serializers.CharField(source="student.student_number", default="")
    name = serializers.CharField(source="student.name", default="")
    gender = serializers.CharField(source="student.gender.name", default="")
    grade = serializers.IntegerField(allow_null=True)
    grade_name = serializers.SerializerMethodField()
    change = serializers.CharField()
    change_name = serializers.CharField(source="change_label")
    reason = serializers.CharField()
    other = serializers.CharField(help_text="the other school, or where the student went")
    closed_on = serializers.DateField()

    def get_grade_name(self, row) -> str:
        return str(GRADE_NAMES.get(row.grade, ""))


class TermReportSerializer(serializers.Serializer):
    school = serializers.CharField()
    term = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    rows = ReportRowSerializer(many=True)
    submissions = SubmissionSerializer(many=True)


class TermReportSubmitSerializer(serializers.Serializer):
    term = serializers.CharField(required=False, help_text="omitted for the current term")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class TermReportDetail(APIView):
    """A school's status changes of the term (中小学生休(转、复)学登记表) and its filings."""

    def school_and_period(self, request, identifier, term):
        school = get_object_or_404(report_schools(request.user), identifier=identifier)
        term = term or current_term_name(request.user)
        period = school_term_period(school, term) if term else None
        if period is None:
            raise exceptions.ValidationError({"term": [_("%(bureau)s的校历中没有“%(term)s”。") % {"bureau": school.bureau.name, "term": term}]})
        return school, term, period

    @extend_schema(parameters=[TermFilterSerializer], responses=TermReportSerializer, tags=["statistics"])
    def get(self, request, identifier):
        school, term, period = self.school_and_period(request, identifier, request.query_params.get("term"))
        return Response(
            TermReportSerializer(
                {
                    "school": school.identifier, "term": term, "period_start": period.start, "period_end": period.end,
                    "rows": term_report_rows(school, period),
                    "submissions": term_report_submissions(school, term),
                }
            ).data
        )


class TermReportSubmitView(TermReportDetail):
    """The school's registrar files the term's report with the county bureau."""

    http_method_names = ["post", "options"]

    @extend_schema(request=TermReportSubmitSerializer, responses={201: SubmissionSerializer}, tags=["statistics"])
    def post(self, request, identifier):
        serializer = TermReportSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        school, term, _period = self.school_and_period(request, identifier, serializer.validated_data.get("term"))
        submission = term_report_submit(
            school=school, term_name=term, by=request.user, note=serializer.validated_data.get("note", "")
        )
        return Response(SubmissionSerializer(submission).data, status=201)
