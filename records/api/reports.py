"""Statistics, the dropout follow-up list (控辍保学) and the term report on the API.

The same selectors and services as the pages, and the same filters: the pages' filter forms
read the query, so a region or school outside the user's is refused here as there (400).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..class_codes import GRADE_NAMES
from ..models import DropoutFollowUp, Student
from ..report_forms import DropoutFilterForm, StatisticsFilterForm, TermReportFilterForm
from ..school_age import age_on
from ..selectors import reports
from ..selectors.reports import STATUSES, Change

# --- Query filters (for the schema; the pages' forms validate them) ---------------------------------


class FocusFilterSerializer(serializers.Serializer):
    region = serializers.CharField(required=False, help_text="GB/T 2260 code of a region below yours (city or province officers)")
    school = serializers.CharField(required=False, help_text="school identifier, within a county")


class StatisticsFilterSerializer(FocusFilterSerializer):
    grade = serializers.IntegerField(required=False, min_value=1, max_value=12)
    term = serializers.CharField(required=False, help_text="term name; empty for all time; omitted for the current term")


class DropoutFilterSerializer(FocusFilterSerializer):
    reason = serializers.CharField(required=False, help_text="dropout reason code (1 退学, 2 流失, 3 转至市外/省外/境外, 9 其他)")
    result = serializers.CharField(required=False, help_text="latest follow-up result, or `none` for never followed up")
    q = serializers.CharField(required=False, help_text="name or student number")


class TermFilterSerializer(serializers.Serializer):
    region = serializers.CharField(required=False)
    term = serializers.CharField(required=False, help_text="term name; omitted for the current term")


def valid_form(form_class, request):
    form = form_class(request.query_params, user=request.user)
    if not form.is_valid():
        raise exceptions.ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
    return form


def require_statistics(user) -> None:
    if not reports.statistics_visible_to(user):
        raise exceptions.PermissionDenied(_("学籍统计供教育局审批人员、学校学籍管理员和教导处查看。"))


# --- Statistics -----------------------------------------------------------------------------------


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


def _rows(students: list[reports.Row], changes: list[reports.Row], key_of) -> list[dict]:
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
        require_statistics(request.user)
        form = valid_form(StatisticsFilterForm, request)
        focus = form.focus()
        stats = reports.statistics(request.user, focus=focus, period=form.period(), grade=form.chosen_grade())

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


# --- Dropout follow-up ------------------------------------------------------------------------------


class DropoutSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.identifier")
    school_name = serializers.CharField(source="school.name")
    region = serializers.CharField(source="school.region.name")
    gender = serializers.CharField(source="gender.name")
    age = serializers.SerializerMethodField()
    dropout_reason = serializers.CharField(source="dropout_reason.code")
    dropout_reason_name = serializers.CharField(source="dropout_reason.name")
    left_on = serializers.DateField(allow_null=True)
    follow_up_count = serializers.IntegerField()
    last_follow_up_on = serializers.DateField(allow_null=True)
    last_result = serializers.CharField(allow_null=True)

    class Meta:
        model = Student
        fields = [
            "id", "student_number", "name", "gender", "birth_date", "age", "school", "school_name", "region",
            "dropout_reason", "dropout_reason_name", "dropout_destination", "left_on", "follow_up_count",
            "last_follow_up_on", "last_result",
        ]

    def get_age(self, student) -> int:
        return age_on(student.birth_date, self.context["today"])


@extend_schema(parameters=[DropoutFilterSerializer], tags=["statistics"])
class DropoutList(generics.ListAPIView):
    """控辍保学: dropped-out students of compulsory-education age (6–15) you may see, including those
    who left for another city or province, with their latest follow-up."""

    serializer_class = DropoutSerializer

    def get_queryset(self):
        require_statistics(self.request.user)
        form = valid_form(DropoutFilterForm, self.request)
        return reports.dropout_search(self.request.user, focus=form.focus(), **form.search_arguments())

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}


class FollowUpSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.get_full_name", read_only=True)

    class Meta:
        model = DropoutFollowUp
        fields = [
            "id", "followed_up_on", "followed_up_by", "method", "result", "note", "recorded_by", "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = ["id", "recorded_by", "recorded_by_name", "recorded_at"]
        extra_kwargs = {"note": {"required": False, "allow_blank": True}}


class FollowUpList(APIView):
    """A student's follow-ups, for everyone who may see the student; the registrar of the student's
    school and the bureau officers of its region add one."""

    def student(self, request, pk) -> Student:
        return get_object_or_404(selectors.students_visible_to(request.user), pk=pk)

    @extend_schema(responses=FollowUpSerializer(many=True), tags=["statistics"])
    def get(self, request, pk):
        student = self.student(request, pk)
        return Response(FollowUpSerializer(reports.follow_ups_of(request.user, student), many=True).data)

    @extend_schema(request=FollowUpSerializer, responses={201: FollowUpSerializer}, tags=["statistics"])
    def post(self, request, pk):
        student = self.student(request, pk)
        serializer = FollowUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        follow_up = services.follow_up_add(student=student, by=request.user, **serializer.validated_data)
        return Response(FollowUpSerializer(follow_up).data, status=201)


# --- The term report ---------------------------------------------------------------------------------


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
        require_statistics(self.request.user)
        self.form = valid_form(TermReportFilterForm, self.request)
        self.term = self.form.term_name()
        return reports.term_report_overview(self.request.user, focus=self.form.focus(), term_name=self.term)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        counts = reports.term_report_change_counts(self.request.user, rows, self.term) if self.term else {}
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
        school = get_object_or_404(reports.term_report_schools(request.user), identifier=identifier)
        term = term or reports.current_term_name(request.user)
        period = reports.school_term_period(school, term) if term else None
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
                    "rows": reports.term_report_rows(school, period),
                    "submissions": reports.term_report_submissions(school, term),
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
        submission = services.term_report_submit(
            school=school, term_name=term, by=request.user, note=serializer.validated_data.get("note", "")
        )
        return Response(SubmissionSerializer(submission).data, status=201)
