"""A class's term work (学期工作): the head-count checks at the start and end of a term, the level
grades of each subject, and the class teacher's term comments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..subjects import Subject
from .calendar import Term
from .organisation import SchoolClass
from .students import Student

# 期末评语: about what fits on the record card's comment box.
COMMENT_MAX_LENGTH = 300


class HeadCount(models.Model):
    """人数核对: the class teacher confirms the roster against the students really in class.

    What was confirmed is kept as it was then: the roster's size, the real count, the roster's
    students missing from class and anyone present who is not on it. A new confirmation of the
    same check replaces it, and the history keeps the earlier one with who confirmed it and when.
    """

    class Point(models.TextChoices):
        START = "start", _("期初")
        END = "end", _("期末")

    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("班级"), on_delete=models.PROTECT, related_name="head_counts"
    )
    term = models.ForeignKey(Term, verbose_name=_("学期"), on_delete=models.PROTECT, related_name="head_counts")
    point = models.CharField(_("核对时点"), max_length=8, choices=Point.choices)
    roster_count = models.PositiveSmallIntegerField(_("系统名册人数"))
    actual_count = models.PositiveSmallIntegerField(_("实到人数"))
    # [{"id": 7, "name": "王小明", "student_number": "G…"}]: the roster's students not in class.
    missing = models.JSONField(_("名册上未到班的学生"), default=list, blank=True)
    # The names of those in class who are not on the roster, one per entry.
    extras = models.JSONField(_("在班但不在名册上的学生"), default=list, blank=True)
    matches = models.BooleanField(_("与名册相符"))
    explanation = models.TextField(_("不符说明"), blank=True, max_length=1000)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人数核对")
        verbose_name_plural = _("人数核对")
        # By columns of its own: an ordering through a relation would join it into every subquery.
        ordering = ["term_id", "school_class_id", "point"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "term", "point"], name="head_count_once_per_point"),
            models.CheckConstraint(condition=Q(point__in=["start", "end"]), name="head_count_point_valid"),
            # A mismatch is never confirmed without a word on why (篇1 三: 严禁系统人数与实际人数不符).
            models.CheckConstraint(
                condition=Q(matches=True) | ~Q(explanation=""), name="head_count_mismatch_explained"
            ),
            models.CheckConstraint(
                condition=Q(matches=False) | Q(actual_count=models.F("roster_count")),
                name="head_count_match_means_same_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_class} · {self.term} · {self.get_point_display()}"


class Level(models.TextChoices):
    """等级制: the four levels, and nothing else (篇1 五: 严禁录入考试分数)."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    PENDING = "pending", _("待合格")


class LevelGrade(models.Model):
    """A student's level in one subject for one term, entered by the subject's teacher."""

    student = models.ForeignKey(Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="level_grades")
    term = models.ForeignKey(Term, verbose_name=_("学期"), on_delete=models.PROTECT, related_name="level_grades")
    subject = models.CharField(_("学科"), max_length=16, choices=Subject.choices)
    level = models.CharField(_("等级"), max_length=16, choices=Level.choices)
    # The class the student was in when the grade was entered: a later transfer does not move it.
    school_class = models.ForeignKey(SchoolClass, verbose_name=_("班级"), on_delete=models.PROTECT, related_name="+")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("录入时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("等级成绩")
        verbose_name_plural = _("等级成绩")
        ordering = ["term_id", "student_id", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["student", "term", "subject"], name="level_grade_once_per_subject"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="level_grade_level_valid"),
            models.CheckConstraint(condition=Q(subject__in=Subject.values), name="level_grade_subject_valid"),
        ]
        indexes = [models.Index(fields=["school_class", "term", "subject"], name="level_grade_by_class")]

    def __str__(self) -> str:
        return f"{self.student.name} · {self.get_subject_display()} · {self.get_level_display()}"


class TermComment(models.Model):
    """期末评语: the class teacher's comment on one student for one term."""

    student = models.ForeignKey(Student, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="term_comments")
    term = models.ForeignKey(Term, verbose_name=_("学期"), on_delete=models.PROTECT, related_name="term_comments")
    text = models.CharField(_("评语"), max_length=COMMENT_MAX_LENGTH)
    school_class = models.ForeignKey(SchoolClass, verbose_name=_("班级"), on_delete=models.PROTECT, related_name="+")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("填写时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("期末评语")
        verbose_name_plural = _("期末评语")
        ordering = ["term_id", "student_id"]
        constraints = [
            models.UniqueConstraint(fields=["student", "term"], name="term_comment_once_per_term"),
            models.CheckConstraint(condition=~Q(text=""), name="term_comment_not_blank"),
        ]
        indexes = [models.Index(fields=["school_class", "term"], name="term_comment_by_class")]

    def __str__(self) -> str:
        return f"{self.student.name} · {self.term}"
