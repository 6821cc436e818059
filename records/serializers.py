"""How the register reads and is written on the API.

Coded fields travel as their national codes (gender "1"/"2", ethnicity "01"…, ID type "1"/"A"/"Z"…),
a school as its 10-digit identifier, a class as its 12-digit code, a bureau or region as its code.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import selectors
from .models import Code, FamilyMember, Placement, School, SchoolClass, Student
from .services import EDITABLE_STUDENT_FIELDS, FAMILY_MEMBER_FIELDS, member_id_number

MAX_ID = 2**63 - 1

# The record's items as a request carries them (the photo travels as a file of its own).
RECORD_FIELDS = (
    "name", "former_names", "gender", "birth_date", "id_type", "id_number",
    *(name for name in EDITABLE_STUDENT_FIELDS if name != "photo"),
)


class CodeField(serializers.Field):
    """An entry of a national code table, by its code."""

    default_error_messages = {
        "invalid": gettext_lazy("请填写代码表中的代码（文本）。"),
    }

    def __init__(self, *, table: str, **kwargs):
        self.table = table
        kwargs.pop("queryset", None)
        super().__init__(**kwargs)

    def to_representation(self, value: Code) -> str:
        return value.code

    def to_internal_value(self, data) -> Code:
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            self.fail("invalid")
        value = str(data).strip()
        # PostgreSQL refuses a NUL character in a query's text: no code has one.
        code = None if "\x00" in value else Code.objects.filter(table=self.table, code=value).first()
        if code is None:
            raise serializers.ValidationError(
                _("代码“%(code)s”不在%(field)s代码表中。") % {"code": data, "field": self.label or self.table}
            )
        return code


class CodeFieldSchema(OpenApiSerializerFieldExtension):
    """The code table's codes as the field's enum, read when the schema is generated."""

    target_class = CodeField

    def get_name(self):
        return "Code" + "".join(part.title() for part in self.target.table.split("_"))

    def map_serializer_field(self, auto_schema, direction):
        codes = list(Code.objects.filter(table=self.target.table).values_list("code", flat=True))
        schema = {"type": "string", "description": f"national code table `{self.target.table}`"}
        if codes:
            schema["enum"] = codes
        return schema


class CodedModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose foreign keys into the code tables read and write codes."""

    def build_relational_field(self, field_name, relation_info):
        field_class, kwargs = super().build_relational_field(field_name, relation_info)
        if relation_info.related_model is Code:
            kwargs.pop("queryset", None)
            kwargs["table"] = relation_info.model_field.get_limit_choices_to()["table"]
            return CodeField, kwargs
        return field_class, kwargs


class SlugReferenceField(serializers.SlugRelatedField):
    """A reference by code or identifier, among `queryset(user)`; an unknown and an invisible
    reference read the same, so that nothing of another school is revealed."""

    default_error_messages = {
        "does_not_exist": gettext_lazy("没有找到“{value}”。"),
        "invalid": gettext_lazy("格式不正确。"),
    }

    def __init__(self, *, visible, pattern: str, **kwargs):
        self.visible = visible
        self.pattern = re.compile(pattern)
        super().__init__(queryset=SchoolClass.objects.none(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.visible(request.user if request else None)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int)):
            self.fail("invalid")
        value = str(data).strip()
        if not self.pattern.match(value):
            self.fail("does_not_exist", slug_name=self.slug_field, value=value)
        return super().to_internal_value(value)


@extend_schema_field({"type": "string", "pattern": "^[0-9]{12}$", "example": "130330000101"})
class ClassCodeField(SlugReferenceField):
    """A class by its 12-digit code."""

    def __init__(self, *, visible=None, **kwargs):
        super().__init__(visible=visible or selectors.classes_visible_to, pattern="^[0-9]{12}$", slug_field="code", **kwargs)


@extend_schema_field({"type": "string", "pattern": "^[0-9]{10}$", "example": "2133000001"})
class SchoolIdentifierField(SlugReferenceField):
    """A school by its 10-digit identifier (any school of the system: transfers go between schools)."""

    def __init__(self, **kwargs):
        super().__init__(
            visible=lambda user: School.objects.select_related("bureau", "region"),
            pattern="^[0-9]{10}$",
            slug_field="identifier",
            **kwargs,
        )


# --- Output --------------------------------------------------------------------------------------


class MaskedFieldsMixin:
    """ID numbers, student numbers and phone numbers as the request's user may read them
    (selectors.privacy): masked for a teacher, whole for a registrar. Nested serializers share the
    root's context; without a request in it, everything that can be masked is."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        shown = selectors.identity_shown_to(request.user if request is not None else None)
        if not shown.whole:
            for name, value in data.items():
                data[name] = shown.field(name, value)
        return data


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    school = serializers.CharField(allow_null=True, help_text="school identifier")
    bureau = serializers.CharField(allow_null=True, help_text="bureau code")
    class_code = serializers.CharField(allow_null=True, help_text="a teacher's class")
    must_change_password = serializers.BooleanField()


class SchoolSerializer(serializers.ModelSerializer):
    bureau = serializers.CharField(source="bureau.code", read_only=True)
    region = serializers.CharField(source="region.code", read_only=True)

    class Meta:
        model = School
        fields = ["identifier", "name", "type", "bureau", "region"]


class SchoolClassSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.identifier", read_only=True)
    size = serializers.IntegerField(read_only=True, help_text="students placed in the class now")

    class Meta:
        model = SchoolClass
        fields = ["code", "name", "grade", "state", "size", "school", "entry_year"]


class StudentSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    """A row of the student list: what the list selector joins, no query per row."""

    gender = CodeField(table="gender", read_only=True)
    school = serializers.CharField(source="school.identifier", read_only=True)
    class_code = serializers.CharField(source="current_class_code", read_only=True, allow_null=True)
    class_name = serializers.CharField(source="current_class_name", read_only=True, allow_null=True)
    grade = serializers.IntegerField(source="current_grade", read_only=True, allow_null=True)

    class Meta:
        model = Student
        fields = [
            "id", "student_number", "name", "gender", "birth_date", "status", "school", "class_code",
            "class_name", "grade",
        ]


class StudentSummarySerializer(StudentSerializer):
    """Enough to recognise a student of another school (a transfer-in, a request's student)."""

    school_name = serializers.CharField(source="school.name", read_only=True)

    class Meta(StudentSerializer.Meta):
        fields = [*StudentSerializer.Meta.fields, "school_name"]


class FamilyMemberSerializer(MaskedFieldsMixin, CodedModelSerializer):
    class Meta:
        model = FamilyMember
        fields = [*FAMILY_MEMBER_FIELDS]
        validators = []

    def validate(self, attrs):
        try:
            attrs["id_number"] = member_id_number(attrs)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"id_number": error.messages}) from None
        return attrs


class PlacementSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.identifier", read_only=True)
    class_code = serializers.CharField(source="school_class.code", read_only=True)
    class_name = serializers.CharField(source="school_class.name", read_only=True)
    grade = serializers.IntegerField(source="school_class.grade", read_only=True)

    class Meta:
        model = Placement
        fields = ["school", "class_code", "class_name", "grade", "started_on", "ended_on", "reason", "end_reason"]


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(source="label")
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="when")
    user = serializers.SerializerMethodField()
    user_name = serializers.CharField(source="user_display")
    subject = serializers.CharField()
    action = serializers.CharField()
    summary = serializers.CharField()
    reason = serializers.CharField()
    changes = ChangeSerializer(many=True)

    def get_user(self, entry) -> str | None:
        return entry.user.get_username() if entry.user else None


class StudentRecordSerializer(CodedModelSerializer):
    """The record's items, as a registration enters them and the student detail shows them."""

    class Meta:
        model = Student
        fields = list(RECORD_FIELDS)
        # The one-person-one-record check is records.services.student_check_identity's, whose
        # message names the school that holds the record.
        validators = []
        extra_kwargs = {"id_number": {"validators": []}}


class StudentDetailSerializer(MaskedFieldsMixin, StudentRecordSerializer):
    student_number = serializers.CharField(read_only=True)
    former_student_numbers = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    school = serializers.CharField(source="school.identifier", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    class_code = serializers.CharField(source="current_class_code", read_only=True, allow_null=True)
    class_name = serializers.CharField(source="current_class_name", read_only=True, allow_null=True)
    grade = serializers.IntegerField(source="current_grade", read_only=True, allow_null=True)
    poverty = serializers.BooleanField(read_only=True)
    dropout_reason = CodeField(table="dropout_reason", read_only=True, allow_null=True)
    dropout_destination = serializers.CharField(read_only=True)
    suspended_until = serializers.DateField(read_only=True, allow_null=True)
    photo = serializers.SerializerMethodField()
    possible_duplicate_of = serializers.SerializerMethodField(
        help_text="id of a record with the same name, gender and birth date, when you may see it"
    )
    has_possible_duplicate = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    family_members = FamilyMemberSerializer(many=True, read_only=True)
    placements = PlacementSerializer(many=True, read_only=True)
    history = serializers.SerializerMethodField(help_text="every change of the record, newest first")

    class Meta(StudentRecordSerializer.Meta):
        fields = [
            "id", "student_number", "former_student_numbers", *RECORD_FIELDS, "status", "school", "school_name",
            "class_code", "class_name", "grade", "poverty", "dropout_reason", "dropout_destination",
            "suspended_until", "photo", "possible_duplicate_of", "has_possible_duplicate", "created_at",
            "family_members", "placements", "history",
        ]

    def get_photo(self, student) -> str | None:
        return student.photo.url if student.photo else None

    def get_possible_duplicate_of(self, student) -> int | None:
        return student.possible_duplicate_of_id if self.context.get("duplicate_visible") else None

    def get_has_possible_duplicate(self, student) -> bool:
        return student.possible_duplicate_of_id is not None

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, student):
        return HistoryEntrySerializer(self.context.get("history", []), many=True).data


# --- Input ---------------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="send it as `Authorization: Token <token>`; shown only this once")
    prefix = serializers.CharField(help_text="the token's first characters: how GET /api/v1/auth/tokens/ names it")
    expires_at = serializers.DateTimeField(help_text="after this the token is refused with 401; request a new one")


class ApiTokenSerializer(serializers.Serializer):
    """One of the caller's own tokens, without its key."""

    prefix = serializers.CharField(help_text="the token's first characters; DELETE …/auth/tokens/{prefix}/ revokes it")
    client = serializers.CharField(help_text="the User-Agent it was issued to")
    created = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True, help_text="to within a few minutes")
    current = serializers.BooleanField(help_text="the token of this very call")


class TokensRevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(help_text="how many tokens ended")


class StudentFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=50,
        help_text="name or student number (a teacher, who reads student numbers masked: name only)",
    )
    school = serializers.CharField(required=False, allow_blank=True, max_length=10, help_text="school identifier")
    class_code = serializers.CharField(required=False, allow_blank=True, max_length=12)
    status = serializers.ChoiceField(choices=Student.Status.choices, required=False)
    grade = serializers.IntegerField(required=False, min_value=1, max_value=12)


class SchoolFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="name or identifier")
    type = serializers.ChoiceField(choices=School.Type.choices, required=False)
    bureau = serializers.CharField(required=False, allow_blank=True, max_length=6, help_text="bureau code")
    region = serializers.CharField(required=False, allow_blank=True, max_length=6, help_text="region code")


class ClassFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=SchoolClass.State.choices, required=False)
    grade = serializers.IntegerField(required=False, min_value=1, max_value=12)


class ReassignClassSerializer(serializers.Serializer):
    """重新分班: the class (by its code) of the same grade and school to move the student to."""

    to_class = ClassCodeField()
    reason = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")


class StudentLookupSerializer(serializers.Serializer):
    student_number = serializers.CharField(max_length=19)
    name = serializers.CharField(max_length=50)


class TermSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    start = serializers.DateField()
    end = serializers.DateField()


class WindowSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class CalendarSerializer(serializers.Serializer):
    terms = TermSerializer(many=True)
    transfer_windows = WindowSerializer(many=True)


class CalendarReadSerializer(CalendarSerializer):
    bureau = serializers.CharField(help_text="bureau code")
    name = serializers.CharField()
    effective_transfer_windows = WindowSerializer(
        many=True, help_text="the windows in force: the explicit ones, or the first and last week of each term"
    )
    can_edit = serializers.BooleanField()
