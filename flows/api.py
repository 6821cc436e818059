"""Requests on the REST API (/api/v1/): start, read, withdraw, evidence; tasks and decisions.

As thin as the pages (flows/views.py): a request's `kind` names its Flow in the registry
(flows/flows.py), whose start serializer reads the body and whose start service keeps the rules;
a step's decision is checked by the step's own form class. Reads go through flows.selectors:
what the user may not see is a 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, generics, parsers, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from records.api import Ordering, query_filters
from records.models import SchoolClass

from . import engine
from . import selectors as flow_selectors
from .flows import FLOWS, KINDS, kind_flow
from .forms import EvidenceForm
from .models import Evidence, Request, WorkItem
from .serializers import (
    DecisionSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    RecordBody,
    RequestDetailSerializer,
    RequestFilterSerializer,
    RequestSerializer,
    TaskDetailSerializer,
    TaskFilterSerializer,
    TaskSerializer,
    WithdrawSerializer,
    json_variant,
    visible_request,
)

# Where every start service names a field differently from the API body.
SERVICE_FIELD_NAMES = {
    "applicant_name": "applicant.name",
    "applicant_relationship": "applicant.relationship",
    "applicant_phone": "applicant.phone",
}


def renamed(error: DjangoValidationError, names: dict) -> DjangoValidationError:
    """The same error (and class: a Conflict stays a Conflict) with the API's field names."""
    if not hasattr(error, "error_dict"):
        return error
    return type(error)({names.get(field, field): errors for field, errors in error.error_dict.items()})


def request_response(request_obj: Request, api_request, *, status_code=status.HTTP_200_OK) -> Response:
    """The request as its detail reads to the user of `api_request` (ID and phone numbers masked for a teacher)."""
    process = Request.objects.select_related("student", "school", "other_school", "started_by").get(pk=request_obj.pk)
    return Response(RequestDetailSerializer(process.coerced, context={"request": api_request}).data, status=status_code)


class KindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS))


def _start_bodies(variant=lambda serializer: serializer) -> dict:
    return {str(flow_class.kind): variant(flow_class.instance.start_serializer) for flow_class in FLOWS}


START_BODY = {
    "application/json": PolymorphicProxySerializer(
        component_name="RequestStartJson", serializers=_start_bodies(json_variant), resource_type_field_name="kind"
    ),
    "multipart/form-data": PolymorphicProxySerializer(
        component_name="RequestStart", serializers=_start_bodies(), resource_type_field_name="kind"
    ),
}


class RequestListView(generics.ListAPIView):
    """GET: the requests you may see (your school's, either party's, or your region's).
    POST: start a request of one kind; 201 with the request."""

    serializer_class = RequestSerializer
    filter_backends = (Ordering,)
    ordering_fields = {"started_at": "created", "closed_at": "closed_at", "kind": "kind", "state": "state", "id": "pk"}

    @extend_schema(parameters=[RequestFilterSerializer], tags=["requests"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        found = query_filters(self.request, RequestFilterSerializer)
        return flow_selectors.request_search(self.request.user, **found).select_related("started_by")

    @extend_schema(
        request=START_BODY,
        responses={201: RequestDetailSerializer},
        tags=["requests"],
        description=(
            "Start a request. `kind` picks the fields. Scanned evidence goes with the start as "
            "multipart/form-data files `evidence_<kind>` (kinds that need it at the start: suspension, "
            "key_info_change, dropout for a death; any kind may carry it), or later to /evidence/. "
            "Graduation (`class_code`, `exclude`, `certificates`) and promotion (`placements`) are "
            "approved by the bureau like the others."
        ),
    )
    def post(self, request):
        kind = KindSerializer(data=request.data)
        kind.is_valid(raise_exception=True)
        flow = kind_flow(kind.validated_data["kind"])
        serializer = flow.start_serializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                started = flow.start_from_api(request.user, serializer.validated_data)
        except DjangoValidationError as error:
            raise renamed(error, {**SERVICE_FIELD_NAMES, **flow.api_field_names}) from None
        return request_response(started, request, status_code=status.HTTP_201_CREATED)


class RequestDetailView(APIView):
    @extend_schema(responses=RequestDetailSerializer, tags=["requests"])
    def get(self, request, pk):
        return request_response(visible_request(request.user, pk), request)


class RequestWithdrawView(APIView):
    """The starter (or a registrar of the starting school) withdraws an open request; nothing changes."""

    @extend_schema(request=WithdrawSerializer, responses=RequestDetailSerializer, tags=["requests"])
    def post(self, request, pk):
        found = visible_request(request.user, pk)
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        engine.request_withdraw(request=found, by=request.user, comment=body.validated_data["comment"])
        return request_response(found, request)


class EvidenceUploadView(APIView):
    """Add a scanned document to an open request (a registrar of either school)."""

    parser_classes = (parsers.MultiPartParser,)

    @extend_schema(request=EvidenceUploadSerializer, responses={201: EvidenceSerializer}, tags=["requests"])
    def post(self, request, pk):
        found = visible_request(request.user, pk)
        form = EvidenceForm(request.data, request.FILES)
        if not form.is_valid():
            raise DjangoValidationError(form.errors.as_data())
        evidence = engine.evidence_add(
            request=found, by=request.user, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"]
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceFileView(APIView):
    """The scanned file itself, for anyone who may see the request."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY}, tags=["requests"])
    def get(self, request, pk):
        visible = Evidence.objects.filter(request__in=flow_selectors.requests_visible_to(request.user))
        evidence = get_object_or_404(visible, pk=pk)
        return FileResponse(evidence.file.open("rb"), as_attachment=False, filename=evidence.filename)


# --- Tasks -----------------------------------------------------------------------------------------


def visible_work_item(user, pk: int) -> WorkItem:
    """A step of a request the user may see, or one they may act on (as the task page)."""
    item = get_object_or_404(WorkItem.objects.select_related("request", "task", "school", "bureau", "student"), pk=pk)
    if not (
        flow_selectors.user_may_act_on(user, item)
        or flow_selectors.requests_visible_to(user).filter(pk=item.request_id).exists()
    ):
        raise exceptions.NotFound()
    return item


class TaskListView(generics.GenericAPIView):
    """The steps you can act on now: a school's inbox or a bureau's queue, oldest first."""

    serializer_class = TaskSerializer
    filter_backends = ()

    @extend_schema(parameters=[TaskFilterSerializer], responses=TaskSerializer(many=True), tags=["tasks"])
    def get(self, request):
        found = query_filters(request, TaskFilterSerializer)
        items = flow_selectors.tasks_in_inbox(request.user)
        if found.get("kind"):
            items = items.filter(request__kind=found["kind"])
        if found.get("overdue") is not None:
            today = timezone.localdate()
            items = items.filter(due__lt=today) if found["overdue"] else items.filter(due__gte=today)
        # Count on the index, then fetch only the page's rows (DESIGN.md, Scale).
        positions = self.paginate_queryset(range(items.count()))
        offset = positions[0] if positions else 0
        rows = flow_selectors.tasks_page(items, offset=offset, limit=len(positions))
        return self.get_paginated_response(TaskSerializer(rows, many=True).data)


def _step_fields(item: WorkItem, user) -> list[str]:
    step = item.task.flow_task
    if step.page:
        return [*RecordBody().fields]
    form = step.form_class(None, request=item.request.coerced, user=user, step=step)
    return [name for name in form.fields if name not in ("decision", "comment")]


def _decisions(item: WorkItem) -> list[str]:
    step = item.task.flow_task
    decisions = [WorkItem.Decision.APPROVE]
    if step.can_reject:
        decisions.append(WorkItem.Decision.REJECT)
    if step.can_return:
        decisions.append(WorkItem.Decision.RETURN)
    return decisions


class TaskDetailView(APIView):
    @extend_schema(responses=TaskDetailSerializer, tags=["tasks"])
    def get(self, request, pk):
        item = visible_work_item(request.user, pk)
        can_act = item.finished is None and flow_selectors.user_may_act_on(request.user, item)
        item.can_act = can_act
        item.decisions = _decisions(item) if can_act else []
        item.step_fields = _step_fields(item, request.user) if can_act else []
        return Response(TaskDetailSerializer(item).data)


class DecisionBodySerializer(DecisionSerializer, RecordBody):
    """For the schema: a decision, plus the record's items when the step is a registration's
    correction (`step_fields` of the task says which)."""

    class Meta(RecordBody.Meta):
        fields = [*DecisionSerializer().fields, *RecordBody.Meta.fields]

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if name != "decision":
                field.required = False
        return fields


class TaskDecisionView(APIView):
    """Decide a step: approve, or reject with a comment; the step's own fields (e.g. the receiving
    class's `to_class`) are checked by the step's form, as on the task page. A step done on a page
    of its own (a registration's correction) takes that page's record. 200 with the request."""


    @extend_schema(
        request={
            "application/json": json_variant(DecisionBodySerializer),
            "multipart/form-data": DecisionBodySerializer,
        },
        responses=RequestDetailSerializer,
        tags=["tasks"],
    )
    def post(self, request, pk):
        user = request.user
        item = visible_work_item(user, pk)
        if not flow_selectors.user_may_act_on(user, item):
            raise exceptions.PermissionDenied(_("您不能办理这个环节。"))
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision, comment = body.validated_data["decision"], body.validated_data["comment"]
        step = item.task.flow_task
        if step.page:
            if decision == WorkItem.Decision.APPROVE:
                return self.resubmit(request, item)
            engine.task_decide(work_item=item, by=user, decision=decision, comment=comment)
            return request_response(item.request, request)
        data = {key: value for key, value in body.validated_data.items() if key != "to_class"}
        code = body.validated_data.get("to_class")
        if code:
            # The step's form picks a class by primary key; the API names it by code.
            data["to_class"] = SchoolClass.objects.filter(code=code).values_list("pk", flat=True).first() or code
        form = step.form_class(data, request=item.request.coerced, user=user, step=step)
        # As the task page: the step's form is checked first, whatever the decision.
        if not form.is_valid():
            raise DjangoValidationError(form.errors.as_data())
        engine.task_decide(work_item=item, by=user, decision=decision, comment=comment, form=form)
        return request_response(item.request, request)

    def resubmit(self, request, item: WorkItem):
        body = RecordBody(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        flow = item.request.flow_class.instance
        try:
            flow.resubmit_from_api(item, request.user, body.validated_data)
        except DjangoValidationError as error:
            raise renamed(error, flow.api_field_names) from None
        return request_response(item.request, request)
