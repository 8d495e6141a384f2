"""The process engine behind :mod:`casework.engine`, on viewflow.

Callers hold the case row lock (the flow's lock), so activations are built directly from the
task rows they already loaded instead of re-locking and re-reading through
``task.activation()``.
"""

from __future__ import annotations

from django.db import transaction

from casework.batch import RowBatch
from casework.models import Case, CaseProcess, CaseTask, User

from . import sla
from .flows import CaseFlow


class CaseFlowEngine:
    flow_class = CaseFlow

    def start(self, case: Case, rows: RowBatch | None = None) -> None:
        with transaction.atomic(savepoint=False):
            CaseFlow.start.run(case=case, rows=rows)

    def start_rows(self) -> dict:
        # the process, the start task and the first human task
        return {CaseProcess: 1, CaseTask: 2}

    @staticmethod
    def _activation(task: CaseTask):  # type: ignore[no-untyped-def]
        return task.flow_task.activation_class(task)

    def claim(self, task: CaseTask, user: User) -> None:
        self._activation(task).assign(user)

    def release(self, task: CaseTask) -> None:
        self._activation(task).unassign()

    def reassign(self, task: CaseTask, user: User) -> None:
        activation = self._activation(task)
        if activation.assign.can_proceed():
            activation.assign(user)
        else:
            activation.reassign(user)

    def complete(self, task: CaseTask, outcome: str, data: dict | None = None) -> None:
        activation = self._activation(task)
        activation.finish(outcome, data)
        activation.activate_next()

    def target(self, case: Case):  # type: ignore[no-untyped-def]
        return sla.end_to_end_target(case)

    def pause(self, task: CaseTask) -> None:
        sla.pause(task)

    def resume(self, task: CaseTask) -> None:
        sla.restart(task, case=task.process.case)

    def chart(self) -> str:
        from .charts import flow_dot

        return flow_dot(CaseFlow)
