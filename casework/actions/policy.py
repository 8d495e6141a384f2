"""Who may take an action on a case now: one decision that the pages and the API use to offer
an action (:func:`casework.actions.allowed`) and the service uses to accept it
(``casework.services.kernel.begin``). What is offered is exactly what is accepted, short of
what the input itself decides (the officer a task is given to, the case a duplicate joins);
``tests/casework/test_offered_equals_accepted.py`` walks every status, role, ownership and
action to prove it.

A decision is made from the case (its status, locked by the service), the case's open tasks
and whether the case is in the officer's scope. Refusals are domain errors, checked in this
order: the role (403), the scope (404), the state of the case and its tasks (409).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from django.utils.translation import gettext as _

from ..errors import Conflict, DomainError, NotFound, PermissionDenied
from ..lifecycle import CaseStatus, Stage
from ..models import FORUM_ROLES, MANAGER_ROLES, OPD_ROLES, Role
from ..selectors import is_officer
from .schema import Label

if TYPE_CHECKING:
    from ..models import Case, CaseTask, User

S = CaseStatus
ANY_OPEN = frozenset(
    {S.RECEIVED, S.FORWARDED, S.IN_TRIAGE, S.NEEDS_INFO, S.DISPATCHED, S.IN_PROGRESS, S.RESPONDED}
)
# the roles that work each stage's tasks (a unit's queue)
STAGE_ROLES: Mapping[str, frozenset[str]] = {
    Stage.VERIFICATION: frozenset({Role.KIM_OPERATOR}),
    Stage.TRIAGE: FORUM_ROLES,
    Stage.OPD_ACCEPTANCE: OPD_ROLES,
    Stage.OPD_RESPONSE: OPD_ROLES,
}


@dataclass(frozen=True)
class Decision:
    """Granted (with the task to act on, and whether it is claimed on the way) or refused."""

    task: CaseTask | None = None
    claim: bool = False
    refusal: DomainError | None = None

    @property
    def granted(self) -> bool:
        return self.refusal is None


# ----------------------------------------------------------------------------- refusals


def role_refused() -> Decision:
    return Decision(refusal=PermissionDenied(_("Your role may not take this action.")))


def scope_refused() -> Decision:
    return Decision(refusal=NotFound(_("No such case.")))


def state_refused(case: Case) -> Decision:
    return Decision(
        refusal=Conflict(
            _("This action is not allowed while the case is %(status)s.")
            % {"status": case.get_status_display()},
            code="invalid_transition",
        )
    )


def conflict(message: str, code: str) -> Decision:
    return Decision(refusal=Conflict(message, code=code))


def taken() -> Decision:
    return conflict(_("Another officer holds this task."), "task_taken")


# ----------------------------------------------------------------------------- policies


@runtime_checkable
class Policy(Protocol):
    """Decides whether ``user`` may take the action on ``case`` with its open ``tasks``;
    ``in_scope`` answers whether the case is in the user's scope (asked only when the role
    allows the action)."""

    def decide(
        self,
        user: User | None,
        case: Case,
        tasks: Sequence[CaseTask],
        in_scope: Callable[[], bool],
    ) -> Decision: ...

    def describe(self) -> str:
        """Who, in the words of the lifecycle document."""
        ...


def _role_names(roles: Iterable[str]) -> str:
    order = list(Role.values)
    return ", ".join(str(Role(r).label) for r in sorted(roles, key=order.index))


def _lower_first(text: str) -> str:
    """ "Village verification" → "village verification"; "OPD acceptance" stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _statuses(statuses: Iterable[str]) -> str:
    order = list(CaseStatus.values)
    return ", ".join(f"`{s}`" for s in sorted(statuses, key=order.index))


@dataclass(frozen=True)
class OnTask:
    """Work on the open task of a stage in the officer's own unit, while the case is in one of
    ``statuses``: the stage follows from the role (``stages``). An unowned task is claimed
    on the way; a task another officer holds is theirs."""

    stages: Mapping[str, Sequence[str]]
    statuses: frozenset[str]

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.stages)

    def decide(
        self,
        user: User | None,
        case: Case,
        tasks: Sequence[CaseTask],
        in_scope: Callable[[], bool],
    ) -> Decision:
        if not is_officer(user) or user.role not in self.stages:
            return role_refused()
        assert user is not None
        if not in_scope():
            return scope_refused()
        if case.status not in self.statuses:
            return state_refused(case)
        stages = self.stages[user.role]
        mine = [t for t in tasks if t.stage in stages and t.unit_id == user.unit_id]
        if not mine:
            return state_refused(case)
        task = mine[0]
        if task.owner_id not in (None, user.pk):
            return taken()
        return Decision(task=task, claim=task.owner_id is None)

    def describe(self) -> str:
        order = list(Role.values)
        by_stages: dict[tuple[str, ...], list[str]] = {}
        for role in sorted(self.stages, key=order.index):
            by_stages.setdefault(tuple(self.stages[role]), []).append(role)
        parts = []
        for stages, roles in by_stages.items():
            names = " or ".join(_lower_first(str(Stage(s).label)) for s in stages)
            parts.append(f"{_role_names(roles)} (the {names} task of their unit)")
        return "; ".join(parts) + f", while {_statuses(self.statuses)}"


@dataclass(frozen=True)
class ClaimTask:
    """Take an unowned open task of one's own unit, of a stage one's role works."""

    roles: frozenset[str] = frozenset().union(*STAGE_ROLES.values())

    def decide(
        self,
        user: User | None,
        case: Case,
        tasks: Sequence[CaseTask],
        in_scope: Callable[[], bool],
    ) -> Decision:
        if not is_officer(user):
            return Decision(refusal=PermissionDenied(_("Only officers work queues.")))
        assert user is not None
        if not in_scope():
            return scope_refused()
        unit = [
            t
            for t in tasks
            if t.unit_id == user.unit_id and user.role in STAGE_ROLES.get(t.stage, ())
        ]
        free = [t for t in unit if t.owner_id is None]
        if free:
            return Decision(task=free[0], claim=True)
        if any(t.owner_id == user.pk for t in unit):
            return conflict(_("You already hold this task."), "already_claimed")
        if unit:
            return taken()
        return conflict(_("There is no task of your unit to claim."), "invalid_transition")

    def describe(self) -> str:
        return "officer of the unit holding the task (an unowned task of a stage their role works)"


@dataclass(frozen=True)
class ReleaseTask:
    """Give one's task back to the unit's queue (not while the case waits for information:
    the task would wait unowned)."""

    roles: frozenset[str] = frozenset().union(*STAGE_ROLES.values())

    def decide(
        self,
        user: User | None,
        case: Case,
        tasks: Sequence[CaseTask],
        in_scope: Callable[[], bool],
    ) -> Decision:
        if not is_officer(user):
            return Decision(refusal=PermissionDenied(_("Only officers work queues.")))
        assert user is not None
        if not in_scope():
            return scope_refused()
        mine = [t for t in tasks if t.owner_id == user.pk]
        if not mine:
            return conflict(_("You hold no task of this case."), "invalid_transition")
        if case.status == S.NEEDS_INFO:
            return conflict(
                _("The case is waiting for information; ask a coordinator to reassign it."),
                "invalid_transition",
            )
        return Decision(task=mine[0])

    def describe(self) -> str:
        return "the officer holding the task, except while `needs_info`"


@dataclass(frozen=True)
class ReassignTask:
    """Managers give an open task to an officer of its unit: a forum coordinator or an OPD
    head within their unit, the supervisor in any unit. With several such tasks open the
    input names the task."""

    roles: frozenset[str] = MANAGER_ROLES

    def decide(
        self,
        user: User | None,
        case: Case,
        tasks: Sequence[CaseTask],
        in_scope: Callable[[], bool],
    ) -> Decision:
        if not is_officer(user) or user.role not in self.roles:
            return role_refused()
        assert user is not None
        if not in_scope():
            return scope_refused()
        found = reassignable(user, tasks)
        if not found:
            return conflict(_("There is no open task to reassign."), "invalid_transition")
        return Decision(task=found[0] if len(found) == 1 else None)

    def describe(self) -> str:
        return f"{_role_names(self.roles)} (a task of their own unit; the supervisor any unit's)"


def reassignable(user: User, tasks: Iterable[CaseTask]) -> list[CaseTask]:
    """The open tasks ``user`` may give to another officer."""
    return [
        t
        for t in tasks
        if t.unit_id is not None and (user.role == Role.SUPERVISOR or t.unit_id == user.unit_id)
    ]


@dataclass(frozen=True)
class InScope:
    """An officer of these roles, on a case of their scope, while the case is in one of
    ``statuses``; no task needed (the village KIM supplying the information its desa's
    case waits for)."""

    roles: frozenset[str]
    statuses: frozenset[str]

    def decide(
        self,
        user: User | None,
        case: Case,
        tasks: Sequence[CaseTask],
        in_scope: Callable[[], bool],
    ) -> Decision:
        if not is_officer(user) or user.role not in self.roles:
            return role_refused()
        if not in_scope():
            return scope_refused()
        if case.status not in self.statuses:
            return state_refused(case)
        return Decision()

    def describe(self) -> str:
        return (
            f"{_role_names(self.roles)} (a case of their scope), while {_statuses(self.statuses)}"
        )


@dataclass(frozen=True)
class Reporter:
    """Whoever holds the tracking code, while the case is in one of ``statuses``;
    ``opd_answer``: only when an OPD answered (an answer of the forum alone has no OPD to
    reopen for)."""

    statuses: frozenset[str]
    opd_answer: bool = False
    summary: Label = ""  # the API operation's summary
    done: Label = ""  # what the tracking page says once it is done
    roles: frozenset[str] = frozenset()

    def decide_for_reporter(self, case: Case, *, opd_answered: bool) -> Decision:
        if case.status not in self.statuses:
            return state_refused(case)
        if self.opd_answer and not opd_answered:
            return conflict(
                _("This answer came from the forum; ask the forum instead of disputing it."),
                "invalid_transition",
            )
        return Decision()

    def describe(self) -> str:
        return f"citizen (by tracking code), while {_statuses(self.statuses)}"


@dataclass(frozen=True)
class Nobody:
    """Taken by the system alone (the sweep), or recorded by it; never offered."""

    roles: frozenset[str] = frozenset()
    who: str = "system"

    def decide(
        self,
        user: User | None,
        case: Case,
        tasks: Sequence[CaseTask],
        in_scope: Callable[[], bool],
    ) -> Decision:
        return role_refused()

    def describe(self) -> str:
        return self.who


@dataclass(frozen=True)
class Anyone:
    """Anyone: a citizen without an account, an API client, an officer recording for a
    citizen (the service holds what depends on the input, e.g. a KIM operator's own desa)."""

    roles: frozenset[str] = field(default_factory=frozenset)

    def describe(self) -> str:
        return "citizen, KIM desa operator, API/Open311 client"


@dataclass(frozen=True)
class SupervisorOnly:
    """The supervisor (escalations)."""

    roles: frozenset[str] = frozenset({Role.SUPERVISOR})

    def allows(self, user: User | None) -> bool:
        return is_officer(user) and user.role in self.roles

    def describe(self) -> str:
        return f"{_role_names(self.roles)}"
