"""The narrow hook between casework and the process engine.

Services call these operations inside their transaction, with the case row locked. The
``workflows`` app registers the implementation (a viewflow flow) when Django starts, so
``casework`` never imports ``workflows``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from django.db.models import Model

    from .batch import RowBatch
    from .models import Case, CaseTask, User


class ProcessEngine(Protocol):
    flow_class: type
    """The flow definition (for its chart)."""

    def start(self, case: Case, rows: RowBatch | None = None) -> None:
        """Start the process of a new case (its first task lands in a queue). With ``rows``,
        the process's rows are added to that batch (primary keys reserved as
        :meth:`start_rows` says) instead of being saved one by one."""

    def start_rows(self) -> dict[type[Model], int]:
        """How many rows of which model a start adds to a batch."""
        ...

    def claim(self, task: CaseTask, user: User) -> None: ...

    def release(self, task: CaseTask) -> None: ...

    def reassign(self, task: CaseTask, user: User) -> None: ...

    def complete(self, task: CaseTask, outcome: str, data: dict | None = None) -> None:
        """Finish a human task; ``outcome`` picks the next node of the process."""

    def target(self, case: Case) -> datetime:
        """The end-to-end target of a new case."""
        ...

    def pause(self, task: CaseTask) -> None:
        """Stop the task's service-level clock (waiting for information)."""

    def resume(self, task: CaseTask) -> None:
        """Restart the task's stage with its full time."""

    def chart(self) -> str:
        """The process graph as Graphviz dot."""
        ...


_engine: ProcessEngine | None = None


def register(engine: ProcessEngine) -> None:
    global _engine
    _engine = engine


def get() -> ProcessEngine:
    if _engine is None:
        raise RuntimeError("No process engine registered; is 'workflows' in INSTALLED_APPS?")
    return _engine
