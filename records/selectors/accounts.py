"""A school's accounts: who manages them (its academic office, and system administrators), and
the list they see."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from ..models import SCHOOL_ROLES, Membership, Role, School
from .scope import membership_of, user_sees_everything


def accounts_manageable_by(user, school: School) -> bool:
    """The academic office (教导处) of the school, or a system administrator."""
    if user_sees_everything(user):
        return True
    membership = membership_of(user)
    return bool(
        membership and membership.role == Role.ACADEMIC_OFFICE and membership.school_id == school.pk
        and user.is_active
    )


def account_school_of(user) -> School | None:
    """The school whose accounts the user manages by default: an academic office's own school."""
    membership = membership_of(user)
    if membership and membership.role == Role.ACADEMIC_OFFICE:
        return membership.school
    return None


def school_accounts(school: School) -> QuerySet[Membership]:
    """The school's accounts, by role (registrar first, as the roles are listed), class and login."""
    role_order = Case(
        *(When(role=role, then=Value(index)) for index, role in enumerate(SCHOOL_ROLES)), output_field=IntegerField()
    )
    return (
        Membership.objects.filter(school=school, role__in=SCHOOL_ROLES)
        .select_related("user", "school_class")
        .annotate(role_order=role_order)
        .order_by("role_order", "school_class__grade", "school_class__sequence", "user__username")
    )
