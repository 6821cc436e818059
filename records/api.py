"""The register on the REST API (/api/v1/): token, me, schools and classes, bureau calendars, students.

Thin views: read through records.selectors (what the user may see; anything else is a 404),
write through records.services. The requests' endpoints are in flows/api.py.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db.models import F, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, filters, generics, permissions, throttling
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from . import selectors, services
from .history import student_history
from .models import Bureau, FamilyMember, Placement, Role, Student
from .record_form import STUDENT_CODE_FIELDS
from .serializers import (
    CalendarReadSerializer,
    CalendarSerializer,
    ClassFilterSerializer,
    MeSerializer,
    SchoolClassSerializer,
    SchoolFilterSerializer,
    SchoolSerializer,
    StudentDetailSerializer,
    StudentFilterSerializer,
    StudentLookupSerializer,
    StudentSerializer,
    StudentSummarySerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from .term_calendar import transfer_windows

# --- What every endpoint shares --------------------------------------------------------------------


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


# --- Token ---------------------------------------------------------------------------------------


class TokenThrottle(throttling.SimpleRateThrottle):
    """Per client address. The rate is read per request (XUEJI_API_TOKEN_RATE), not at import."""

    scope = "api_token"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenView(APIView):
    """Exchange a username and password for a token; failed attempts count toward the lockout of
    the pages (django-axes), and the endpoint is rate limited."""

    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    throttle_classes = (TokenThrottle,)

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, auth=[], tags=["auth"])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The request lets django-axes count the failure and lock the account, as on the login page.
        user = authenticate(request=request._request, **serializer.validated_data)
        if user is None:
            raise exceptions.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("用户名或密码不正确。")]}
            )
        # Accounts provisioned for scripts (xueji_user) use the API with the password they were
        # given; only the pages ask for a new one at the first login.
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# --- Who am I ------------------------------------------------------------------------------------


class MeView(APIView):
    @extend_schema(responses=MeSerializer, tags=["auth"])
    def get(self, request):
        user = request.user
        membership = selectors.membership_of(user)
        data = {
            "username": user.get_username(),
            "full_name": user.get_full_name(),
            "role": membership.role if membership else (Role.ADMIN if user.is_superuser else None),
            "school": membership.school.identifier if membership and membership.school_id else None,
            "bureau": membership.bureau.code if membership and membership.bureau_id else None,
            "class_code": membership.school_class.code if membership and membership.school_class_id else None,
            "must_change_password": bool(membership and membership.must_change_password),
        }
        return Response(MeSerializer(data).data)


# --- Schools and classes ---------------------------------------------------------------------------


@extend_schema(parameters=[SchoolFilterSerializer], tags=["schools"])
class SchoolList(generics.ListAPIView):
    """The schools you may see; a system administrator sees all."""

    serializer_class = SchoolSerializer
    filter_backends = (Ordering,)
    ordering_fields = {"identifier": "identifier", "name": "name", "region": "region__code"}

    def get_queryset(self):
        found = query_filters(self.request, SchoolFilterSerializer)
        schools = selectors.schools_visible_to(self.request.user).order_by("identifier")
        if found.get("q"):
            schools = schools.filter(Q(name__contains=found["q"]) | Q(identifier__startswith=found["q"]))
        if found.get("type"):
            schools = schools.filter(type=found["type"])
        if found.get("bureau"):
            schools = schools.filter(bureau__code=found["bureau"])
        if found.get("region"):
            schools = schools.filter(region__code=found["region"])
        return schools


@extend_schema(parameters=[ClassFilterSerializer], tags=["schools"])
class SchoolClassList(generics.ListAPIView):
    """The classes of a school that you may see, each with its current size."""

    serializer_class = SchoolClassSerializer
    filter_backends = (Ordering,)
    ordering_fields = {"code": "code", "name": "name", "grade": "grade", "entry_year": "entry_year"}

    def get_queryset(self):
        school = get_object_or_404(selectors.schools_visible_to(self.request.user), identifier=self.kwargs["identifier"])
        found = query_filters(self.request, ClassFilterSerializer)
        classes = selectors.classes_with_size(self.request.user).filter(school=school).order_by("grade", "sequence")
        if found.get("state"):
            classes = classes.filter(state=found["state"])
        if found.get("grade"):
            classes = classes.filter(grade=found["grade"])
        return classes


# --- A bureau's term calendar ----------------------------------------------------------------------


class BureauCalendarView(APIView):
    """Terms and transfer windows. Anyone may read a calendar (a published school-year
    schedule); the bureau's own officers change it."""

    def get_bureau(self) -> Bureau:
        bureaus = Bureau.objects.prefetch_related("terms", "transfer_windows")
        return get_object_or_404(bureaus, code=self.kwargs["code"])

    def calendar(self) -> dict:
        bureau = self.get_bureau()  # read afresh: after a change the prefetched rows are stale
        return CalendarReadSerializer(
            {
                "bureau": bureau.code,
                "name": bureau.name,
                "terms": bureau.terms.all(),
                "transfer_windows": bureau.transfer_windows.all(),
                "effective_transfer_windows": transfer_windows(bureau),
                "can_edit": selectors.calendar_editable_by(self.request.user, bureau),
            }
        ).data

    @extend_schema(responses=CalendarReadSerializer, tags=["calendar"])
    def get(self, request, code):
        return Response(self.calendar())

    @extend_schema(request=CalendarSerializer, responses=CalendarReadSerializer, tags=["calendar"])
    def put(self, request, code):
        bureau = self.get_bureau()
        if not selectors.calendar_editable_by(request.user, bureau):
            raise exceptions.PermissionDenied(_("只有本教育局的审批人员可以修改校历。"))
        serializer = CalendarSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.calendar_replace(
            bureau=bureau,
            terms=serializer.validated_data["terms"],
            windows=serializer.validated_data["transfer_windows"],
            by=request.user,
        )
        return Response(self.calendar())


# --- Students --------------------------------------------------------------------------------------


def students_with_class(students):
    """The student list's rows: the current class joined once, its code beside its name."""
    return selectors.students_with_current_class(students).annotate(
        current_class_code=F("open_placement_row__school_class__code")
    )


@extend_schema(parameters=[StudentFilterSerializer], tags=["students"])
class StudentList(generics.ListAPIView):
    """The students you may see, filtered: free text on name or student number, school, class, status."""

    serializer_class = StudentSerializer
    filter_backends = (Ordering,)
    ordering_fields = {
        "name": "name",
        "student_number": "student_number",
        "birth_date": "birth_date",
        "status": "status",
        "school": "school__identifier",
        "grade": "current_grade",
        "class_code": "current_class_code",
        "id": "pk",
    }

    def get_queryset(self):
        found = query_filters(self.request, StudentFilterSerializer)
        return students_with_class(selectors.student_search(self.request.user, **found))


class StudentDetail(APIView):
    """The whole record: items, family members, placements and the history of every change."""

    @extend_schema(responses=StudentDetailSerializer, tags=["students"])
    def get(self, request, pk):
        visible = selectors.students_visible_to(request.user)
        students = (
            students_with_class(visible)
            .select_related(*STUDENT_CODE_FIELDS, "dropout_reason")
            .prefetch_related(
                Prefetch(
                    "family_members",
                    queryset=FamilyMember.objects.select_related("relationship", "ethnicity", "id_type"),
                ),
                Prefetch(
                    "placements",
                    queryset=Placement.objects.select_related("school", "school_class").order_by("-started_on", "-id"),
                ),
            )
        )
        student = get_object_or_404(students, pk=pk)
        duplicate = student.possible_duplicate_of_id
        context = {
            "request": request,
            "history": student_history(student),
            "duplicate_visible": bool(duplicate and visible.filter(pk=duplicate).exists()),
        }
        return Response(StudentDetailSerializer(student, context=context).data)


class StudentLookupView(APIView):
    """A registrar finds a student of another school for a transfer-in, by the exact student
    number and name the parent gives; only what the transfer needs comes back."""

    @extend_schema(request=StudentLookupSerializer, responses={200: StudentSummarySerializer}, tags=["students"])
    def post(self, request):
        membership = selectors.membership_of(request.user)
        if membership is None or membership.role != Role.REGISTRAR:
            raise exceptions.PermissionDenied(_("只有学籍管理员可以发起学籍异动申请。"))
        serializer = StudentLookupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        found = selectors.student_find_for_transfer_in(**serializer.validated_data)
        if found is None:
            raise exceptions.NotFound(_("没有找到学籍号与姓名都相符的学生，请核对家长提供的信息。"))
        if found.school_id == membership.school_id:
            raise exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [_("该生已在本校，无需转入。")]})
        student = students_with_class(Student.objects.select_related("school", "gender")).get(pk=found.pk)
        return Response(StudentSummarySerializer(student).data)


# --- School-year rollover (issue 7): preview, confirm, progress, undo ------------------------------

from rest_framework import serializers as drf_serializers  # noqa: E402
from rest_framework import status as http_status  # noqa: E402

from .models import Rollover  # noqa: E402


class RolloverScopeSerializer(drf_serializers.Serializer):
    school_year = drf_serializers.IntegerField(min_value=2000, max_value=2100)


class RolloverClassSerializer(drf_serializers.Serializer):
    school = drf_serializers.CharField()
    old_code = drf_serializers.CharField()
    new_code = drf_serializers.CharField()
    old_grade = drf_serializers.IntegerField()
    new_grade = drf_serializers.IntegerField()
    old_name = drf_serializers.CharField()
    new_name = drf_serializers.CharField()


class RolloverPreviewSerializer(drf_serializers.Serializer):
    school_year = drf_serializers.IntegerField()
    classes = RolloverClassSerializer(many=True)
    needs_graduation = drf_serializers.ListField(child=drf_serializers.CharField(), help_text="class codes")


class RolloverSerializer(drf_serializers.Serializer):
    id = drf_serializers.IntegerField()
    school_year = drf_serializers.IntegerField()
    state = drf_serializers.CharField()
    done = drf_serializers.IntegerField()
    total = drf_serializers.IntegerField()
    finished = drf_serializers.BooleanField()
    error = drf_serializers.CharField()
    classes = RolloverClassSerializer(many=True)


def _rollover_scope(user) -> dict:
    membership = selectors.membership_of(user)
    if membership and membership.role == Role.BUREAU_OFFICER:
        return {"bureau": membership.bureau}
    if membership and membership.role == Role.REGISTRAR:
        return {"school": membership.school}
    raise exceptions.PermissionDenied(_("学年升级由教育局审批人员或学校学籍管理员办理。"))


def _rollover_body(rollover: Rollover) -> dict:
    from .services.rollover import rollover_progress

    progress = rollover_progress(rollover)
    rows = rollover.classes.select_related("school_class__school").order_by("pk")
    return {
        **progress,
        "school_year": rollover.school_year,
        "classes": [
            {"school": r.school_class.school.identifier, "old_code": r.old_code, "new_code": r.new_code,
             "old_grade": r.old_grade, "new_grade": r.new_grade, "old_name": r.old_name, "new_name": r.new_name}
            for r in rows
        ],
    }


class RolloverPreviewView(APIView):
    """What confirming would do, class by class; graduating classes are listed, not moved."""

    @extend_schema(request=RolloverScopeSerializer, responses=RolloverPreviewSerializer, tags=["rollover"])
    def post(self, request):
        from .services.rollover import rollover_plan

        scope = _rollover_scope(request.user)
        body = RolloverScopeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = rollover_plan(school_year=body.validated_data["school_year"], **scope)
        return Response(
            {
                "school_year": plan.school_year,
                "classes": [
                    {"school": m.school_class.school.identifier, "old_code": m.old_code, "new_code": m.new_code,
                     "old_grade": m.old_grade, "new_grade": m.new_grade, "old_name": m.old_name, "new_name": m.new_name}
                    for m in plan.moves
                ],
                "needs_graduation": [c.code for c in plan.needs_graduation],
            }
        )


class RolloverListView(APIView):
    """Confirm a rollover: 202, applied by a background task; follow it at /rollovers/{id}/."""

    @extend_schema(request=RolloverScopeSerializer, responses={202: RolloverSerializer}, tags=["rollover"])
    def post(self, request):
        from .services.rollover import rollover_queue

        scope = _rollover_scope(request.user)
        body = RolloverScopeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rollover = rollover_queue(school_year=body.validated_data["school_year"], by=request.user, **scope)
        return Response(_rollover_body(rollover), status=http_status.HTTP_202_ACCEPTED)


class RolloverDetailView(APIView):
    @extend_schema(responses=RolloverSerializer, tags=["rollover"])
    def get(self, request, pk):
        rollover = get_object_or_404(selectors.rollovers_visible_to(request.user), pk=pk)
        return Response(_rollover_body(rollover))


class RolloverUndoView(APIView):
    """Undo a rollover until the first status change of the new year (409 after it)."""

    @extend_schema(request=None, responses=RolloverSerializer, tags=["rollover"])
    def post(self, request, pk):
        from .services.rollover import rollover_undo

        rollover = get_object_or_404(selectors.rollovers_visible_to(request.user), pk=pk)
        rollover = rollover_undo(rollover=rollover, by=request.user)
        return Response(_rollover_body(rollover))
