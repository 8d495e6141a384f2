"""What an action declaration holds, and the registry of declarations and their services.

A declaration (:class:`Action`, written in :mod:`casework.actions.declarations`) says once
what the rest of the system builds from: the code (API path, audit event, form), the labels,
who may take it (:mod:`casework.actions.policy`), its input (:mod:`casework.actions.schema`),
its outcome for the status and the process (the rows of :data:`casework.lifecycle.OUTCOMES`
with its code), who is told about it, and what the public timeline shows of it. The service
that carries it out names its declaration with :func:`implements`; services import the
declarations, never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..lifecycle import OUTCOMES, Outcome
from .policy import Anyone, InScope, Nobody, OnTask, Policy, Reporter, SupervisorOnly
from .schema import Label, Schema

if TYPE_CHECKING:
    from ..models import CaseEvent

# where an action is taken
CASE = "case"  # an officer's action on a case: /api/v1/cases/{number}/actions/{code}/
INTAKE = "intake"  # a new case: /api/v1/cases/
ESCALATION = "escalation"  # /api/v1/escalations/{id}/acknowledge/
RECORDED = "recorded"  # recorded by the system, taken by no one


@dataclass(frozen=True)
class Public:
    """What the public tracking timeline shows of the action: its label for the citizen and
    the payload fields written for the citizen."""

    label: Label
    payload: tuple[str, ...] = ()


@dataclass(frozen=True)
class Notify:
    """Who hears about the action.

    ``reporter``: the reporter gets a message (on the channel they chose), with the payload
    fields ``payload``; a callable decides per event. ``new_work``: the stage whose new tasks
    the officers of the unit (or the task's owner) are told about; a callable decides per
    event, ``work_payload`` are the payload fields their message carries."""

    reporter: bool | Callable[[CaseEvent], bool] = False
    payload: tuple[str, ...] = ()
    new_work: str | Callable[[CaseEvent], str | None] | None = None
    work_payload: tuple[str, ...] = ()

    def tells_reporter(self, event: CaseEvent) -> bool:
        return self.reporter(event) if callable(self.reporter) else self.reporter

    def work_stage(self, event: CaseEvent) -> str | None:
        return self.new_work(event) if callable(self.new_work) else self.new_work


@dataclass(frozen=True, eq=False)
class Action:
    code: str
    event: Label  # the officers' timeline
    where: str = CASE
    policy: Policy | Anyone | SupervisorOnly | None = None  # officers (None: no officer)
    reporter: Reporter | None = None  # the holder of the tracking code
    input: Schema = field(default_factory=Schema)
    label: Label = ""  # the button and the form's heading
    summary: Label = ""  # the API operation's summary
    done: Label = ""  # what the page says once it is done
    tone: str = ""  # how its button looks: "", "secondary" or "danger"
    public: Public | None = None
    notify: Notify = field(default_factory=Notify)
    effect: str = ""  # the lifecycle document's words

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        return tuple(row for row in OUTCOMES if row.action == self.code)

    @property
    def for_officers(self) -> bool:
        return (
            self.where == CASE and self.policy is not None and not isinstance(self.policy, Nobody)
        )

    @property
    def for_reporter(self) -> bool:
        return self.reporter is not None

    @property
    def service(self) -> Callable[..., Any]:
        try:
            return _services[self.code]
        except KeyError:
            raise LookupError(
                f"no service implements {self.code!r}; is casework.services imported?"
            ) from None

    def by(self) -> str:
        """Who takes it, in the words of the lifecycle document."""
        who = [self.policy.describe()] if self.policy is not None else []
        if self.reporter is not None:
            who.append(self.reporter.describe())
        return "; ".join(who)

    def __repr__(self) -> str:
        return f"<Action {self.code}>"


_declared: dict[str, Action] = {}
_services: dict[str, Callable[..., Any]] = {}


def declare(action: Action) -> Action:
    if action.code in _declared:
        raise ValueError(f"action {action.code!r} declared twice")
    if isinstance(action.policy, (OnTask, InScope)) and not action.policy.roles:
        raise ValueError(f"{action.code}: a policy without roles")
    _declared[action.code] = action
    return action


def implements(action: Action) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a service function as the one that carries ``action`` out."""

    def register(service: Callable[..., Any]) -> Callable[..., Any]:
        if action.code in _services:
            raise ValueError(f"action {action.code!r} implemented twice")
        _services[action.code] = service
        return service

    return register


def get(code: str) -> Action:
    return _declared[code]


def find(code: str) -> Action | None:
    return _declared.get(code)


def all_actions() -> Iterator[Action]:
    """Every declaration, in the order they are offered."""
    return iter(_declared.values())


def officer_actions() -> list[Action]:
    return [a for a in _declared.values() if a.for_officers]


def reporter_actions() -> list[Action]:
    return [a for a in _declared.values() if a.for_reporter]


def implemented() -> frozenset[str]:
    return frozenset(_services)


__all__ = ["CASE", "ESCALATION", "INTAKE", "RECORDED", "Action", "Nobody", "Notify", "Public"]
