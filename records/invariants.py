"""What must hold over the whole register, whatever happened to it: each rule a query for the rows
that break it. `manage.py xueji_check` lists them (with the requests' rules of flows/invariants.py).

The database keeps some of these by itself (one open placement per student, unique student
numbers); they are checked here as well, so that a constraint dropped or bypassed is noticed too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery

from .models import Placement, SchoolClass, Student

STUDENT_NUMBER_PATTERN = r"^[GLJ][0-9]{17}[0-9X]$"


@dataclass(frozen=True)
class Violation:
    rule: str  # the rule's name, as RULES lists it
    subject: str  # what breaks it: "student 12 G3308252016…", "request 7"

    def __str__(self) -> str:
        return f"{self.rule}: {self.subject}"


def _students(rule: str, students) -> list[Violation]:
    return [Violation(rule, f"student {pk} {number}") for pk, number in students.order_by("pk").values_list("pk", "student_number")]


def _open_placement():
    return Placement.objects.filter(student=OuterRef("pk"), ended_on__isnull=True)


def enrolled_without_placement() -> list[Violation]:
    return _students(
        "enrolled_without_placement",
        Student.objects.filter(status=Student.Status.ENROLLED).filter(~Exists(_open_placement())),
    )


def placed_while_not_enrolled() -> list[Violation]:
    return _students(
        "placed_while_not_enrolled",
        Student.objects.exclude(status=Student.Status.ENROLLED).filter(Exists(_open_placement())),
    )


def several_open_placements() -> list[Violation]:
    rows = (
        Placement.objects.filter(ended_on__isnull=True).values("student_id").annotate(n=Count("pk")).filter(n__gt=1)
    )
    return [Violation("several_open_placements", f"student {row['student_id']}") for row in rows.order_by("student_id")]


def overlapping_placements() -> list[Violation]:
    """Two placements of one student whose periods overlap: [started_on, ended_on) with an open
    end for the open one, so that a move closes one and opens the other on the same day."""
    table = Placement._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.student_id, a.id, b.id FROM {table} a JOIN {table} b
              ON a.student_id = b.student_id AND a.id < b.id
             WHERE a.started_on < COALESCE(b.ended_on, DATE '9999-12-31')
               AND b.started_on < COALESCE(a.ended_on, DATE '9999-12-31')
             ORDER BY a.student_id, a.id, b.id
            """
        )
        return [Violation("overlapping_placements", f"student {s} placements {a} and {b}") for s, a, b in cursor.fetchall()]


def placement_not_at_its_class_school() -> list[Violation]:
    wrong = Placement.objects.exclude(school_id=F("school_class__school_id")).order_by("pk")
    return [Violation("placement_not_at_its_class_school", f"placement {pk}") for pk in wrong.values_list("pk", flat=True)]


def placed_outside_own_school() -> list[Violation]:
    """The open placement is at the school that keeps the record."""
    return _students(
        "placed_outside_own_school",
        Student.objects.filter(Exists(_open_placement().exclude(school_id=OuterRef("school_id")))),
    )


def school_not_of_last_placement() -> list[Violation]:
    """The school that keeps the record is the one the student was last placed at: a move changes
    both, leaving (dropout, graduation) changes neither."""
    last = Placement.objects.filter(student=OuterRef("pk")).order_by("-started_on", "-pk")
    return _students(
        "school_not_of_last_placement",
        Student.objects.annotate(last_school=Subquery(last.values("school_id")[:1]))
        .filter(last_school__isnull=False)
        .exclude(last_school=F("school_id")),
    )


def placed_in_a_closed_class() -> list[Violation]:
    wrong = Placement.objects.filter(ended_on__isnull=True).exclude(school_class__state=SchoolClass.State.OPEN)
    return [Violation("placed_in_a_closed_class", f"placement {pk}") for pk in wrong.order_by("pk").values_list("pk", flat=True)]


def student_number_taken_twice() -> list[Violation]:
    rows = Student.objects.values("student_number").annotate(n=Count("pk")).filter(n__gt=1).order_by("student_number")
    return [Violation("student_number_taken_twice", row["student_number"]) for row in rows]


def student_number_malformed() -> list[Violation]:
    return _students("student_number_malformed", Student.objects.exclude(student_number__regex=STUDENT_NUMBER_PATTERN))


def suspension_end_out_of_status() -> list[Violation]:
    """A suspended student has the date the suspension ends; nobody else has one."""
    return _students(
        "suspension_end_out_of_status",
        Student.objects.filter(
            Q(status=Student.Status.SUSPENDED, suspended_until__isnull=True)
            | (~Q(status=Student.Status.SUSPENDED) & Q(suspended_until__isnull=False))
        ),
    )


def dropout_reason_out_of_status() -> list[Violation]:
    """A dropped-out student has the reason; resumption clears it (death keeps it)."""
    left = [Student.Status.DROPPED_OUT, Student.Status.DECEASED]
    return _students(
        "dropout_reason_out_of_status",
        Student.objects.filter(
            Q(status=Student.Status.DROPPED_OUT, dropout_reason__isnull=True)
            | (~Q(status__in=left) & Q(dropout_reason__isnull=False))
        ),
    )


RULES = {
    "enrolled_without_placement": ("an enrolled student has no open placement 在籍学生没有在读班级", enrolled_without_placement),
    "placed_while_not_enrolled": ("a student not enrolled still has an open placement 非在籍学生仍在班", placed_while_not_enrolled),
    "several_open_placements": ("a student has more than one open placement 一名学生同时在多个班", several_open_placements),
    "overlapping_placements": ("two placements of one student overlap 在班记录时间重叠", overlapping_placements),
    "placement_not_at_its_class_school": ("a placement's school is not its class's 在班记录的学校与班级不符", placement_not_at_its_class_school),
    "placed_outside_own_school": ("the open placement is not at the student's school 在读班级不在学籍所在学校", placed_outside_own_school),
    "school_not_of_last_placement": ("the record is kept by another school than the last placement's 学籍所在学校与最近在班记录不符", school_not_of_last_placement),
    "placed_in_a_closed_class": ("an open placement in a graduated or dissolved class 在已毕业或撤销的班级在读", placed_in_a_closed_class),
    "student_number_taken_twice": ("a student number is held by two records 学籍号重复", student_number_taken_twice),
    "student_number_malformed": ("a student number is not G/L/J + 18 characters 学籍号格式错误", student_number_malformed),
    "suspension_end_out_of_status": ("a suspension end date does not match the status 休学截止日期与学籍状态不符", suspension_end_out_of_status),
    "dropout_reason_out_of_status": ("a dropout reason does not match the status 流失原因与学籍状态不符", dropout_reason_out_of_status),
}


def register_violations() -> list[Violation]:
    """Every row of the register that breaks a rule, rule by rule."""
    return [violation for _description, check in RULES.values() for violation in check()]
