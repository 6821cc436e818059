"""Term-work panels on the register's own pages: the home page, a class's page, a student's page."""

from __future__ import annotations

from django import template
from django.utils import timezone

from .. import selectors
from ..models import CLASS_ROLES, Role
from ..selectors.term_work import check_states
from ..term_deadlines import term_current, term_current_or_last

register = template.Library()


@register.inclusion_tag("records/term_work/includes/home_card.html", takes_context=True)
def term_work_home(context):
    """A teacher's class this term and what is theirs to do; a school's classes still to check."""
    user = context["request"].user
    membership = selectors.membership_of(user)
    today = timezone.localdate()
    panel = {"membership": membership, "role": membership.role if membership else None, "today": today}
    if membership is None:
        return panel
    if membership.role in CLASS_ROLES:
        school_class = membership.school_class
        term = term_current(school_class.school.bureau_id, today)
        panel.update(
            school_class=school_class,
            term=term,
            work=selectors.class_term_work(school_class, term, day=today) if term else None,
            is_class_teacher=membership.role == Role.CLASS_TEACHER,
            my_subject=membership.subject if membership.role == Role.SUBJECT_TEACHER else "",
        )
    elif membership.role in (Role.REGISTRAR, Role.ACADEMIC_OFFICE):
        panel["totals"] = selectors.term_work_totals(user, day=today)
    return panel


@register.inclusion_tag("records/term_work/includes/class_panel.html", takes_context=True)
def class_term_panel(context, school_class):
    """The class page's line on this term: the two head counts and where to go for the rest."""
    today = timezone.localdate()
    term = term_current_or_last(school_class.school.bureau_id, today)
    checks = check_states(school_class, term, today) if term else []
    return {"school_class": school_class, "term": term, "checks": checks}


@register.inclusion_tag("records/term_work/includes/student_terms.html")
def student_terms(student):
    """A student's level grades and term comments, term by term."""
    return {"records": selectors.student_term_records(student)}
