"""School-year rollover: preview, confirm, progress, undo."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from rest_framework import serializers as drf_serializers
from rest_framework import status as http_status

from ..models import Rollover
from ..services.rollover import rollover_plan, rollover_progress, rollover_queue, rollover_undo


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


def _rollover_body(rollover: Rollover) -> dict:
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
        scope = selectors.rollover_scope_of(request.user)
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
        scope = selectors.rollover_scope_of(request.user)
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
        rollover = get_object_or_404(selectors.rollovers_visible_to(request.user), pk=pk)
        rollover = rollover_undo(rollover=rollover, by=request.user)
        return Response(_rollover_body(rollover))
