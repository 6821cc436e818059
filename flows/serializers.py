"""Requests, their steps and evidence on the API; one start serializer per kind of request.

A start serializer reads the body and resolves references (a class by its code, a school by its
identifier); the rules of each kind stay in its start service (flows.services,
flows.status_changes), which the view calls with what the serializer read.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from records.models import CodeTable, Student
from records.serializers import (
    MAX_ID,
    ClassCodeField,
    CodeField,
    FamilyMemberSerializer,
    SchoolIdentifierField,
    StudentRecordSerializer,
    StudentSummarySerializer,
)

from .forms import _file_checked
from .models import (
    Cause,
    Graduation,
    Promotion,
    Dropout,
    Evidence,
    GradeChange,
    KeyInfoChange,
    PovertyChange,
    Registration,
    Request,
    Resumption,
    Suspension,
    Transfer,
    TransferCancellation,
    TransferIn,
    TransferOut,
    WholeClassTransfer,
    WorkItem,
)

# Kinds whose flow exists; graduation and promotion join with the issues that build their flows.
KINDS = tuple(Request.Kind.values)


def _id_field(**kwargs):
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
                _file_checked(attrs.get(f"evidence_{kind}"))
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


class KindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)


class TransferStart(EvidenceFields, StartSerializer):
    """转学. The receiving school starts with `to_class` (one of its classes; a student of another
    school is named by `student` together with the `student_number` and `name` the parent gave,
    as found with POST /api/v1/students/lookup/); the sending school starts with `to_school`."""

    kind_value = Request.Kind.TRANSFER
    student = _id_field()
    student_number = serializers.CharField(required=False, max_length=19)
    name = serializers.CharField(required=False, max_length=50)
    to_class = ClassCodeField(required=False)
    to_school = SchoolIdentifierField(required=False)
    reason = serializers.CharField(allow_blank=True)
    applicant = ApplicantSerializer()


class TransferCancelStart(StartSerializer):
    """撤销转学 of a transfer completed within the last 10 days; the other school approves."""

    kind_value = Request.Kind.TRANSFER_CANCEL
    request = _id_field(help_text="id of the completed transfer")
    reason = serializers.CharField(allow_blank=True)


class TransferOutStart(EvidenceFields, StartSerializer):
    """转出 to another city, province or abroad: the student leaves the system."""

    kind_value = Request.Kind.TRANSFER_OUT
    student = _id_field()
    scope = serializers.ChoiceField(choices=TransferOut.Scope.choices)
    destination = serializers.CharField(max_length=100, allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    applicant = ApplicantSerializer()


class RegistrationStart(StudentRecordSerializer):
    """新生建档: the record's items at the top level, named as in the student detail, its family
    members (one or two, at least one a guardian) and the class."""

    kind = KindField(Request.Kind.REGISTRATION)
    family_members = FamilyMemberSerializer(many=True)
    class_code = ClassCodeField()
    photo = serializers.ImageField(required=False, write_only=True)

    class Meta(StudentRecordSerializer.Meta):
        fields = ["kind", *StudentRecordSerializer.Meta.fields, "family_members", "class_code", "photo"]


class TransferInStart(EvidenceFields, RegistrationStart):
    """外地转入: the record as for a registration (its entry way is always 转入), where the student
    comes from, and the parent's request."""

    kind = KindField(Request.Kind.TRANSFER_IN)
    previous_school = serializers.CharField(max_length=100, allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    applicant = ApplicantSerializer()

    class Meta(RegistrationStart.Meta):
        fields = [
            f for f in RegistrationStart.Meta.fields if f != "photo"
        ] + ["previous_school", "reason", "applicant"]
        extra_kwargs = {**RegistrationStart.Meta.extra_kwargs, "entry_way": {"required": False}}


class SuspensionStart(EvidenceFields, StartSerializer):
    """休学 (续休 for a suspended student). Illness needs `evidence_diagnosis`; another cause its proof."""

    kind_value = Request.Kind.SUSPENSION
    student = _id_field()
    cause = serializers.ChoiceField(choices=Cause.choices)
    start = serializers.DateField(required=False, allow_null=True, help_text="default: today (续休: the current end)")
    end = serializers.DateField(required=False, allow_null=True, help_text="default: three months after the start")
    reason = serializers.CharField(allow_blank=True)
    applicant = ApplicantSerializer()


class ResumptionStart(EvidenceFields, StartSerializer):
    """复学 at the original school; `to_class` only when the former class is closed or after
    more than three months away."""

    kind_value = Request.Kind.RESUMPTION
    student = _id_field()
    cause = serializers.ChoiceField(choices=Cause.choices, default=Cause.OTHER)
    to_class = ClassCodeField(required=False, allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    applicant = ApplicantSerializer()


class DropoutStart(EvidenceFields, StartSerializer):
    """流失 / 退学 / 死亡 with a reason from the code table; death needs `evidence_certificate`."""

    kind_value = Request.Kind.DROPOUT
    student = _id_field()
    reason = CodeField(table=CodeTable.DROPOUT_REASON, help_text="dropout reason code")
    remark = serializers.CharField(max_length=200, required=False, allow_blank=True)


class GradeChangeStart(StartSerializer):
    """留级 / 跳级: a class of the same school one grade down or up."""

    kind_value = Request.Kind.GRADE_CHANGE
    student = _id_field()
    to_class = ClassCodeField()
    justification = serializers.CharField(allow_blank=True)


class KeyInfoChangesSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, required=False)
    gender = CodeField(table=CodeTable.GENDER, required=False)
    birth_date = serializers.DateField(required=False)
    id_type = CodeField(table=CodeTable.ID_TYPE, required=False)
    id_number = serializers.CharField(max_length=32, required=False, allow_blank=True)


class KeyInfoChangeStart(EvidenceFields, StartSerializer):
    """关键信息变更 of name, gender, birth date, ID type or number, with evidence."""

    kind_value = Request.Kind.KEY_INFO_CHANGE
    student = _id_field()
    changes = KeyInfoChangesSerializer()
    reason = serializers.CharField(allow_blank=True)


class PovertyStart(StartSerializer):
    """贫困生认定 (identify) / 取消 (cancel)."""

    kind_value = Request.Kind.POVERTY
    student = _id_field()
    action = serializers.ChoiceField(choices=PovertyChange.Action.choices)
    note = serializers.CharField(allow_blank=True)


class WholeClassTransferStart(StartSerializer):
    """整班转学 of one of your classes to another school."""

    kind_value = Request.Kind.WHOLE_CLASS_TRANSFER
    class_code = ClassCodeField()
    to_school = SchoolIdentifierField()
    reason = serializers.CharField(allow_blank=True)


class GraduationExclusionSerializer(serializers.Serializer):
    student = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(allow_blank=True, max_length=200)


class GraduationStart(StartSerializer):
    """毕业 of one of your graduating classes. Students in `exclude` stay enrolled with their reason;
    `certificates` maps a student id to its certificate number (the proposed number where absent)."""

    kind_value = Request.Kind.GRADUATION
    class_code = ClassCodeField()
    exclude = GraduationExclusionSerializer(many=True, required=False, default=list)
    certificates = serializers.DictField(child=serializers.CharField(max_length=32), required=False, default=dict)


class PromotionPlacementSerializer(serializers.Serializer):
    student = serializers.IntegerField(min_value=1)
    to_class = ClassCodeField()


class PromotionStart(StartSerializer):
    """升学: primary graduates of your bureau's region, each into one of your first-year classes."""

    kind_value = Request.Kind.PROMOTION
    placements = PromotionPlacementSerializer(many=True, allow_empty=False)


START_SERIALIZERS = {
    Request.Kind.GRADUATION: GraduationStart,
    Request.Kind.PROMOTION: PromotionStart,
    Request.Kind.TRANSFER: TransferStart,
    Request.Kind.TRANSFER_CANCEL: TransferCancelStart,
    Request.Kind.TRANSFER_OUT: TransferOutStart,
    Request.Kind.TRANSFER_IN: TransferInStart,
    Request.Kind.REGISTRATION: RegistrationStart,
    Request.Kind.SUSPENSION: SuspensionStart,
    Request.Kind.RESUMPTION: ResumptionStart,
    Request.Kind.DROPOUT: DropoutStart,
    Request.Kind.GRADE_CHANGE: GradeChangeStart,
    Request.Kind.KEY_INFO_CHANGE: KeyInfoChangeStart,
    Request.Kind.POVERTY: PovertyStart,
    Request.Kind.WHOLE_CLASS_TRANSFER: WholeClassTransferStart,
}


# --- Reading requests ----------------------------------------------------------------------------


def _org_code(org) -> str | None:
    if org is None:
        return None
    return getattr(org, "identifier", None) or org.code


class StepSerializer(serializers.ModelSerializer):
    """One step of a request: who acted, when, the decision and the comment (open while `at` is null)."""

    id = serializers.IntegerField(source="pk", help_text="the task's id")
    name = serializers.CharField(source="step")
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
        from django.urls import reverse

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


def _class_code(school_class) -> str | None:
    return school_class.code if school_class else None


def _school_identifier(school) -> str | None:
    return school.identifier if school else None


def request_details(process: Request) -> dict:
    """What the kind of request adds to what every request has, with codes for references."""
    if isinstance(process, Transfer):
        return {
            "order": process.order,
            "from_school": _school_identifier(process.from_school),
            "from_class": _class_code(process.from_class),
            "to_school": _school_identifier(process.to_school),
            "to_class": _class_code(process.to_class),
            "completed_on": process.completed_on.isoformat() if process.completed_on else None,
        }
    if isinstance(process, TransferCancellation):
        return {"original": process.original_id}
    if isinstance(process, TransferOut):
        return {"scope": process.scope, "destination": process.destination}
    if isinstance(process, TransferIn):
        return {
            "class_code": _class_code(process.to_class),
            "previous_school": process.previous_school,
            "record": process.record,
            "family_members": process.family,
        }
    if isinstance(process, WholeClassTransfer):
        return {
            "class_code": _class_code(process.from_class),
            "to_school": _school_identifier(process.to_school),
            "to_class": _class_code(process.to_class),
            "new_class_name": process.new_class_name,
        }
    if isinstance(process, Registration):
        return {
            "class_code": _class_code(process.to_class),
            "record": process.record,
            "family_members": process.family,
            "has_possible_duplicate": process.possible_duplicate_id is not None,
            "duplicate_acknowledged": process.duplicate_acknowledged,
        }
    if isinstance(process, Suspension):
        return {
            "cause": process.cause,
            "start": process.start_date.isoformat(),
            "end": process.end_date.isoformat(),
            "extension": process.extension,
        }
    if isinstance(process, Resumption):
        return {"cause": process.cause, "to_class": _class_code(process.to_class)}
    if isinstance(process, Dropout):
        return {"reason": process.reason_code.code, "remark": process.remark}
    if isinstance(process, GradeChange):
        return {"from_class": _class_code(process.from_class), "to_class": _class_code(process.to_class)}
    if isinstance(process, KeyInfoChange):
        return {"changes": process.changes, "previous": process.previous}
    if isinstance(process, PovertyChange):
        return {"action": process.action, "note": process.note}
    if isinstance(process, Graduation):
        return {
            "class_code": _class_code(process.school_class),
            "year": process.year,
            "students": [
                {"student": e.student_id, "certificate": e.certificate_number or None, "excluded": e.excluded, "reason": e.exclude_reason}
                for e in process.entries.all()
            ],
        }
    if isinstance(process, Promotion):
        return {
            "placements": [{"student": e.student_id, "to_class": _class_code(e.to_class)} for e in process.entries.select_related("to_class")]
        }
    return {}


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
        from records.api import students_with_class

        student = students_with_class(Student.objects.select_related("school", "gender")).get(pk=request.student_id)
        return StudentSummarySerializer(student).data

    @extend_schema_field(ApplicantSerializer)
    def get_applicant(self, request):
        return {
            "name": request.applicant_name,
            "relationship": request.applicant_relationship,
            "phone": request.applicant_phone,
        }

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_details(self, request):
        return request_details(request)

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
    student = _id_field(required=False)


class WithdrawSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer):
    """approve, or reject with a comment (return: send a registration back for correction)."""

    decision = serializers.ChoiceField(choices=WorkItem.Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
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


class RegistrationCorrection(RegistrationStart):
    """The corrected record of a registration sent back to the one who entered it."""

    kind = None

    class Meta(RegistrationStart.Meta):
        fields = [f for f in RegistrationStart.Meta.fields if f != "kind"]


class DecisionBodySerializer(DecisionSerializer, RegistrationCorrection):
    """For the schema: a decision, plus the record's items when the step is a registration's
    correction (`step_fields` of the task says which)."""

    class Meta(RegistrationCorrection.Meta):
        fields = [*DecisionSerializer().fields, *RegistrationCorrection.Meta.fields]

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if name != "decision":
                field.required = False
        return fields


def json_variant(serializer_class):
    """For the schema: the same body without its files, as application/json carries it (files go
    as multipart/form-data)."""

    def get_fields(self):
        fields = serializer_class.get_fields(self)
        return {name: field for name, field in fields.items() if not isinstance(field, serializers.FileField)}

    name = serializer_class.__name__.removesuffix("Serializer") + "Json"
    return type(name, (serializer_class,), {"get_fields": get_fields, "__doc__": serializer_class.__doc__})
