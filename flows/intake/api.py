"""Intake files on the API (批量导入新生): upload one (its validation is a background job), follow
it, read what it found; the request itself starts with POST /requests/ {"kind": "intake"}. The
template and the error report are the register's endpoints (records/api/intake.py)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, parsers, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from records import selectors
from records.models import IntakeImport
from records.views.intake import visible_import

from .tasks import intake_import_start

# The rows listed in a file's detail; all of them are in the error report.
DETAIL_ROWS = 200


class IntakeErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="the row in the uploaded file (the header is row 1)")
    column = serializers.CharField(help_text="the column's header")
    message = serializers.CharField()


class IntakeFlaggedSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    name = serializers.CharField()
    duplicate_of = serializers.IntegerField(allow_null=True, help_text="the existing record's id, if it is one of yours")
    duplicate_of_school = serializers.CharField(allow_null=True)
    duplicate_row = serializers.IntegerField(allow_null=True, help_text="another row of the file")


class IntakeImportSerializer(serializers.ModelSerializer):
    """An intake file and its validation: follow `state`, `done` of `total` until `finished`."""

    school = serializers.CharField(source="school.identifier")
    file = serializers.CharField(source="original_name")
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    done = serializers.IntegerField(source="done_rows")
    total = serializers.IntegerField(source="total_rows")
    finished = serializers.BooleanField()
    error_report = serializers.SerializerMethodField(help_text="GET it with your token; null without errors")
    request = serializers.SerializerMethodField(help_text="the bulk registration request, once submitted")

    class Meta:
        model = IntakeImport
        fields = [
            "id", "school", "file", "uploaded_by", "created_at", "state", "done", "total", "finished",
            "valid_rows", "error_rows", "flagged_rows", "error", "error_report", "request",
        ]

    def get_error_report(self, intake_import) -> str | None:
        return reverse("api-intake-import-errors", args=[intake_import.pk]) if intake_import.error_file else None

    def get_request(self, intake_import) -> int | None:
        if intake_import.state != IntakeImport.State.SUBMITTED:
            return None
        return intake_import.intake_request.pk


class IntakeImportDetailSerializer(IntakeImportSerializer):
    errors = serializers.SerializerMethodField(help_text=f"the first {DETAIL_ROWS} errors, row by row")
    flagged = serializers.SerializerMethodField(help_text="valid rows that look like an existing record or another row")

    class Meta(IntakeImportSerializer.Meta):
        fields = [*IntakeImportSerializer.Meta.fields, "errors", "flagged"]

    @extend_schema_field(IntakeErrorSerializer(many=True))
    def get_errors(self, intake_import):
        found = []
        for row in intake_import.rows.exclude(errors={}).order_by("row")[:DETAIL_ROWS]:
            found += [{"row": row.row, "column": column, "message": message} for column, message in row.errors.items()]
        return found[:DETAIL_ROWS]

    @extend_schema_field(IntakeFlaggedSerializer(many=True))
    def get_flagged(self, intake_import):
        rows = (
            intake_import.rows.filter(errors={}).exclude(possible_duplicate=None, duplicate_row=None)
            .select_related("possible_duplicate__school").order_by("row")[:DETAIL_ROWS]
        )
        return [
            {
                "row": row.row, "name": row.name,
                "duplicate_of": row.possible_duplicate_id
                if row.possible_duplicate and row.possible_duplicate.school_id == intake_import.school_id
                else None,
                "duplicate_of_school": row.possible_duplicate.school.name if row.possible_duplicate else None,
                "duplicate_row": row.duplicate_row,
            }
            for row in rows
        ]


class IntakeUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="the filled-in intake template (.xlsx), at most 20 MB")


class IntakeImportListView(generics.ListAPIView):
    """GET: the intake files you may see, newest first. POST (a school's registrar): upload one;
    202, checked by a background job; follow it at /intake-imports/{id}/, then start the request
    with POST /requests/ {"kind": "intake", "intake_import": id}."""

    serializer_class = IntakeImportSerializer
    filter_backends = ()
    parser_classes = (parsers.MultiPartParser,)

    def get_queryset(self):
        return selectors.intake_imports_visible_to(self.request.user).select_related("intake_request")

    @extend_schema(tags=["intake"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=IntakeUploadSerializer, responses={202: IntakeImportSerializer}, tags=["intake"])
    def post(self, request):
        body = IntakeUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            intake_import = intake_import_start(file=body.validated_data["file"], by=request.user)
        return Response(IntakeImportSerializer(intake_import).data, status=status.HTTP_202_ACCEPTED)


class IntakeImportDetailView(APIView):
    """An intake file you may see: its validation's progress, then its errors and flagged rows."""

    @extend_schema(responses=IntakeImportDetailSerializer, tags=["intake"])
    def get(self, request, pk):
        return Response(IntakeImportDetailSerializer(visible_import(request.user, pk)).data)
