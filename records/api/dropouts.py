"""控辍保学 on the API: the dropout follow-up list and a student's follow-ups.

The same selectors and service as the pages, and the same filters: the page's filter form reads
the query, so a region or school outside the user's is refused here as there (400).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..dropout_forms import DropoutFilterForm
from ..models import DropoutFollowUp, Student
from ..school_age import age_on
from ..text_lengths import FOLLOW_UP_NOTE_MAX_LENGTH, text_api_field
from .common import FocusFilterSerializer, require_report_reader, valid_form


class DropoutFilterSerializer(FocusFilterSerializer):
    reason = serializers.CharField(
        required=False, help_text="dropout reason code (1 退学, 2 流失, 3 转至市外/省外/境外, 5 因故丧失学习能力, 9 其他)"
    )
    result = serializers.CharField(required=False, help_text="latest follow-up result, or `none` for never followed up")
    q = serializers.CharField(required=False, help_text="name or student number")


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
        require_report_reader(self.request.user)
        form = valid_form(DropoutFilterForm, self.request)
        return selectors.dropout_search(self.request.user, focus=form.focus(), **form.search_arguments())

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}


class FollowUpSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.get_full_name", read_only=True)
    note = text_api_field(_lazy("情况说明"), FOLLOW_UP_NOTE_MAX_LENGTH, required=False)

    class Meta:
        model = DropoutFollowUp
        fields = [
            "id", "followed_up_on", "followed_up_by", "method", "result", "note", "recorded_by", "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = ["id", "recorded_by", "recorded_by_name", "recorded_at"]


class FollowUpList(APIView):
    """A student's follow-ups, for everyone who may see the student; the registrar of the student's
    school and the bureau officers of its region add one."""

    def student(self, request, pk) -> Student:
        return get_object_or_404(selectors.students_visible_to(request.user), pk=pk)

    @extend_schema(responses=FollowUpSerializer(many=True), tags=["statistics"])
    def get(self, request, pk):
        student = self.student(request, pk)
        return Response(FollowUpSerializer(selectors.follow_ups_of(request.user, student), many=True).data)

    @extend_schema(request=FollowUpSerializer, responses={201: FollowUpSerializer}, tags=["statistics"])
    def post(self, request, pk):
        student = self.student(request, pk)
        serializer = FollowUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        follow_up = services.follow_up_add(student=student, by=request.user, **serializer.validated_data)
        return Response(FollowUpSerializer(follow_up).data, status=201)
