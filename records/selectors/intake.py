"""Who sees which intake files (批量导入新生)."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import CLASS_ROLES, IntakeImport
from .scope import membership_of, schools_visible_to


def intake_imports_visible_to(user) -> QuerySet[IntakeImport]:
    """The schools' files the user sees the schools of (a school's registrars and academic office
    their own, a bureau its region's); teachers none: a registrar imports for the whole school."""
    imports = IntakeImport.objects.select_related("school", "uploaded_by")
    membership = membership_of(user)
    if membership is not None and membership.role in CLASS_ROLES:
        return imports.none()
    return imports.filter(school__in=schools_visible_to(user))
