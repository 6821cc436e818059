"""What the API's request endpoints share: the read serializers (a request, its steps, evidence,
the tasks of an inbox), the decision body, and the pieces every kind's start body is made of.

Each kind's start serializer is in its module (flows/transfer.py …), named by its Flow's
`start_serializer`; it reads the body and resolves references (a class by its code, a school by
its identifier), and the kind's start service keeps the rules.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from records import selectors
from records.models import Student
from records.serializers import (
    MAX_ID,
    RECORD_FIELDS,
    ClassCodeField,
    FamilyMemberSerializer,
    StudentRecordSerializer,
    StudentSummarySerializer,
)
from records.text_lengths import COMMENT_MAX_LENGTH, text_api_field

from .evidence_files import evidence_file_check
from .models import Evidence, Request, WorkItem
from .selectors import requests_visible_to


def id_field(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class ApplicantSerializer(serializers.Serializer):
    """The parent or guardian who asked (the registrar logs their request)."""

    name = serializers.CharField(max_length=50, allow_blank=True)
    relationship = serializers.CharField(max_length=20, allow_blank=True)
    phone = serializers.CharField(max_length=20, allow_blank=True)


class EvidenceFields(serializers.Serializer):
    """Scanned documents sent with the start (multipart/form-data): one file per kind, as
    `evidence_<kind>`. PDF, JPG or PNG, at most 10 MB; more can be added to an open request."""

    def get_fields(self):
        fields = super().get_fields()
        for kind, label in Evidence.Kind.choices:
            fields[f"evidence_{kind}"] = serializers.FileField(required=False, label=label, write_only=True)
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        errors = {}
        for kind in Evidence.Kind.values:
            try:
                evidence_file_check(attrs.get(f"evidence_{kind}"))
            except DjangoValidationError as error:
                errors[f"evidence_{kind}"] = error.messages
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def evidence_of(data: dict) -> list:
    """(kind, file) pairs, as the start services take them."""
    return [(kind, data[f"evidence_{kind}"]) for kind in Evidence.Kind.values if data.get(f"evidence_{kind}")]


class KindField(serializers.ChoiceField):
    """The `kind` of one start body: the discriminator of POST /api/v1/requests/."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        super().__init__(choices=[kind], **kwargs)


class KindFieldSchema(OpenApiSerializerFieldExtension):
    target_class = KindField

    def get_name(self):
        return "Kind" + "".join(part.title() for part in self.target.kind.split("_"))

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "enum": [self.target.kind]}


class StartSerializer(serializers.Serializer):
    kind_value: str = ""

    def get_fields(self):
        return {"kind": KindField(self.kind_value), **super().get_fields()}


class RecordBody(StudentRecordSerializer):
    """A new student's record (新生建档, 外地转入): the record's items at the top level, named as in
    the student detail, its family members (one or two, at least one a guardian) and the class."""

    family_members = FamilyMemberSerializer(many=True)
    class_code = ClassCodeField()
    photo = serializers.ImageField(required=False, write_only=True)

    class Meta(StudentRecordSerializer.Meta):
        fields = [*StudentRecordSerializer.Meta.fields, "family_members", "class_code", "photo"]


def record_of(data: dict) -> dict:
    """The record's items of a validated RecordBody, as the start services take them."""
    return {name: data[name] for name in RECORD_FIELDS if name in data}


def visible_student(user, pk: int) -> Student:
    return get_object_or_404(selectors.students_visible_to(user), pk=pk)


def visible_request(user, pk: int) -> Request:
    return get_object_or_404(requests_visible_to(user), pk=pk)


def class_code(school_class) -> str | None:
    return school_class.code if school_class else None


def school_identifier(school) -> str | None:
    return school.identifier if school else None


# --- Reading requests ----------------------------------------------------------------------------


def _org_code(org) -> str | None:
    if org is None:
        return None
    return getattr(org, "identifier", None) or org.code


class StepSerializer(serializers.ModelSerializer):
    """One step of a request: who acted, when, the decision and the comment (open while `at` is null)."""

    id = serializers.IntegerField(source="pk", help_text="the task's id")
    name = serializers.CharField(source="step")
    title = serializers.CharField(source="step_title", help_text="in the request's language")
    org = serializers.SerializerMethodField(help_text="school identifier or bureau code")
    org_name = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    actor_name = serializers.SerializerMethodField()
    at = serializers.DateTimeField(source="finished", allow_null=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = WorkItem
        fields = [
            "id", "name", "title", "org", "org_name", "role", "actor", "actor_name", "decision", "comment",
            "created", "due", "overdue", "at",
        ]

    def get_org(self, item) -> str | None:
        return _org_code(item.org)

    def get_org_name(self, item) -> str:
        return item.org.name if item.org else ""

    def get_actor(self, item) -> str | None:
        return item.actor.get_username() if item.actor_id else None

    def get_actor_name(self, item) -> str | None:
        return (item.actor.get_full_name() or item.actor.get_username()) if item.actor_id else None

    def get_overdue(self, item) -> bool:
        return item.finished is None and item.due < timezone.localdate()


class EvidenceSerializer(serializers.ModelSerializer):
    filename = serializers.CharField(read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    url = serializers.SerializerMethodField(help_text="GET it with your token or session")

    class Meta:
        model = Evidence
        fields = ["id", "kind", "filename", "uploaded_by", "uploaded_at", "url"]

    def get_url(self, evidence) -> str:
        return reverse("api-evidence-file", args=[evidence.pk])


class EvidenceUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Evidence.Kind.choices)
    file = serializers.FileField(help_text="PDF, JPG or PNG, at most 10 MB")


class RequestSerializer(serializers.ModelSerializer):
    """A row of the request list."""

    student = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    student_name = serializers.SerializerMethodField()
    school = serializers.CharField(source="school.identifier", read_only=True, help_text="the starting school")
    other_school = serializers.SerializerMethodField(help_text="the other school of a transfer")
    started_by = serializers.CharField(source="started_by.username", read_only=True)
    started_at = serializers.DateTimeField(source="created", read_only=True)

    class Meta:
        model = Request
        fields = [
            "id", "kind", "state", "student", "student_name", "school", "other_school", "started_by",
            "started_at", "closed_at",
        ]

    def get_student_name(self, request) -> str | None:
        if request.student_id:
            return request.student.name
        record = getattr(request, "record", None) or {}
        return record.get("name")

    def get_other_school(self, request) -> str | None:
        return request.other_school.identifier if request.other_school_id else None


class RequestDetailSerializer(RequestSerializer):
    """A request as its page shows it: the student, the parent's request, evidence and every step."""

    student_summary = serializers.SerializerMethodField()
    reason = serializers.CharField(read_only=True)
    applicant = serializers.SerializerMethodField()
    close_comment = serializers.CharField(read_only=True)
    details = serializers.SerializerMethodField(help_text="the fields of this kind of request")
    evidence = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    class Meta(RequestSerializer.Meta):
        fields = [
            *RequestSerializer.Meta.fields, "student_summary", "reason", "applicant", "close_comment", "details",
            "evidence", "steps",
        ]

    @extend_schema_field(StudentSummarySerializer(allow_null=True))
    def get_student_summary(self, request):
        if not request.student_id:
            return None
        students = selectors.students_with_current_class(Student.objects.select_related("school", "gender"))
        return StudentSummarySerializer(students.get(pk=request.student_id), context=self.context).data

    @extend_schema_field(ApplicantSerializer)
    def get_applicant(self, request):
        return {
            "name": request.applicant_name,
            "relationship": request.applicant_relationship,
            "phone": self._shown().phone(request.applicant_phone),
        }

    def _shown(self):
        viewer = self.context.get("request")
        return selectors.identity_shown_to(viewer.user if viewer is not None else None)

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_details(self, request):
        return request.flow_class.instance.details(self._shown().request(request))

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, request):
        return EvidenceSerializer(request.evidence.select_related("uploaded_by"), many=True).data

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, request):
        items = WorkItem.objects.filter(request=request).select_related("actor", "school", "bureau")
        return StepSerializer(items.order_by("created", "pk"), many=True).data


# --- Tasks and decisions -------------------------------------------------------------------------


class TaskSerializer(serializers.ModelSerializer):
    """An open step you can act on now."""

    id = serializers.IntegerField(source="pk")
    request = serializers.IntegerField(source="request_id")
    kind = serializers.CharField(source="request.kind")
    step = serializers.CharField()
    title = serializers.CharField(source="step_title", help_text="in the request's language")
    student = serializers.IntegerField(source="student_id", allow_null=True)
    student_name = serializers.SerializerMethodField()
    org = serializers.SerializerMethodField(help_text="school identifier or bureau code")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = WorkItem
        fields = ["id", "request", "kind", "step", "title", "student", "student_name", "org", "created", "due", "overdue"]

    def get_student_name(self, item) -> str | None:
        return item.student.name if item.student_id else None

    def get_org(self, item) -> str | None:
        return _org_code(item.org)

    def get_overdue(self, item) -> bool:
        return item.finished is None and item.due < timezone.localdate()


class TaskDetailSerializer(TaskSerializer):
    can_act = serializers.BooleanField()
    decisions = serializers.ListField(child=serializers.CharField(), help_text="the decisions this step takes")
    step_fields = serializers.ListField(
        child=serializers.CharField(), help_text="what else the decision body carries for this step"
    )
    finished = serializers.DateTimeField(allow_null=True)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "can_act", "decisions", "step_fields", "finished"]


class TaskFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Request.Kind.choices, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)


class RequestFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=Request.State.choices, required=False)
    kind = serializers.ChoiceField(choices=Request.Kind.choices, required=False)
    student = id_field(required=False)


class WithdrawSerializer(serializers.Serializer):
    comment = text_api_field(_("说明"), COMMENT_MAX_LENGTH, required=False, default="")


class DecisionSerializer(serializers.Serializer):
    """approve, or reject with a comment (return: send a registration back for correction)."""

    decision = serializers.ChoiceField(choices=WorkItem.Decision.choices)
    comment = text_api_field(_("说明"), COMMENT_MAX_LENGTH, required=False, default="")
    to_class = serializers.RegexField(
        r"^[0-9]{12}$", required=False, allow_blank=True,
        help_text="the receiving class's code (a receiving school's confirmation)",
    )
    new_class_name = serializers.CharField(
        required=False, allow_blank=True, max_length=32,
        help_text="whole-class transfer: a new class of this name instead of `to_class`",
    )
    acknowledge_duplicate = serializers.BooleanField(
        required=False, help_text="registration: the possible duplicate was checked and is another person"
    )
    acknowledged = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
        help_text="bulk registration: the entries of `possible_duplicates` checked to be other people (all of them to approve)",
    )


def json_variant(serializer_class):
    """For the schema: the same body without its files, as application/json carries it (files go
    as multipart/form-data)."""

    def get_fields(self):
        fields = serializer_class.get_fields(self)
        return {name: field for name, field in fields.items() if not isinstance(field, serializers.FileField)}

    name = serializer_class.__name__.removesuffix("Serializer") + "Json"
    return type(name, (serializer_class,), {"get_fields": get_fields, "__doc__": serializer_class.__doc__})
