"""What the class exports read: the class's students now, with everything the sheets write."""

from __future__ import annotations

from django.db.models import F, FilteredRelation, Prefetch, Q, QuerySet

from ..models import FamilyMember, SchoolClass, Student
from ..names import by_name
from ..record_form import STUDENT_CODE_FIELDS
from .scope import student_search


def class_students_for_export(user, school_class: SchoolClass) -> QuerySet[Student]:
    """The students placed in the class now that the user may see (the class page's roster), in
    roster order, with their codes, family members and the date they joined the class: three
    queries whatever the class's size."""
    members = FamilyMember.objects.select_related("relationship", "ethnicity", "id_type").order_by("position")
    return (
        student_search(user, class_code=school_class.code)
        .select_related(*STUDENT_CODE_FIELDS)
        .prefetch_related(Prefetch("family_members", queryset=members))
        .annotate(
            open_row=FilteredRelation(
                "placements", condition=Q(placements__ended_on__isnull=True, placements__school_class=school_class)
            ),
            placed_on=F("open_row__started_on"),
        )
        .order_by(by_name(), "pk")
    )
