"""The bodies of the term-work endpoints: what they read and write (records/api/term_work.py)."""

from __future__ import annotations

from rest_framework import serializers as drf

from ..models import COMMENT_MAX_LENGTH, HeadCount, Level
from ..serializers import MaskedFieldsMixin
from ..subjects import Subject


class TermRefSerializer(drf.Serializer):
    id = drf.IntegerField()
    name = drf.CharField()
    start = drf.DateField()
    end = drf.DateField()


class CheckSerializer(drf.Serializer):
    point = drf.ChoiceField(choices=HeadCount.Point.choices)
    status = drf.ChoiceField(
        choices=["done", "mismatch", "not_yet", "open", "overdue", "missed"],
        help_text="done · mismatch (done, explained) · not_yet · open · overdue (late, still possible) · missed",
    )
    opens = drf.DateField(source="schedule.opens")
    due = drf.DateField(source="schedule.due")
    closes = drf.DateField(source="schedule.closes")
    matches = drf.BooleanField(source="head_count.matches", allow_null=True, help_text="null: not checked")
    roster_count = drf.IntegerField(source="head_count.roster_count", allow_null=True)
    actual_count = drf.IntegerField(source="head_count.actual_count", allow_null=True)
    confirmed_at = drf.DateTimeField(source="head_count.confirmed_at", allow_null=True)


class SubjectProgressSerializer(drf.Serializer):
    subject = drf.ChoiceField(choices=Subject.choices)
    subject_name = drf.CharField(source="label")
    entered = drf.IntegerField()
    size = drf.IntegerField()


class TermWorkRowSerializer(drf.Serializer):
    class_code = drf.CharField(source="school_class.code")
    class_name = drf.CharField(source="school_class.name")
    school = drf.CharField(source="school_class.school.identifier")
    school_name = drf.CharField(source="school_class.school.name")
    term = TermRefSerializer(allow_null=True)
    size = drf.IntegerField(source="school_class.size")
    head_counts = CheckSerializer(source="checks", many=True)
    grades = SubjectProgressSerializer(source="subjects", many=True)
    comments = drf.IntegerField(source="school_class.comment_count")


class TermWorkFilterSerializer(drf.Serializer):
    school = drf.RegexField(r"^[0-9]{10}$", required=False, help_text="school identifier")
    unchecked = drf.BooleanField(required=False, help_text="only the classes that have not done a head count due this term")


class StudentRefSerializer(MaskedFieldsMixin, drf.Serializer):
    id = drf.IntegerField()
    student_number = drf.CharField(help_text="masked for a teacher (records.selectors.privacy)")
    name = drf.CharField()


class HeadCountSerializer(drf.Serializer):
    id = drf.IntegerField()
    term = TermRefSerializer()
    point = drf.ChoiceField(choices=HeadCount.Point.choices)
    roster_count = drf.IntegerField()
    actual_count = drf.IntegerField()
    matches = drf.BooleanField()
    missing = StudentRefSerializer(many=True)
    extras = drf.ListField(child=drf.CharField())
    explanation = drf.CharField()
    confirmed_by = drf.CharField(source="confirmed_by.username")
    confirmed_by_name = drf.CharField(source="confirmed_by.first_name")
    confirmed_at = drf.DateTimeField()


class HeadCountConfirmSerializer(drf.Serializer):
    point = drf.ChoiceField(choices=HeadCount.Point.choices)
    actual_count = drf.IntegerField(min_value=0, max_value=999, help_text="the students really in class")
    missing = drf.ListField(
        child=drf.CharField(), required=False, default=list,
        help_text="student numbers or ids of the roster's students not in class",
    )
    extras = drf.ListField(
        child=drf.CharField(max_length=50), required=False, default=list, help_text="names of those in class who are not on the roster"
    )
    explanation = drf.CharField(required=False, allow_blank=True, default="", max_length=1000, help_text="required when the count does not match")


class ClassTermWorkSerializer(drf.Serializer):
    class_code = drf.CharField(source="school_class.code")
    class_name = drf.CharField(source="school_class.name")
    term = TermRefSerializer()
    size = drf.IntegerField()
    head_counts = CheckSerializer(source="checks", many=True)
    grades = SubjectProgressSerializer(source="subjects", many=True)
    comments = drf.IntegerField()
    entry_open = drf.BooleanField(help_text="grades and comments may be written now")
    entry_due = drf.DateField(source="entry.due")


LEVEL_HELP = "优秀, 良好, 合格, 待合格 (or excellent, good, pass, pending); empty or null clears it. Never a score."


class GradeInSerializer(drf.Serializer):
    student = drf.CharField(help_text="the student's number, or id (a teacher reads student numbers masked)")
    level = drf.CharField(allow_blank=True, allow_null=True, help_text=LEVEL_HELP)


class ClassGradesInSerializer(drf.Serializer):
    subject = drf.ChoiceField(choices=Subject.choices, required=False, help_text="your subject when left out")
    grades = GradeInSerializer(many=True)


class GradeOutSerializer(drf.Serializer):
    subject = drf.ChoiceField(choices=Subject.choices)
    level = drf.ChoiceField(choices=Level.choices, allow_null=True)
    level_name = drf.CharField(allow_null=True)


class SheetRowSerializer(drf.Serializer):
    id = drf.IntegerField(help_text="the student's id")
    student = drf.CharField(help_text="student number, masked for a teacher (records.selectors.privacy)")
    name = drf.CharField()
    grades = GradeOutSerializer(many=True)


class ClassGradesSerializer(drf.Serializer):
    class_code = drf.CharField()
    term = TermRefSerializer()
    subjects = drf.ListField(child=drf.ChoiceField(choices=Subject.choices))
    students = SheetRowSerializer(many=True)


class LevelInSerializer(drf.Serializer):
    level = drf.CharField(allow_blank=True, allow_null=True, help_text=LEVEL_HELP)


class CommentInSerializer(drf.Serializer):
    student = drf.CharField(help_text="the student's number, or id (a teacher reads student numbers masked)")
    text = drf.CharField(allow_blank=True, trim_whitespace=True, help_text=f"at most {COMMENT_MAX_LENGTH} characters; empty removes it")


class ClassCommentsInSerializer(drf.Serializer):
    comments = CommentInSerializer(many=True)


class CommentRowSerializer(drf.Serializer):
    id = drf.IntegerField(help_text="the student's id")
    student = drf.CharField(help_text="student number, masked for a teacher (records.selectors.privacy)")
    name = drf.CharField()
    text = drf.CharField(allow_null=True)


class ClassCommentsSerializer(drf.Serializer):
    class_code = drf.CharField()
    term = TermRefSerializer()
    students = CommentRowSerializer(many=True)


class TextInSerializer(drf.Serializer):
    text = drf.CharField(allow_blank=True, help_text=f"at most {COMMENT_MAX_LENGTH} characters; empty removes it")


class TermRecordSerializer(drf.Serializer):
    term = TermRefSerializer()
    school_name = drf.CharField()
    class_name = drf.CharField()
    grades = GradeOutSerializer(many=True)
    comment = drf.CharField(allow_null=True)
