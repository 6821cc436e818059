"""Schools, their classes and a bureau's term calendar."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..models import Bureau
from ..serializers import (
    CalendarReadSerializer,
    CalendarSerializer,
    ClassFilterSerializer,
    SchoolClassSerializer,
    SchoolFilterSerializer,
    SchoolSerializer,
)
from ..term_calendar import transfer_windows
from .common import Ordering, query_filters


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
