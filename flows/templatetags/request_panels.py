"""Panels the register's pages show about requests: the student's actions and timeline, the
home page's waiting tasks."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from records import selectors
from records.class_codes import GRADUATING_GRADES
from records.forms import ClassMergeForm, ClassRenameForm
from records.models import Role, SchoolClass, Student

from .. import selectors as flow_selectors
from ..models import WorkItem
from ..views import request_actions_for

register = template.Library()


@register.inclusion_tag("flows/includes/student_actions.html", takes_context=True)
def student_actions(context, student: Student):
    user = context["request"].user
    membership = selectors.membership_of(user)
    actions = []
    if (
        membership
        and membership.role in (Role.REGISTRAR, Role.ACADEMIC_OFFICE)
        and membership.school_id == student.school_id
        and student.status != Student.Status.DECEASED
    ):
        actions.append({"label": _("修改信息（无需审批）"), "url": reverse("student_edit", args=[student.pk])})
        # 重新分班 is the school's own change too, but not while a request is about the student.
        if (
            membership.role == Role.REGISTRAR
            and student.allows("move")
            and flow_selectors.claiming_request(student) is None
        ):
            actions.append({"label": pgettext("action", "重新分班"), "url": reverse("student_reassign", args=[student.pk])})
    return {"actions": actions + request_actions_for(user, student), "student": student}


@register.inclusion_tag("flows/includes/student_timeline.html")
def student_timeline(student: Student):
    return {"events": flow_selectors.student_timeline(student)}


@register.inclusion_tag("flows/includes/home_tasks.html", takes_context=True)
def home_tasks(context):
    user = context["request"].user
    waiting = flow_selectors.tasks_in_inbox(user)
    return {
        "waiting": waiting.count(),
        "overdue": waiting.filter(due__lt=timezone.localdate()).count(),
        "membership": selectors.membership_of(user),
    }


@register.simple_tag
def step_kind_label(work_item: WorkItem) -> str:
    return work_item.request.get_kind_display()


@register.inclusion_tag("flows/includes/class_actions.html", takes_context=True)
def class_actions(context, school_class):
    membership = selectors.membership_of(context["request"].user)
    is_registrar = bool(
        membership and membership.role == Role.REGISTRAR and membership.school_id == school_class.school_id
    )
    can_transfer = is_registrar and school_class.state == SchoolClass.State.OPEN
    merge_targets = (
        SchoolClass.objects.filter(school_id=school_class.school_id, grade=school_class.grade, state=SchoolClass.State.OPEN)
        .exclude(pk=school_class.pk)
        .order_by("sequence")
        if can_transfer
        else []
    )
    return {
        "school_class": school_class,
        "can_transfer": can_transfer,
        "can_graduate": can_transfer and school_class.grade in GRADUATING_GRADES,
        "rename_form": ClassRenameForm(initial={"name": school_class.name}) if can_transfer else None,
        "merge_form": ClassMergeForm(targets=merge_targets) if merge_targets else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def open_task_count(context) -> int:
    """The side menu's badge on 待办任务: the steps waiting for the user, in one count query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return flow_selectors.tasks_in_inbox(user).order_by().count()
