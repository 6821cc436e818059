"""The flows' automatic nodes: the start, a gateway, the change a last approval makes, the end.

viewflow's If, Function and End create their task, run it in a savepoint of its own, then save
the task again as done: five or more statements for a node that decides or does one thing. Ours
run when they are created and write their task once, already done. Nothing is lost by the
missing savepoint: viewflow propagates a node's error (its default), and the flow's transaction
(the step's decision, or the start) is then rolled back whole, as before.

viewflow's StartHandle inserts the request in a savepoint and then locks the row it has just
inserted, which no other transaction can see before the commit; ours inserts it in the start
service's transaction (request_start), which rolls back whole on an error, and takes no lock.

The task rows are viewflow's own (status, started, finished, the `previous` link), so the chart
and the request's history read them as they read any task. viewflow's task_started and
task_finished signals are not sent for these nodes: only its Split and boundary timers listen,
and no flow here has either (End checks for them before it skips looking for other open tasks).
"""

from __future__ import annotations

import functools

from django.db import transaction
from django.utils import timezone
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.nodes.end import EndActivation
from viewflow.workflow.nodes.func import FunctionActivation
from viewflow.workflow.nodes.if_gate import IfActivation
from viewflow.workflow.nodes.split import Split
from viewflow.workflow.nodes.start import StartHandleActivation
from viewflow.workflow.signals import flow_started, task_started
from viewflow.workflow.status import PROCESS, STATUS


class StartActivation(StartHandleActivation):
    @Activation.status.super()
    def execute(self):
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        # Within the caller's transaction (one of its own only when there is none), without a savepoint.
        with transaction.atomic(savepoint=False):
            self.process.save()
            self.complete()
            flow_started.send(sender=self.flow_class, process=self.process, task=self.task)
            self.activate_next()


def _task_done(activation, prev_activation, started) -> None:
    """Write the node's task once, finished, linked to the task it came from."""
    task = activation.task
    task.status = STATUS.DONE
    task.started = started
    task.finished = timezone.now()
    task.save()
    task.previous.add(prev_activation.task)


def _new_activation(cls, flow_task, prev_activation, token, data, seed):
    task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
    task.data = data if data is not None else {}
    task.seed = seed
    return cls(task)


class IfOnCreateActivation(IfActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        activation = _new_activation(cls, flow_task, prev_activation, token, data, seed)
        started = timezone.now()
        activation._condition_result = flow_task._condition(activation)
        _task_done(activation, prev_activation, started)
        return activation


class FunctionOnCreateActivation(FunctionActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        activation = _new_activation(cls, flow_task, prev_activation, token, data, seed)
        started = timezone.now()
        activation.task.started = started
        flow_task._func(activation)
        _task_done(activation, prev_activation, started)
        return activation


@functools.cache
def _forks(flow_class) -> bool:
    """Whether two tasks of the flow can be open at once: a Split, or a timer on a node."""
    return any(isinstance(node, Split) or node._boundary_events for node in flow_class.instance.nodes())


def _others_open(flow_task, process) -> bool:
    if not _forks(flow_task.flow_class):
        # One path: every task before this one finished before the flow moved on.
        return False
    task_class = flow_task.flow_class.task_class
    return task_class._default_manager.filter(process=process, finished__isnull=True).exists()


class EndOnCreateActivation(EndActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        activation = _new_activation(cls, flow_task, prev_activation, token, data, seed)
        started = timezone.now()
        process = activation.process
        # The flow is finished when no other task is open (this one is not written yet).
        if not _others_open(flow_task, process):
            process.status = PROCESS.DONE
            process.finished = timezone.now()
            process.save(update_fields=["status", "finished"])
        _task_done(activation, prev_activation, started)
        return activation


class Start(flow.StartHandle):
    """viewflow's StartHandle (started from code: a kind's start service), its request inserted
    in the caller's transaction."""

    activation_class = StartActivation


class If(flow.If):
    """viewflow's If gateway, decided and written once when the flow reaches it."""

    activation_class = IfOnCreateActivation


class Function(flow.Function):
    """viewflow's Function, run and written once when the flow reaches it."""

    activation_class = FunctionOnCreateActivation


class End(flow.End):
    """viewflow's End: the process is marked done (its own columns only) and the task written once."""

    activation_class = EndOnCreateActivation
