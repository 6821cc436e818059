"""Requests on the REST API (/api/v1/): start, read, withdraw, evidence; tasks and decisions.

As thin as the pages (flows/views.py): the serializer reads the body, one service in
flows.services or flows.status_changes does the rest, a step's decision is validated by the
step's own form class. Reads go through records.selectors: what the user may not see is a 404.
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
from rest_framework import exceptions, generics, parsers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from records import selectors

from . import selectors as flow_selectors
from records.api import Ordering, query_filters
from records.models import SchoolClass, Student

from . import services, status_changes
from .forms import EvidenceForm
from .models import Evidence, Request, WorkItem
from .serializers import (
    START_SERIALIZERS,
    DecisionBodySerializer,
    DecisionSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    KindSerializer,
    RegistrationCorrection,
    RequestDetailSerializer,
    RequestFilterSerializer,
    RequestSerializer,
    TaskDetailSerializer,
    TaskFilterSerializer,
    TaskSerializer,
    WithdrawSerializer,
    evidence_of,
    json_variant,
)

# Where a service names a field differently from the API body.
SERVICE_FIELD_NAMES = {
    "applicant_name": "applicant.name",
    "applicant_relationship": "applicant.relationship",
    "applicant_phone": "applicant.phone",
}
RECORD_KIND_FIELD_NAMES = {"to_class": "class_code"}
KEY_INFO_FIELD_NAMES = {name: f"changes.{name}" for name in Student.KEY_FIELDS}


def _renamed(error: DjangoValidationError, names: dict) -> DjangoValidationError:
    """The same error (and class: a Conflict stays a Conflict) with the API's field names."""
    if not hasattr(error, "error_dict"):
        return error
    return type(error)({names.get(field, field): errors for field, errors in error.error_dict.items()})


def visible_student(user, pk: int) -> Student:
    return get_object_or_404(selectors.students_visible_to(user), pk=pk)


def visible_request(user, pk: int) -> Request:
    return get_object_or_404(flow_selectors.requests_visible_to(user), pk=pk)


def _transfer_student(user, data) -> Student:
    """Your own school's student, or another school's named by the student number and name the
    parent gave (the pages' transfer-in lookup); nothing else is found."""
    student = selectors.students_visible_to(user).filter(pk=data["student"]).first()
    if student is not None:
        return student
    if data.get("student_number") and data.get("name"):
        found = selectors.student_find_for_transfer_in(student_number=data["student_number"], name=data["name"])
        if found is not None and found.pk == data["student"]:
            return found
    raise exceptions.NotFound()


def _record(data: dict) -> dict:
    from records.serializers import RECORD_FIELDS

    return {name: data[name] for name in RECORD_FIELDS if name in data}


# One function per kind: the serializer's data → the kind's start service.


def _start_transfer(user, data):
    return services.transfer_start(
        student=_transfer_student(user, data), by=user, to_class=data.get("to_class"),
        to_school=data.get("to_school"), applicant=data["applicant"], reason=data["reason"], evidence=evidence_of(data),
    )


def _start_transfer_cancel(user, data):
    transfer = get_object_or_404(
        flow_selectors.requests_visible_to(user), pk=data["request"], kind=Request.Kind.TRANSFER
    )
    return services.transfer_cancel_start(transfer=transfer.coerced, by=user, reason=data["reason"])


def _start_transfer_out(user, data):
    return services.transfer_out_start(
        student=visible_student(user, data["student"]), by=user, scope=data["scope"],
        destination=data["destination"], applicant=data["applicant"], reason=data["reason"],
        evidence=evidence_of(data),
    )


def _start_transfer_in(user, data):
    return services.transfer_in_start(
        to_class=data["class_code"], by=user, record=_record(data), family=data["family_members"],
        previous_school=data["previous_school"], applicant=data["applicant"], reason=data["reason"],
        evidence=evidence_of(data),
    )


def _start_registration(user, data):
    return status_changes.registration_start(
        to_class=data["class_code"], by=user, record=_record(data), family=data["family_members"],
        photo=data.get("photo"),
    )


def _start_suspension(user, data):
    return status_changes.suspension_start(
        student=visible_student(user, data["student"]), by=user, cause=data["cause"], start_date=data.get("start"),
        end_date=data.get("end"), applicant=data["applicant"], reason=data["reason"], evidence=evidence_of(data),
    )


def _start_resumption(user, data):
    return status_changes.resumption_start(
        student=visible_student(user, data["student"]), by=user, cause=data["cause"], to_class=data.get("to_class"),
        applicant=data["applicant"], reason=data["reason"], evidence=evidence_of(data),
    )


def _start_dropout(user, data):
    return status_changes.dropout_start(
        student=visible_student(user, data["student"]), by=user, reason_code=data["reason"],
        remark=data.get("remark", ""), evidence=evidence_of(data),
    )


def _start_grade_change(user, data):
    return status_changes.grade_change_start(
        student=visible_student(user, data["student"]), by=user, to_class=data["to_class"],
        justification=data["justification"],
    )


def _start_key_info_change(user, data):
    return status_changes.key_info_change_start(
        student=visible_student(user, data["student"]), by=user, changes=data["changes"], reason=data["reason"],
        evidence=evidence_of(data),
    )


def _start_poverty(user, data):
    return status_changes.poverty_start(
        student=visible_student(user, data["student"]), by=user, action=data["action"], note=data["note"]
    )


def _start_whole_class_transfer(user, data):
    return services.whole_class_transfer_start(
        school_class=data["class_code"], by=user, to_school=data["to_school"], reason=data["reason"]
    )


def _start_graduation(user, data):
    from .year_end import graduation_start

    return graduation_start(
        school_class=data["class_code"], by=user,
        exclude={item["student"]: item["reason"] for item in data["exclude"]},
        certificates={int(pk): number for pk, number in data["certificates"].items() if str(pk).isdigit()},
    )


def _start_promotion(user, data):
    from .year_end import promotion_start

    return promotion_start(placements=[(item["student"], item["to_class"]) for item in data["placements"]], by=user)


STARTS = {
    Request.Kind.GRADUATION: (_start_graduation, {}),
    Request.Kind.PROMOTION: (_start_promotion, {}),
    Request.Kind.TRANSFER: (_start_transfer, {}),
    Request.Kind.TRANSFER_CANCEL: (_start_transfer_cancel, {}),
    Request.Kind.TRANSFER_OUT: (_start_transfer_out, {}),
    Request.Kind.TRANSFER_IN: (_start_transfer_in, RECORD_KIND_FIELD_NAMES),
    Request.Kind.REGISTRATION: (_start_registration, RECORD_KIND_FIELD_NAMES),
    Request.Kind.SUSPENSION: (_start_suspension, {}),
    Request.Kind.RESUMPTION: (_start_resumption, {}),
    Request.Kind.DROPOUT: (_start_dropout, {}),
    Request.Kind.GRADE_CHANGE: (_start_grade_change, {}),
    Request.Kind.KEY_INFO_CHANGE: (_start_key_info_change, KEY_INFO_FIELD_NAMES),
    Request.Kind.POVERTY: (_start_poverty, {}),
    Request.Kind.WHOLE_CLASS_TRANSFER: (_start_whole_class_transfer, {}),
}


def request_response(request_obj: Request, *, status_code=status.HTTP_200_OK) -> Response:
    process = Request.objects.select_related("student", "school", "other_school", "started_by").get(pk=request_obj.pk)
    return Response(RequestDetailSerializer(process.coerced).data, status=status_code)


START_BODY = {
    "application/json": PolymorphicProxySerializer(
        component_name="RequestStartJson",
        serializers={str(kind.value): json_variant(serializer) for kind, serializer in START_SERIALIZERS.items()},
        resource_type_field_name="kind",
    ),
    "multipart/form-data": PolymorphicProxySerializer(
        component_name="RequestStart",
        serializers={str(kind.value): serializer for kind, serializer in START_SERIALIZERS.items()},
        resource_type_field_name="kind",
    ),
}


class RequestListView(generics.ListAPIView):
    """GET: the requests you may see (your school's, either party's, or your region's).
    POST: start a request of one kind; 201 with the request."""

    serializer_class = RequestSerializer
    filter_backends = (Ordering,)
    ordering_fields = {"started_at": "created", "closed_at": "closed_at", "kind": "kind", "state": "state", "id": "pk"}
    parser_classes = (parsers.JSONParser, parsers.MultiPartParser)

    @extend_schema(parameters=[RequestFilterSerializer], tags=["requests"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        found = query_filters(self.request, RequestFilterSerializer)
        requests = flow_selectors.requests_visible_to(self.request.user).select_related("started_by").order_by("-created", "-pk")
        if found.get("state"):
            requests = requests.filter(state=found["state"])
        if found.get("kind"):
            requests = requests.filter(kind=found["kind"])
        if found.get("student"):
            requests = requests.filter(student_id=found["student"])
        return requests

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
        kind = kind.validated_data["kind"]
        serializer = START_SERIALIZERS[kind](data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        start, names = STARTS[kind]
        try:
            with transaction.atomic():
                started = start(request.user, serializer.validated_data)
        except DjangoValidationError as error:
            raise _renamed(error, {**SERVICE_FIELD_NAMES, **names}) from None
        return request_response(started, status_code=status.HTTP_201_CREATED)


class RequestDetailView(APIView):
    @extend_schema(responses=RequestDetailSerializer, tags=["requests"])
    def get(self, request, pk):
        return request_response(visible_request(request.user, pk))


class RequestWithdrawView(APIView):
    """The starter (or a registrar of the starting school) withdraws an open request; nothing changes."""

    @extend_schema(request=WithdrawSerializer, responses=RequestDetailSerializer, tags=["requests"])
    def post(self, request, pk):
        req = visible_request(request.user, pk)
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.request_withdraw(request=req, by=request.user, comment=body.validated_data["comment"])
        return request_response(req)


class EvidenceUploadView(APIView):
    """Add a scanned document to an open request (a registrar of either school)."""

    parser_classes = (parsers.MultiPartParser,)

    @extend_schema(request=EvidenceUploadSerializer, responses={201: EvidenceSerializer}, tags=["requests"])
    def post(self, request, pk):
        req = visible_request(request.user, pk)
        form = EvidenceForm(request.data, request.FILES)
        if not form.is_valid():
            raise DjangoValidationError(form.errors.as_data())
        evidence = services.evidence_add(
            request=req, by=request.user, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"]
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceFileView(APIView):
    """The scanned file itself, for anyone who may see the request."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY}, tags=["requests"])
    def get(self, request, pk):
        evidence = get_object_or_404(Evidence.objects.filter(request__in=flow_selectors.requests_visible_to(request.user)), pk=pk)
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
        return [*RegistrationCorrection().fields]
    form = step.form_class(None, request=item.request.coerced, user=user, step=step)
    return [name for name in form.fields if name not in ("decision", "comment")]


def _decisions(item: WorkItem) -> list[str]:
    step = item.task.flow_task
    decisions = [WorkItem.Decision.APPROVE]
    if getattr(step, "_on_reject", None) is not None:
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


class TaskDecisionView(APIView):
    """Decide a step: approve, or reject with a comment; the step's own fields (e.g. the receiving
    class's `to_class`) are checked by the step's form, as on the task page. 200 with the request."""

    parser_classes = (parsers.JSONParser, parsers.MultiPartParser)

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
        process = item.request.coerced
        if step.page and decision == WorkItem.Decision.APPROVE:
            return self.resubmit_registration(request, item)
        form = None
        if not step.page:
            data = {key: value for key, value in body.validated_data.items() if key != "to_class"}
            code = body.validated_data.get("to_class")
            if code:
                # The step's form picks a class by primary key; the API names it by code.
                data["to_class"] = SchoolClass.objects.filter(code=code).values_list("pk", flat=True).first() or code
            form = step.form_class(data, request=process, user=user, step=step)
            # As the task page: the step's form is checked first, whatever the decision.
            if not form.is_valid():
                raise DjangoValidationError(form.errors.as_data())
        services.task_decide(work_item=item, by=user, decision=decision, comment=comment, form=form)
        return request_response(item.request)

    def resubmit_registration(self, request, item):
        body = RegistrationCorrection(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            status_changes.registration_resubmit(
                work_item=item, by=request.user, to_class=data["class_code"], record=_record(data),
                family=data["family_members"], photo=data.get("photo"),
            )
        except DjangoValidationError as error:
            raise _renamed(error, RECORD_KIND_FIELD_NAMES) from None
        return request_response(item.request)
