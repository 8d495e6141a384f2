"""Flow nodes the open-source viewflow lacks, kept small:

* ``HumanTask``: a unit-queue task completed with an *outcome* that picks the next node
  (an exclusive choice without a gateway row per decision);
* ``RoutedStart``: a start handle that picks the first node the same way;
* ``ForEach``: a parallel split with one branch per item (the documented
  ``Split().Next(data_source=...)`` raises in the open-source 2.4.0);
* ``RoutedJoin``: a join that picks its outgoing node once every branch is in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.timezone import now
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.join import JoinActivation
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.nodes.start import StartHandleActivation
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.signals import flow_started, task_finished, task_started
from viewflow.workflow.status import STATUS
from viewflow.workflow.token import Token

from casework import lifecycle


class RoutingMixin:
    """Outgoing edges keyed by a route name; ``decide(activation)`` names the one to take.
    ``expected_routes()`` are the routes the node must have, no more and no fewer (the
    outcome table's): a node that differs refuses to load."""

    name: str  # the node's, set by the flow

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._routes: dict[str, Any] = {}
        self._route_labels: dict[str, Any] = {}
        self._decide: Any = None
        super().__init__(*args, **kwargs)

    def expected_routes(self) -> frozenset[str] | None:
        return None

    def Route(self, key: str, node: Any, data: Any = None, label: Any = None) -> Any:  # noqa: N802
        """Take ``node`` on ``key``; ``data(activation)`` gives the new task's data; ``label``
        names the edge on charts (the key by default)."""
        self._routes[key] = (node, data)
        if label is not None:
            self._route_labels[key] = label
        return self

    def Decide(self, decide: Any) -> Any:  # noqa: N802
        self._decide = decide
        return self

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)  # type: ignore[misc]  # the node class this is mixed into
        expected = self.expected_routes()
        if expected is not None and set(self._routes) != expected:
            raise ImproperlyConfigured(
                f"{type(instance).__name__}.{self.name}: routes {sorted(self._routes)}, the "
                f"outcome table has {sorted(expected)}"
            )
        self._routes = {
            key: (this.resolve(instance, node), this.resolve(instance, data))
            for key, (node, data) in self._routes.items()
        }
        self._decide = this.resolve(instance, self._decide)

    def _outgoing(self) -> Iterator[Edge]:
        for key, (node, _data) in self._routes.items():
            yield Edge(
                src=self, dst=node, edge_class="next", label=self._route_labels.get(key, key)
            )

    def route_key(self, activation: Activation) -> str:
        if self._decide is not None:
            return self._decide(activation)
        return activation.task.data["outcome"]

    def next_node(self, activation: Activation) -> tuple[Any, dict | None]:
        key = self.route_key(activation)
        try:
            node, data = self._routes[key]
        except KeyError:
            raise FlowRuntimeError(f"{self.name} has no route {key!r}") from None
        return node, (data(activation) if data is not None else None)


class RoutedActivationMixin:
    flow_task: Any
    task: Any

    @Activation.status.transition(source=STATUS.DONE)
    def create_next(self) -> Iterator[Any]:
        node, data = self.flow_task.next_node(self)
        yield node._create(self, self.task.token, data=data)


# ----------------------------------------------------------------------------- start


class RoutedStartActivation(RoutedActivationMixin, StartHandleActivation):
    @Activation.status.transition(source=STATUS.NEW)
    def execute(self) -> None:
        """Start the process in three INSERTs: the process; the start task (done) together
        with the first human task; the first task's link back to the start. With a
        ``RowBatch`` from the caller (``start_case(rows=…)``), the rows are added to it with
        keys it has reserved, and written with the rest of the intake.

        viewflow's start saves each row on its own, inside a savepoint, and locks the flow
        first. None of that is needed here: the case this process runs was inserted in the
        same transaction, so no other transaction can see the process before the commit.
        """
        process, task = self.process, self.task
        rows = getattr(self, "rows", None)  # a RowBatch: the caller writes the rows
        task_started.send(sender=self.flow_class, process=process, task=task)
        if rows is not None:
            rows.take_id(process)
            rows.add(process)
        else:
            process.save(force_insert=True)
        task.process = process
        task.finished = now()
        task.status = STATUS.DONE
        node, data = self.flow_task.next_node(self)
        if not isinstance(node, HumanTask):
            raise FlowRuntimeError(f"{self.flow_task.name} must lead to a human task")
        first = HumanTaskActivation.prepare(node, self, task.token, data)
        for row in (task, first.task):  # what the models' save() would fill in
            row.case_id = process.case_id
            if not row.flow_task_type:
                row.flow_task_type = row.flow_task.task_type
        task_class = self.flow_class.task_class
        link = task_class.previous.through
        if rows is not None:
            rows.take_id(task)
            rows.take_id(first.task)
            rows.add(task, first.task, link(from_casetask_id=first.task.pk, to_casetask_id=task.pk))
        else:
            task_class.objects.bulk_create([task, first.task])
            link(from_casetask_id=first.task.pk, to_casetask_id=task.pk).save(force_insert=True)
        task_finished.send(sender=self.flow_class, process=process, task=task)
        flow_started.send(sender=self.flow_class, process=process, task=task)


class RoutedStart(RoutingMixin, flow.StartHandle):
    activation_class = RoutedStartActivation

    def expected_routes(self) -> frozenset[str]:
        return frozenset(lifecycle.START_ROUTES)

    def _outgoing(self) -> Iterator[Edge]:
        return RoutingMixin._outgoing(self)


# ----------------------------------------------------------------------------- human task


class HumanTaskActivation(RoutedActivationMixin, ViewActivation):
    @classmethod
    def create(
        cls,
        flow_task: Any,
        prev_activation: Any,
        token: Any,
        data: dict | None = None,
        seed: Any = None,
    ) -> HumanTaskActivation:
        activation = cls.prepare(flow_task, prev_activation, token, data)
        activation.task.save()
        activation.task.previous.add(prev_activation.task)
        return activation

    @classmethod
    def prepare(
        cls, flow_task: Any, prev_activation: Any, token: Any, data: dict | None = None
    ) -> HumanTaskActivation:
        """The activation of a new task of ``flow_task``, not saved yet."""
        process = prev_activation.process
        task = flow_task.flow_class.task_class(
            process=process,
            flow_task=flow_task,
            token=token,
            case_id=process.case_id,
            stage=flow_task.stage,
        )
        task.data = data if data is not None else {}
        activation = cls(task)
        if flow_task._queue is not None:
            task.unit_id = flow_task._queue(activation)
        if flow_task._due is not None:
            task.due_at = flow_task._due(activation)
        if flow_task._owner is not None:
            owner_id = flow_task._owner(activation)
            if owner_id:
                task.owner_id = owner_id
                task.assigned = now()
                task.status = STATUS.ASSIGNED
        if flow_task._on_create is not None:
            flow_task._on_create(activation)
        return activation

    @Activation.status.transition(source=STATUS.NEW, target=STATUS.ASSIGNED)
    def assign(self, user: Any) -> None:
        self.task.owner = user
        self.task.assigned = now()
        self.task.save(update_fields=["owner", "assigned", "status"])

    @Activation.status.transition(source=STATUS.ASSIGNED, target=STATUS.NEW)
    def unassign(self) -> None:
        self.task.owner = None
        self.task.assigned = None
        self.task.save(update_fields=["owner", "assigned", "status"])

    @Activation.status.transition(source=STATUS.ASSIGNED)
    def reassign(self, user: Any = None) -> None:
        self.task.owner = user
        self.task.assigned = now()
        self.task.save(update_fields=["owner", "assigned"])

    @Activation.status.transition(
        source=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED], target=STATUS.DONE
    )
    def finish(self, outcome: str, data: dict | None = None) -> None:
        """Complete the task with an outcome that routes the flow (one UPDATE)."""
        moment = now()
        self.task.data = {**self.task.data, **(data or {}), "outcome": outcome}
        self.task.started = self.task.started or moment
        self.task.finished = moment
        self.task.save(update_fields=["data", "started", "finished", "status"])
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class HumanTask(RoutingMixin, flow.View):
    """A task for a person: lands in the queue of the unit ``queue(activation)`` names."""

    activation_class = HumanTaskActivation

    def __init__(self, stage: str, **kwargs: Any) -> None:
        super().__init__(view=None, **kwargs)
        self.stage = stage
        self._queue: Callable[[Activation], int | None] | None = None
        self._owner = None
        self._due = None

    def On(self, action: str, node: Any, data: Any = None, label: Any = None) -> HumanTask:  # noqa: N802
        """Take ``node`` when ``action`` completes the task: the route is the action's at
        this stage in the outcome table (:func:`casework.lifecycle.outcome`)."""
        return self.Route(lifecycle.outcome(action, self.stage).route, node, data, label)

    def expected_routes(self) -> frozenset[str]:
        return lifecycle.routes(self.stage)

    def Queue(self, queue: Any) -> HumanTask:  # noqa: N802
        self._queue = queue
        return self

    def Owner(self, owner: Any) -> HumanTask:  # noqa: N802
        self._owner = owner
        return self

    def Due(self, due: Any) -> HumanTask:  # noqa: N802
        """``due(activation)`` gives the task's deadline."""
        self._due = due
        return self

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        self._queue = this.resolve(instance, self._queue)
        self._owner = this.resolve(instance, self._owner)
        self._due = this.resolve(instance, self._due)

    def _outgoing(self) -> Iterator[Edge]:
        return RoutingMixin._outgoing(self)


# ----------------------------------------------------------------------------- split / join


class ForEachActivation(SplitActivation):
    @Activation.status.super()
    def activate(self) -> None:
        node, items = self.flow_task._each
        self.next_tasks = [(node, item) for item in items(self)]
        if not self.next_tasks:
            raise FlowRuntimeError(f"{self.flow_task.name}: no branch to start")

    @Activation.status.super()
    def create_next(self) -> Iterator[Any]:
        token_source = Token.split_token_source(self.task.token, self.task.pk)
        for node, data in self.next_tasks:
            yield node._create(prev_activation=self, token=next(token_source), data=data)


class ForEach(flow.Split):
    """Parallel split: one branch of ``node`` per item of ``items(activation)`` (item → task.data)."""

    activation_class = ForEachActivation

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._each: tuple[Any, Any] | None = None

    def Each(self, node: Any, items: Any) -> ForEach:  # noqa: N802
        self._each = (node, items)
        return self

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        assert self._each is not None, f"{self.name}: Each() names the branches"
        node, items = self._each
        self._each = (this.resolve(instance, node), this.resolve(instance, items))

    def _outgoing(self) -> Iterator[Edge]:
        assert self._each is not None
        yield Edge(src=self, dst=self._each[0], edge_class="next", label="*")


class RoutedJoinActivation(RoutedActivationMixin, JoinActivation):
    @Activation.status.super()
    def create_next(self) -> Iterator[Any]:
        node, data = self.flow_task.next_node(self)
        yield node._create(self, self.task.token, data=data)


class RoutedJoin(RoutingMixin, flow.Join):
    activation_class = RoutedJoinActivation

    def expected_routes(self) -> frozenset[str]:
        return frozenset(lifecycle.ROUND_ROUTES)

    def _outgoing(self) -> Iterator[Edge]:
        return RoutingMixin._outgoing(self)
