"""A human step done by the people of one school or one bureau, and its approve/reject routing.

viewflow's own `.Permission()` falls back to the model permission when the object check fails,
so any registrar could act for any school; `Step` decides instead from the org-scoped work item.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.status import STATUS

from notifications.tasks import notify_task_waiting
from records.models import Bureau, Role, School
from records.working_days import add_working_days

from .forms import DecisionForm
from .models import WorkItem
from .selectors import user_may_act_on


class StepActivation(ViewActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        flow_task.open_work_item(activation)
        return activation

    # Taking the step is saved with its decision: one save of the task when it completes.
    @Activation.status.super()
    def assign(self, user):
        self.task.owner = user

    @Activation.status.super()
    def unassign(self):
        self.task.owner = None

    @Activation.status.transition(source=STATUS.DONE)
    def create_next(self):
        targets = {
            WorkItem.Decision.APPROVE: self.flow_task._next,
            WorkItem.Decision.REJECT: self.flow_task._on_reject,
            WorkItem.Decision.RETURN: self.flow_task._on_return,
        }
        yield targets[self.task.work_item.decision]._create(self, self.task.token)


class Step(flow.View):
    """A decision (approve / reject with a reason) taken by a school's or a bureau's people."""

    activation_class = StepActivation

    def __init__(
        self,
        *,
        org,
        title,
        form_class=None,
        role=Role.REGISTRAR,
        apply=None,
        assignee=None,
        school_class=None,
        form_required=False,
        page=None,
    ):
        # The task page is Xueji's own (flows/views.py), reached from the org-scoped inbox.
        super().__init__(view=None)
        self._org = org
        self._form_class = form_class
        self._role = role
        self._apply = apply
        # Approving needs the step's form (or its data): e.g. the receiving class of a transfer.
        self._form_required = form_required
        self._assignee = assignee
        # A step for the people of one class (a class teacher's signature): the class.
        self._school_class = school_class
        # A step done on a page of its own (URL name taking the work item's pk) instead of a decision form.
        self.page = page
        self._on_reject = None
        self._on_return = None
        self.Annotation(title=title)

    def OnReject(self, node):
        self._on_reject = node
        return self

    def OnReturn(self, node):
        """Where a "send back for correction" decision goes; without it the step cannot send back."""
        self._on_return = node
        return self

    @property
    def can_return(self) -> bool:
        return self._on_return is not None

    @property
    def can_reject(self) -> bool:
        return self._on_reject is not None

    def _resolve(self, instance):
        super()._resolve(instance)
        self._org = this.resolve(instance, self._org)
        self._apply = this.resolve(instance, self._apply)
        self._on_reject = this.resolve(instance, self._on_reject)
        self._on_return = this.resolve(instance, self._on_return)
        self._assignee = this.resolve(instance, self._assignee)
        self._school_class = this.resolve(instance, self._school_class)

    def _outgoing(self):
        yield from super()._outgoing()
        # Captioned in the site's language, whoever builds the chart: the chart's page translates them.
        with translation.override(settings.LANGUAGE_CODE):
            reject, send_back = str(_("不同意")), str(_("退回修改"))
        if self._on_reject:
            yield Edge(src=self, dst=self._on_reject, edge_class="next", label=reject)
        if self._on_return:
            yield Edge(src=self, dst=self._on_return, edge_class="next", label=send_back)

    @property
    def form_class(self):
        """The step's form; `this.<name>` names a property of the flow, read when the form is
        needed (the flow module defines its forms below its diagram)."""
        return this.resolve(self.flow_class.instance, self._form_class) or DecisionForm

    @property
    def role(self) -> str:
        """Who at the org acts: a school role, or the bureau officers for a bureau."""
        return self._role

    def org_for(self, process) -> School | Bureau:
        return self._org(process)

    @property
    def needs_form(self) -> bool:
        """The step decides more than yes or no (e.g. the receiving class): approving needs its form."""
        return self._form_required

    def apply(self, process, cleaned_data: dict) -> None:
        """Copy what the step decided (e.g. the receiving class) onto the request."""
        if self._apply:
            self._apply(process, cleaned_data)

    def open_work_item(self, activation) -> WorkItem:
        request = activation.process
        org = self.org_for(request)
        bureau = org if isinstance(org, Bureau) else org.bureau
        assignee = self._assignee(request) if self._assignee else None
        if isinstance(org, Bureau):
            role = Role.BUREAU_OFFICER
        else:
            # A step sent back to one person is done in that person's role (registrar or class teacher).
            role = self.role or assignee.membership.role
        created = activation.task.created
        work_item = WorkItem.objects.create(
            task=activation.task,
            request=request,
            step=self.name,
            title=self.stored_title,
            role=role,
            school=org if isinstance(org, School) else None,
            bureau=org if isinstance(org, Bureau) else None,
            school_class=self._school_class(request) if self._school_class else None,
            student_id=request.student_id,
            assignee=assignee,
            created=created,
            due=add_working_days(timezone.localdate(created), bureau.step_due_working_days),
        )
        notify_task_waiting(work_item)
        return work_item

    @property
    def stored_title(self) -> str:
        """The title the work item keeps: in the site's language, whoever's request created it
        (the pages show the node's title in the reader's: WorkItem.step_title)."""
        with translation.override(settings.LANGUAGE_CODE):
            return str(self.task_title)

    def can_act(self, user, task) -> bool:
        work_item = WorkItem.objects.filter(task=task).first()
        return work_item is not None and user_may_act_on(user, work_item)

    def can_assign(self, user, task):
        return task.owner_id is None and self.can_act(user, task)

    def can_execute(self, user, task):
        return task.owner_id == getattr(user, "pk", None) and self.can_act(user, task)
