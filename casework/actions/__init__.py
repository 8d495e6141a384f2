"""The action layer: every lifecycle action declared once (:mod:`.declarations`), who may take
it (:mod:`.policy`), its input (:mod:`.schema`), and the registry the services bind to
(:mod:`.registry`). See docs/architecture.md, "The action layer"."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from . import declarations
from .policy import Policy
from .registry import (
    CASE,
    ESCALATION,
    INTAKE,
    RECORDED,
    Action,
    Notify,
    Public,
    all_actions,
    find,
    get,
    implemented,
    implements,
    officer_actions,
    reporter_actions,
)

if TYPE_CHECKING:
    from ..models import Case, CaseTask, User


def allowed(
    user: User, case: Case, tasks: Iterable[CaseTask], *, in_scope: bool = True
) -> list[str]:
    """The officer actions ``user`` may take on ``case`` now, given its open ``tasks``, in the
    order the pages offer them; the services accept exactly these (the case was read
    through a scoped selector unless ``in_scope`` says otherwise)."""
    tasks = list(tasks)
    found = []
    for action in officer_actions():
        assert isinstance(action.policy, Policy), action.code
        if action.policy.decide(user, case, tasks, lambda: in_scope).granted:
            found.append(action.code)
    return found


def reporter_allowed(case: Case, opd_answered: Callable[[], bool]) -> list[str]:
    """What the holder of the tracking code may do now; ``opd_answered`` says whether an OPD
    answered (asked only when it matters)."""
    found = []
    for action in reporter_actions():
        policy = action.reporter
        assert policy is not None
        needs = policy.opd_answer and case.status in policy.statuses
        if policy.decide_for_reporter(case, opd_answered=opd_answered() if needs else True).granted:
            found.append(action.code)
    return found


__all__ = [
    "CASE",
    "ESCALATION",
    "INTAKE",
    "RECORDED",
    "Action",
    "Notify",
    "Public",
    "all_actions",
    "allowed",
    "declarations",
    "find",
    "get",
    "implemented",
    "implements",
    "officer_actions",
    "reporter_actions",
    "reporter_allowed",
]
