"""Students: the list, the whole record, 重新分班, and the lookup a receiving school makes."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from .. import selectors, services
from ..history import student_history
from ..models import FamilyMember, Placement, Role, Student
from ..record_form import STUDENT_CODE_FIELDS
from ..serializers import (
    ReassignClassSerializer,
    StudentDetailSerializer,
    StudentFilterSerializer,
    StudentLookupSerializer,
    StudentSerializer,
    StudentSummarySerializer,
)
from ..views.access import school_registrar
from .common import Ordering, query_filters


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
        return selectors.students_with_current_class(selectors.student_search(self.request.user, **found))


def student_detail_response(request, pk: int) -> Response:
    """The whole record of a student the user may see (a 404 otherwise)."""
    visible = selectors.students_visible_to(request.user)
    students = (
        selectors.students_with_current_class(visible)
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
    try:
        student = get_object_or_404(students, pk=pk)
    except Http404:
        refusal = _former_school_refusal(request.user, pk)
        if refusal is None:
            raise
        raise exceptions.NotFound(refusal) from None
    duplicate = student.possible_duplicate_of_id
    context = {
        "request": request,
        "history": student_history(student, selectors.identity_shown_to(request.user)),
        "duplicate_visible": bool(duplicate and visible.filter(pk=duplicate).exists()),
    }
    return Response(StudentDetailSerializer(student, context=context).data)


def _former_school_refusal(user, pk: int) -> str | None:
    """The 404's detail: for the school (or class) the student has left, when and why (never where
    to); None for anyone else, who gets the plain 404."""
    former = selectors.student_left_from(user, pk)
    if former is None:
        return None
    if former.left_class_only:
        return _("该学生已于 %(date)s 离开本班（%(reason)s），您不能再查看其学籍。") % {
            "date": former.left_on.isoformat(), "reason": former.reason or "—",
        }
    return _("该学生已于 %(date)s 转出本校（%(reason)s），学籍已不在本校，本校不能再查看或办理。") % {
        "date": former.left_on.isoformat(), "reason": former.reason or "—",
    }


class StudentDetail(APIView):
    """The whole record: items, family members, placements and the history of every change."""

    @extend_schema(responses=StudentDetailSerializer, tags=["students"])
    def get(self, request, pk):
        return student_detail_response(request, pk)


class StudentClassView(APIView):
    """重新分班: the registrar of the student's school moves the student to another class of the
    same grade (no approval); 200 with the whole record, the move in its placements and history."""

    @extend_schema(request=ReassignClassSerializer, responses=StudentDetailSerializer, tags=["students"])
    def post(self, request, pk):
        student = get_object_or_404(selectors.students_visible_to(request.user), pk=pk)
        school_registrar(request.user, student.school_id)
        body = ReassignClassSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        services.student_reassign_class(
            student=student, to_class=body.validated_data["to_class"], by=request.user,
            reason=body.validated_data["reason"],
        )
        return student_detail_response(request, pk)


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
        student = selectors.students_with_current_class(Student.objects.select_related("school", "gender")).get(pk=found.pk)
        return Response(StudentSummarySerializer(student, context={"request": request}).data)
