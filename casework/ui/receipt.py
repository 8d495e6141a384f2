"""What the receipt of a new aspiration promises, the same on the public confirmation page and
on the KIM operator's printed receipt: each step ahead with the working days the service-level
policy of the case (its category, service-level class and priority) gives it, and the latest
date it may end if every step takes its full time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .. import ports, selectors
from ..lifecycle import Stage
from ..models import Case, CaseStatus

STEPS = (
    Stage.VERIFICATION,
    Stage.TRIAGE,
    Stage.OPD_ACCEPTANCE,
    Stage.OPD_RESPONSE,
    Stage.CONFIRMATION,
)


@dataclass(frozen=True)
class Step:
    stage: str
    days: int
    due: datetime  # the latest end of the step (close of business, WIB)


def steps_ahead(case: Case) -> list[Step]:
    """The steps from the case's open stage on: the open one ends at its task's deadline, each
    later one at most its working days after the one before. None while the clock waits for
    the reporter's information, or when no step is open."""
    if case.status == CaseStatus.NEEDS_INFO:
        return []
    current = next(
        (t for t in selectors.open_tasks(case) if t.stage in STEPS and t.due_at is not None),
        None,
    )
    if current is None or current.due_at is None:
        return []
    clock = ports.clock()
    due = current.due_at
    found = [Step(current.stage, clock.stage_days(case, current.stage), due)]
    for stage in STEPS[STEPS.index(Stage(current.stage)) + 1 :]:
        days = clock.stage_days(case, stage)
        due = clock.add_working_days(due, days)
        found.append(Step(stage, days, due))
    return found
