"""What every request kind's Flow shares, except its nodes: each flow module declares all of its
nodes itself, so that it reads like its diagram.

A kind's module subclasses `RequestFlow` together with `flow.Flow` and fills in what the pages
and the API need of it (its start serializer, the rows of its request card, its details in the
API, the button on the student page, its start pages). flows/flows.py lists the kinds, and the
registry there is built from these classes.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction
from viewflow.workflow import lock

from records.models import Bureau, School, Student

from .engine import request_close
from .models import Request, WorkItem


class RowLock(lock.SelectForUpdateLock):
    """viewflow's SELECT … FOR UPDATE of the request's row, waiting for it, held to the end of the
    transaction, without a savepoint of its own.

    Every caller is inside its own transaction block already (task_decide's, a withdrawal's or a
    lapse's), which rolls back whole on an error: the savepoint viewflow's lock opens for its
    retries (of a lock taken with nowait) would only cost two statements.
    """

    def __init__(self):
        super().__init__(nowait=False)

    @contextmanager
    def __call__(self, flow_class, process_pk):
        with transaction.atomic(savepoint=False):
            flow_class.process_class._default_manager.filter(pk=process_pk).select_for_update().exists()
            yield


class RequestFlow:
    kind: str = ""
    # The default no_lock lets two people complete the same task twice (VIEWFLOW_NOTES.md).
    lock_impl = RowLock()
    # Transfers lapse three months after they were started (flows.lapse).
    lapses = False
    # The API: the body that starts a request of this kind, and the body's names for the fields
    # the start service names otherwise (e.g. {"to_class": "class_code"}).
    start_serializer = None
    api_field_names: dict[str, str] = {}
    # The pages that start a request of this kind: django.urls.path() entries for flows/urls.py.
    start_pages: tuple = ()
    # What the nodes after a step read of the request (the next step's school and bureau, the
    # last step's class), joined when task_decide reads the request: select_related paths.
    step_reads: tuple[str, ...] = ("student", "school__bureau")

    # --- The start and the ends every flow's nodes call ------------------------------------------

    def begin(self, activation, *, by, fields: dict) -> Request:
        """The start node's handler: the request's fields as the kind's start service checked them."""
        request = activation.process
        request.kind = self.kind
        request.started_by = by
        for name, value in fields.items():
            setattr(request, name, value)
        # Not saved here: the start node inserts the request right after (StartActivation.execute).
        return request

    def process_for_step(self, pk: int) -> Request:
        """The request of this kind, read once for a step's decision with what its nodes read."""
        return self.process_class._default_manager.select_related(*self.step_reads).get(pk=pk)

    def close_rejected(self, activation) -> None:
        """A rejection at any step closes the request with nothing changed, with the reason given."""
        last = getattr(activation.process, "decided_step", None)  # set by task_decide
        if last is None or last.decision != WorkItem.Decision.REJECT:
            last = (
                WorkItem.objects.filter(request=activation.process, decision=WorkItem.Decision.REJECT)
                .order_by("-finished")
                .first()
            )
        request_close(activation.process, state=Request.State.REJECTED, comment=last.comment if last else "")

    def close_completed(self, activation, comment: str = "") -> None:
        request_close(activation.process, state=Request.State.COMPLETED, comment=comment)

    def last_actor(self, activation):
        """Who gave the last approval: the register records them as the one who made the change."""
        decided = getattr(activation.process, "decided_step", None)  # the step task_decide has just saved
        if decided is not None:
            return decided.actor
        last = WorkItem.objects.filter(request=activation.process, finished__isnull=False).order_by("-finished").first()
        return last.actor if last else activation.process.started_by

    # --- Who acts: the organisations a step is for -------------------------------------------------

    def school(self, process) -> School:
        return process.school

    def bureau(self, process) -> Bureau:
        return process.school.bureau

    def receiving_school(self, process) -> School:
        return process.to_school

    def sending_school(self, process) -> School:
        return process.from_school

    def receiving_bureau(self, process) -> Bureau:
        return process.to_school.bureau

    def sending_bureau(self, process) -> Bureau:
        return process.from_school.bureau

    def bureaus_differ(self, activation) -> bool:
        """A transfer between two bureaus' schools needs the sending bureau's approval too."""
        return activation.process.from_school.bureau_id != activation.process.to_school.bureau_id

    # --- What the pages and the API show of a request of this kind -----------------------------------

    def items(self, process) -> list[tuple[str, str]]:
        """The request card's rows beyond those every request has (applicant, reason)."""
        return []

    def record_items(self, process) -> list[tuple[str, str]]:
        """A new student's record that the request carries until its last approval, for its page."""
        return []

    def details(self, process) -> dict:
        """The API's `details`: the fields of this kind, with codes for references."""
        return {}

    def student_action(self, student: Student) -> dict | None:
        """The student page's button that starts this kind for `student` now, if the state machine
        allows it: {"label": …, "url": …}."""
        return None

    def request_action(self, process, user) -> dict | None:
        """A button this kind offers on another request's page (e.g. 撤销转学 on a completed
        transfer), for `user`: {"label": …, "url": …}."""
        return None

    def start_from_api(self, user, data: dict) -> Request:
        """Start a request from the API body that `start_serializer` validated."""
        raise NotImplementedError(f"{type(self).__name__} has no API start")

    def resubmit_from_api(self, item, user, data: dict) -> Request:
        """A step done on a page of its own (a correction), from the API's validated RecordBody."""
        raise NotImplementedError(f"{type(self).__name__} has no step done on a page of its own")

    @property
    def label(self) -> str:
        return str(Request.Kind(self.kind).label)

