"""Drive a case along its lifecycle to a given point, through the services: the one way the
tests, the demo data and the benchmarks bring a case where they need it.

:func:`plan` lists the steps from where a case stands to a target status, each a call of one
service by the officer whose turn it is (the village KIM, the kecamatan forum, each OPD, the
reporter); :func:`drive` takes them. The choices a case's history offers (asking the village
or the forum, answering at the forum or by OPD, confirming or letting the window close) are
the :class:`Route`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import services
from .lifecycle import CaseStatus
from .models import Case, User

S = CaseStatus
TARGETS = tuple(CaseStatus.values)


@dataclass(frozen=True)
class Cast:
    """Who acts: the KIM operator of the case's desa (None where the KIM is inactive and
    verification is skipped), a forum officer of its kecamatan, and an officer per OPD."""

    forum: User
    opds: dict[str, User]
    kim: User | None = None


@dataclass(frozen=True)
class Route:
    """The history a case takes to its target.

    ``opds``: the OPD it is dispatched to; ``accepted``/``responded``: how many of them
    accept, then respond (all by default); ``answer``: ``"opd"``, or ``"forum"`` (resolved at
    triage); ``ask``, ``reject``: ``"forum"`` or ``"village"`` (before verification);
    ``close``: ``"confirm"`` (by the reporter) or ``"timeout"`` (the system, at the end of the
    confirmation window); ``into``: the open case a duplicate is merged into."""

    opds: Sequence[str] = ("dputr",)
    accepted: int | None = None
    responded: int | None = None
    answer: str = "opd"
    ask: str = "forum"
    reject: str = "forum"
    close: str = "confirm"
    into: Case | None = None
    rating: int = 5
    texts: dict[str, str] = field(default_factory=dict)

    def text(self, key: str, default: str) -> str:
        return self.texts.get(key, default)


@dataclass(frozen=True)
class Step:
    """One service call by ``actor``: ``label`` names it (the action, and the OPD's place
    among those dispatched: ``accept (OPD 1)``); ``call(case, actor)`` takes it (a caller
    may hand the actor in as a request would, freshly loaded)."""

    label: str
    action: str
    actor: User | None
    call: Callable[[Case, Any], Case]

    def take(self, case: Case, actor: User | None = None) -> Case:
        return self.call(case, actor if actor is not None else self.actor)


def plan(case: Case, target: str, cast: Cast, route: Route | None = None) -> list[Step]:
    """The steps from a new case (``received``, or ``forwarded`` where verification was
    skipped) to ``target``."""
    route = route or Route()
    if target not in TARGETS:
        raise ValueError(f"unknown status {target!r}")
    steps: list[Step] = []
    add = steps.append
    forum, kim = cast.forum, cast.kim

    if target == S.RECEIVED:
        return steps
    at_village = case.status == S.RECEIVED
    if at_village and target == S.REJECTED and route.reject == "village":
        reason = route.text("reject", "Bukan aspirasi (iklan).")
        add(Step("reject", "reject", kim, _reject(reason)))
        return steps
    if at_village and target == S.NEEDS_INFO and route.ask == "village":
        question = route.text("question", "Mohon foto lokasi.")
        add(Step("request_info", "request_info", kim, _ask(question)))
        return steps
    if at_village:
        add(Step("verify", "verify", kim, lambda c, a: services.verify_case(case=c, actor=a)))
    if target == S.FORWARDED:
        return steps
    if target == S.IN_TRIAGE:
        add(Step("claim", "claim", forum, lambda c, a: services.claim_task(case=c, actor=a)))
        return steps
    if target == S.NEEDS_INFO:
        question = route.text("question", "Di RT/RW berapa tepatnya?")
        add(Step("request_info (claims)", "request_info", forum, _ask(question)))
        return steps
    if target == S.REJECTED:
        reason = route.text("reject", "Di luar kewenangan pemerintah kabupaten.")
        add(Step("reject (claims)", "reject", forum, _reject(reason)))
        return steps
    if target == S.MERGED:
        if route.into is None:
            raise ValueError("a merge needs the case to merge into (Route(into=…))")
        into = route.into.number
        add(
            Step(
                "merge (claims)",
                "merge",
                forum,
                lambda c, a: services.merge_case(case=c, actor=a, into=into),
            )
        )
        return steps
    if route.answer == "forum" and target in (S.RESPONDED, S.CLOSED):
        answer = route.text("answer", "Informasi telah disampaikan melalui KIM.")
        add(
            Step(
                "resolve (claims)",
                "resolve",
                forum,
                lambda c, a: services.resolve_case(case=c, actor=a, response=answer),
            )
        )
    else:
        opds = list(route.opds)
        add(
            Step(
                "dispatch (claims)",
                "dispatch",
                forum,
                lambda c, a: services.dispatch_case(case=c, actor=a, opds=opds),
            )
        )
        if target == S.DISPATCHED:
            return steps
        accepted = len(opds) if route.accepted is None else route.accepted
        for n, code in enumerate(opds[:accepted], start=1):
            officer = cast.opds[code]
            add(Step(_nth("accept", n, opds), "accept", officer, _accept))
        if target == S.IN_PROGRESS:
            return steps
        responded = accepted if route.responded is None else route.responded
        answer = route.text("response", "Telah ditindaklanjuti oleh tim lapangan.")
        for n, code in enumerate(opds[:responded], start=1):
            officer = cast.opds[code]
            add(Step(_nth("respond", n, opds), "respond", officer, _respond(answer)))
    if target == S.RESPONDED:
        return steps
    if route.close == "timeout":
        add(Step("close", "close", None, lambda c, a: services.close_case(case=c)))
    else:
        rating, comment = route.rating, route.text("comment", "Terima kasih")
        add(
            Step(
                "confirm",
                "confirm",
                None,
                lambda c, a: services.confirm_case(case=c, rating=rating, comment=comment),
            )
        )
    return steps


def drive(case: Case, target: str, cast: Cast, route: Route | None = None) -> Case:
    """Take every step of :func:`plan`; the case as it stands at ``target``."""
    for step in plan(case, target, cast, route):
        case = step.take(case)
    if case.status != target:
        raise RuntimeError(f"{case.number} reached {case.status}, not {target}")
    return case


def _nth(action: str, n: int, opds: Sequence[str]) -> str:
    return f"{action} (OPD {n})" if len(opds) > 1 else action


def _ask(question: str) -> Callable[[Case, Any], Case]:
    return lambda c, a: services.request_info(case=c, actor=a, question=question)


def _reject(reason: str) -> Callable[[Case, Any], Case]:
    return lambda c, a: services.reject_case(case=c, actor=a, reason=reason)


def _accept(case: Case, actor: Any) -> Case:
    return services.accept_assignment(case=case, actor=actor)


def _respond(response: str) -> Callable[[Case, Any], Case]:
    return lambda c, a: services.respond_assignment(case=c, actor=a, response=response)


__all__ = ["TARGETS", "Cast", "Route", "Step", "drive", "plan"]
