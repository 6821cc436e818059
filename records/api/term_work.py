"""Term work on the API: the overview of classes, a class's term, head counts, level grades and
term comments (for the class at once or per student), and a student's terms.

Whatever the pages do: the same selectors decide what a user sees (a class or student they may
not see is a 404), the same services write and refuse (403 for another class, 400 for bad
input naming the student, 409 when the term or the check is not open).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework import status as http_status
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..errors import Conflict
from ..models import HeadCount, Student
from ..selectors.term_work import subjects_taught_in, terms_of_class
from ..subjects import Subject
from ..term_deadlines import term_current, term_current_or_last
from .common import query_filters
from .term_work_serializers import (
    ClassCommentsInSerializer,
    ClassCommentsSerializer,
    ClassGradesInSerializer,
    ClassGradesSerializer,
    ClassTermWorkSerializer,
    CommentRowSerializer,
    GradeOutSerializer,
    HeadCountConfirmSerializer,
    HeadCountSerializer,
    LevelInSerializer,
    TermRecordSerializer,
    TermWorkFilterSerializer,
    TermWorkRowSerializer,
    TextInSerializer,
)

# --- Helpers -----------------------------------------------------------------------------------------


def _class_of(request, code: str):
    return get_object_or_404(selectors.classes_visible_to(request.user).select_related("school__bureau"), code=code)


def _term_for_reading(request, school_class):
    """?term=<id> among the class's bureau's terms, or the current (else the last) term."""
    today = timezone.localdate()
    chosen = request.query_params.get("term")
    if chosen:
        term = terms_of_class(school_class, day=today).filter(pk=chosen if chosen.isdigit() else None).first()
        if term is None:
            raise exceptions.NotFound(_("没有这个学期。"))
        return term
    term = term_current_or_last(school_class.school.bureau_id, today)
    if term is None:
        raise exceptions.NotFound(_("%(bureau)s尚未公布学期。") % {"bureau": school_class.school.bureau.name})
    return term


def _term_for_writing(school_class):
    term = term_current(school_class.school.bureau_id, timezone.localdate())
    if term is None:
        raise Conflict(_("今天不在%(bureau)s的任何学期内，不能填写。") % {"bureau": school_class.school.bureau.name})
    return term


def _students_by_number(school_class, numbers, field: str) -> dict[str, Student]:
    """The roster's students by student number or id (a teacher reads the numbers masked, and
    sends the ids the rows carry); one not on the roster is refused on `field`."""
    roster = {}
    for student in selectors.class_roster(school_class):
        roster[student.student_number] = roster[str(student.pk)] = student
    unknown = [number for number in numbers if number.strip().upper() not in roster]
    if unknown:
        raise exceptions.ValidationError(
            {field: [_("学籍号 %(numbers)s 不在%(class)s的名册上。") % {"numbers": "、".join(unknown), "class": school_class.name}]}
        )
    return {number: roster[number.strip().upper()] for number in numbers}


def _rows_refused(error: ValidationError, fields: dict[int, str]) -> Exception:
    """A service's refusal, keyed by student id, on the body's fields: {id: "grades.3.level"}.
    A refusal of the whole entry (the term has ended: 409) goes on as it is."""
    if not hasattr(error, "error_dict"):
        return error
    return exceptions.ValidationError(
        {fields.get(int(key), key) if key.isdigit() else key: messages for key, messages in error.message_dict.items()}
    )


def _student_in_class(request, pk: int):
    student = get_object_or_404(selectors.students_visible_to(request.user), pk=pk)
    placement = student.open_placement
    if placement is None:
        raise Conflict(_("%(name)s目前不在任何班级，不能录入。") % {"name": student.name})
    return student, placement.school_class


def _head_count_body(head_count: HeadCount, request) -> dict:
    return HeadCountSerializer(head_count, context={"request": request}).data


def _grades_body(school_class, term, subjects, shown) -> dict:
    rows = selectors.grade_sheet(school_class, term, subjects)
    return {
        "class_code": school_class.code,
        "term": term,
        "subjects": subjects,
        "students": [
            {
                "id": student.pk,
                "student": shown.student_number(student.student_number),
                "name": student.name,
                "grades": [
                    {
                        "subject": subject,
                        "level": grades[subject].level if subject in grades else None,
                        "level_name": grades[subject].get_level_display() if subject in grades else None,
                    }
                    for subject in subjects
                ],
            }
            for student, grades in rows
        ],
    }


def _comments_body(school_class, term, shown) -> dict:
    return {
        "class_code": school_class.code,
        "term": term,
        "students": [
            {
                "id": student.pk, "student": shown.student_number(student.student_number), "name": student.name,
                "text": comment.text if comment else None,
            }
            for student, comment in selectors.comment_sheet(school_class, term)
        ],
    }


TERM_PARAMETER = OpenApiParameter("term", int, description="a term's id (default: the current term, else the last)")


# --- The overview ------------------------------------------------------------------------------------


@extend_schema(parameters=[TermWorkFilterSerializer], tags=["term work"])
class TermWorkList(generics.ListAPIView):
    """The open classes you may see, each with this term's head counts, grades entered per
    subject and comments written: a school's own, a bureau's whole region, paged."""

    serializer_class = TermWorkRowSerializer

    def get_queryset(self):
        found = query_filters(self.request, TermWorkFilterSerializer)
        today = timezone.localdate()
        return selectors.term_work_classes(
            self.request.user, day=today, school=found.get("school", ""), unchecked_only=bool(found.get("unchecked"))
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = selectors.term_work_rows(page, day=timezone.localdate())
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


# --- One class ---------------------------------------------------------------------------------------


class ClassTermWorkView(APIView):
    """A class's term: both head counts, grades entered per subject, comments written."""

    @extend_schema(parameters=[TERM_PARAMETER], responses=ClassTermWorkSerializer, tags=["term work"])
    def get(self, request, code):
        school_class = _class_of(request, code)
        term = _term_for_reading(request, school_class)
        work = selectors.class_term_work(school_class, term, day=timezone.localdate())
        return Response(ClassTermWorkSerializer(work).data)


class ClassHeadCountsView(APIView):
    """GET: every head count of the class, the latest term first. POST: the class teacher
    confirms this term's check (`point`); a mismatch needs an explanation."""

    @extend_schema(responses=HeadCountSerializer(many=True), tags=["term work"])
    def get(self, request, code):
        school_class = _class_of(request, code)
        head_counts = school_class.head_counts.select_related("term", "confirmed_by").order_by("-term__start", "point")
        return Response([_head_count_body(head_count, request) for head_count in head_counts])

    @extend_schema(request=HeadCountConfirmSerializer, responses={201: HeadCountSerializer}, tags=["term work"])
    def post(self, request, code):
        school_class = _class_of(request, code)
        if not selectors.is_class_teacher_of(request.user, school_class):
            raise exceptions.PermissionDenied(_("只有本班班主任可以核对本班人数。"))
        body = HeadCountConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        term = _term_for_writing(school_class)
        missing = _students_by_number(school_class, body.validated_data["missing"], "missing")
        head_count = services.head_count_confirm(
            school_class=school_class,
            term=term,
            point=body.validated_data["point"],
            actual_count=body.validated_data["actual_count"],
            missing=list(missing.values()),
            extras=body.validated_data["extras"],
            explanation=body.validated_data["explanation"],
            by=request.user,
        )
        return Response(_head_count_body(head_count, request), status=http_status.HTTP_201_CREATED)


class ClassGradesView(APIView):
    """GET: the class's levels in a term, by subject. PUT: the subject teacher enters levels
    for any of the class's students at once (a score anywhere refuses the whole entry)."""

    @extend_schema(
        parameters=[TERM_PARAMETER, OpenApiParameter("subject", str, enum=Subject.values, description="one subject (default: all taught)")],
        responses=ClassGradesSerializer,
        tags=["term work"],
    )
    def get(self, request, code):
        school_class = _class_of(request, code)
        term = _term_for_reading(request, school_class)
        subject = request.query_params.get("subject")
        if subject:
            if subject not in Subject.values:
                raise exceptions.ValidationError({"subject": [_("没有这个学科。")]})
            subjects = [subject]
        else:
            subjects = subjects_taught_in([school_class.pk], term).get(school_class.pk, [])
        shown = selectors.identity_shown_to(request.user)
        return Response(ClassGradesSerializer(_grades_body(school_class, term, subjects, shown)).data)

    @extend_schema(request=ClassGradesInSerializer, responses=ClassGradesSerializer, tags=["term work"])
    def put(self, request, code):
        school_class = _class_of(request, code)
        body = ClassGradesInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subject = body.validated_data.get("subject") or selectors.subject_taught_by(request.user, school_class)
        if not subject or selectors.subject_taught_by(request.user, school_class) != subject:
            raise exceptions.PermissionDenied(_("只有本班该学科的任课教师可以录入该学科的成绩。"))
        term = _term_for_writing(school_class)
        entries = body.validated_data["grades"]
        students = _students_by_number(school_class, [entry["student"] for entry in entries], "grades")
        levels = {students[entry["student"]].pk: entry["level"] for entry in entries}
        index_of = {students[entry["student"]].pk: n for n, entry in enumerate(entries)}
        try:
            services.grades_record(school_class=school_class, term=term, subject=subject, levels=levels, by=request.user)
        except ValidationError as error:
            raise _rows_refused(error, {pk: f"grades.{n}.level" for pk, n in index_of.items()}) from None
        shown = selectors.identity_shown_to(request.user)
        return Response(ClassGradesSerializer(_grades_body(school_class, term, [subject], shown)).data)


class StudentGradeView(APIView):
    """One student's level in one subject this term: PUT sets it, DELETE clears it."""

    @extend_schema(request=LevelInSerializer, responses=GradeOutSerializer, tags=["term work"])
    def put(self, request, pk, subject):
        student, school_class = _student_in_class(request, pk)
        body = LevelInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._record(request, student, school_class, subject, body.validated_data["level"])

    @extend_schema(request=None, responses={204: None}, tags=["term work"])
    def delete(self, request, pk, subject):
        student, school_class = _student_in_class(request, pk)
        self._record(request, student, school_class, subject, "")
        return Response(status=http_status.HTTP_204_NO_CONTENT)

    def _record(self, request, student, school_class, subject, level):
        if subject not in Subject.values:
            raise exceptions.NotFound(_("没有这个学科。"))
        term = _term_for_writing(school_class)
        try:
            services.grades_record(
                school_class=school_class, term=term, subject=subject, levels={student.pk: level}, by=request.user
            )
        except ValidationError as error:
            raise _rows_refused(error, {student.pk: "level"}) from None
        grade = student.level_grades.filter(term=term, subject=subject).first()
        return Response(
            GradeOutSerializer(
                {"subject": subject, "level": grade.level if grade else None, "level_name": grade.get_level_display() if grade else None}
            ).data
        )


class ClassCommentsView(APIView):
    """GET: the class's term comments. PUT: the class teacher writes comments for any of the
    class's students at once."""

    @extend_schema(parameters=[TERM_PARAMETER], responses=ClassCommentsSerializer, tags=["term work"])
    def get(self, request, code):
        school_class = _class_of(request, code)
        term, shown = _term_for_reading(request, school_class), selectors.identity_shown_to(request.user)
        return Response(ClassCommentsSerializer(_comments_body(school_class, term, shown)).data)

    @extend_schema(request=ClassCommentsInSerializer, responses=ClassCommentsSerializer, tags=["term work"])
    def put(self, request, code):
        school_class = _class_of(request, code)
        if not selectors.is_class_teacher_of(request.user, school_class):
            raise exceptions.PermissionDenied(_("只有本班班主任可以填写期末评语。"))
        body = ClassCommentsInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        term = _term_for_writing(school_class)
        entries = body.validated_data["comments"]
        students = _students_by_number(school_class, [entry["student"] for entry in entries], "comments")
        texts = {students[entry["student"]].pk: entry["text"] for entry in entries}
        index_of = {students[entry["student"]].pk: n for n, entry in enumerate(entries)}
        try:
            services.comments_record(school_class=school_class, term=term, texts=texts, by=request.user)
        except ValidationError as error:
            raise _rows_refused(error, {pk: f"comments.{n}.text" for pk, n in index_of.items()}) from None
        shown = selectors.identity_shown_to(request.user)
        return Response(ClassCommentsSerializer(_comments_body(school_class, term, shown)).data)


class StudentCommentView(APIView):
    """One student's term comment this term: PUT writes it, DELETE removes it."""

    @extend_schema(request=TextInSerializer, responses=CommentRowSerializer, tags=["term work"])
    def put(self, request, pk):
        student, school_class = _student_in_class(request, pk)
        body = TextInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._record(request, student, school_class, body.validated_data["text"])

    @extend_schema(request=None, responses={204: None}, tags=["term work"])
    def delete(self, request, pk):
        student, school_class = _student_in_class(request, pk)
        self._record(request, student, school_class, "")
        return Response(status=http_status.HTTP_204_NO_CONTENT)

    def _record(self, request, student, school_class, text):
        term = _term_for_writing(school_class)
        try:
            services.comments_record(school_class=school_class, term=term, texts={student.pk: text}, by=request.user)
        except ValidationError as error:
            raise _rows_refused(error, {student.pk: "text"}) from None
        comment = student.term_comments.filter(term=term).first()
        return Response(
            CommentRowSerializer({
                "id": student.pk,
                "student": selectors.identity_shown_to(request.user).student_number(student.student_number),
                "name": student.name,
                "text": comment.text if comment else None,
            }).data
        )


class StudentTermRecordsView(APIView):
    """A student's level grades and term comments, term by term (what the record card prints)."""

    @extend_schema(responses=TermRecordSerializer(many=True), tags=["term work"])
    def get(self, request, pk):
        student = get_object_or_404(selectors.students_visible_to(request.user), pk=pk)
        return Response(
            [
                TermRecordSerializer(
                    {
                        "term": record.term,
                        "school_name": record.school_name,
                        "class_name": record.class_name,
                        "grades": [
                            {"subject": g.subject, "level": g.level, "level_name": g.get_level_display()} for g in record.grades
                        ],
                        "comment": record.comment.text if record.comment else None,
                    }
                ).data
                for record in selectors.student_term_records(student)
            ]
        )
