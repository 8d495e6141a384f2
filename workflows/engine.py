"""The implementations of casework's ports (:mod:`casework.ports`): the process engine on
viewflow, and the service-level clock on the working-day calendar.

Callers hold the case row lock (the flow's lock), so activations are built directly from the
task rows they already loaded instead of re-locking and re-reading through
``task.activation()``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Model

from casework.batch import RowBatch
from casework.models import Case, CaseProcess, CaseTask, User

from . import charts, sla
from .flows import CaseFlow


class CaseFlowEngine:
    """:class:`casework.ports.ProcessEngine` on :class:`workflows.flows.CaseFlow`."""

    flow_class = CaseFlow

    def start(self, case: Case, rows: RowBatch | None = None) -> None:
        with transaction.atomic(savepoint=False):
            CaseFlow.start.run(case=case, rows=rows)

    def start_rows(self) -> dict[type[Model], int]:
        # the process, the start task and the first human task
        return {CaseProcess: 1, CaseTask: 2}

    @staticmethod
    def _activation(task: CaseTask) -> Any:
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

    def complete(self, task: CaseTask, route: str, *, case: Case, data: dict | None = None) -> None:
        task.process.case = case  # the node callbacks read the locked instance
        activation = self._activation(task)
        activation.finish(route, data)
        activation.activate_next()

    def chart_svg(self, case: Case, language: str) -> str:
        return charts.case_chart_svg(CaseFlow, case.pk, language)


class WorkingDayClock:
    """:class:`casework.ports.ServiceClock` on the working-day calendar (:mod:`workflows.sla`)."""

    def target(self, case: Case) -> datetime:
        return sla.end_to_end_target(case)

    def pause(self, task: CaseTask) -> None:
        sla.pause(task)

    def resume(self, task: CaseTask, *, case: Case) -> None:
        sla.restart(task, case=case)

    def working_days_between(self, start: date, end: date) -> int:
        return sla.working_days_between(start, end)

    def stage_days(self, case: Case, stage: str) -> int:
        return sla.stage_days(stage, case)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        return sla.add_working_days(start, days)
