"""The checks in front of the pages: a signed-in person, and who reads the report pages."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ..models import Role
from ..selectors import membership_of, statistics_visible_to


class SignedInMixin(LoginRequiredMixin):
    """Sends an anonymous visitor to the login page; then `check_access` — which refuses
    (PermissionDenied, Http404) or finds what the page is about — runs before the page does."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.check_access(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def check_access(self, request, *args, **kwargs) -> None:
        """Refuse the person, or set the objects the page works on; nothing by default."""


class ReportReaderMixin(SignedInMixin):
    """The report pages (statistics, dropout follow-ups, term reports): bureau officers for their
    region, a school's registrar and academic office for the school; `refusal` for anyone else."""

    refusal = ""

    def check_access(self, request, *args, **kwargs) -> None:
        if not statistics_visible_to(request.user):
            raise PermissionDenied(self.refusal)


def school_registrar(user, school_id: int):
    """The registrar of this school, or a refusal (a class's operations, graduation)."""
    membership = membership_of(user)
    if not (membership and membership.role == Role.REGISTRAR and membership.school_id == school_id):
        raise PermissionDenied(_("只有本校学籍管理员可以办理。"))
    return membership
