"""The two ports between casework and the process: the process engine and the service-level
clock.

casework calls them; the ``workflows`` app registers their implementations when Django starts
(``workflows/apps.py``), so that casework never imports workflows. Services call them inside
their transaction, with the case row locked; they receive what they work on (the case, its
tasks) and read nothing the caller has not given them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django.db.models import Model

    from .batch import RowBatch
    from .models import Case, CaseTask, User


class ProcessEngine(Protocol):
    """The process of a case: its human tasks in the units' queues, and which task follows
    which."""

    def start(self, case: Case, rows: RowBatch | None = None) -> None:
        """Start the process of a new case (its first task lands in a queue). With ``rows``,
        the process's rows are added to that batch, with the primary keys :meth:`start_rows`
        asks the caller to reserve, instead of being saved one by one."""

    def start_rows(self) -> dict[type[Model], int]:
        """How many rows of which model a start adds to a batch."""
        ...

    def claim(self, task: CaseTask, user: User) -> None: ...

    def release(self, task: CaseTask) -> None: ...

    def reassign(self, task: CaseTask, user: User) -> None: ...

    def complete(self, task: CaseTask, route: str, *, case: Case, data: dict | None = None) -> None:
        """Finish a human task of ``case``; ``route`` (a row of
        :data:`casework.lifecycle.OUTCOMES`) picks the next node."""

    def chart_svg(self, case: Case, language: str) -> str:
        """The process chart in ``language`` with this case's position marked, as SVG."""
        ...


class ServiceClock(Protocol):
    """Deadlines in working days, and the reminders and escalations of a task's stage."""

    def target(self, case: Case) -> datetime:
        """The end-to-end target of a new case."""
        ...

    def pause(self, task: CaseTask) -> None:
        """Stop the task's clock (the case waits for information)."""

    def resume(self, task: CaseTask, *, case: Case) -> None:
        """Start the task's stage again with its full time."""

    def working_days_between(self, start: date, end: date) -> int:
        """The working days after ``start`` up to and including ``end`` (0 when ``end`` is
        not after ``start``)."""
        ...

    def stage_days(self, case: Case, stage: str) -> int:
        """The working days the service-level policy gives ``stage`` of ``case`` (by its
        category, service-level class and priority)."""
        ...

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Close of business on the ``days``-th working day after the day of ``start``."""
        ...


_engine: ProcessEngine | None = None
_clock: ServiceClock | None = None


def register(*, engine: ProcessEngine, clock: ServiceClock) -> None:
    global _engine, _clock
    _engine, _clock = engine, clock


def engine() -> ProcessEngine:
    if _engine is None:
        raise RuntimeError("No process engine registered; is 'workflows' in INSTALLED_APPS?")
    return _engine


def clock() -> ServiceClock:
    if _clock is None:
        raise RuntimeError("No service clock registered; is 'workflows' in INSTALLED_APPS?")
    return _clock
