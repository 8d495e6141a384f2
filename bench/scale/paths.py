"""The histories the generator writes, recorded from the real code.

Each path is a history a generated case went through (F forwarded, T in_triage, D
dispatched, P in_progress, C closed after an OPD's answer and the reporter's confirmation, R
rejected at triage), in a desa whose KIM is inactive. :func:`record_paths` drives one case
along each path through the services (:func:`casework.scenarios.drive`, the way the tests and
the demo data drive theirs), reads back the task rows and the audit events they wrote, and
rolls everything back: the generator's templates are what the services write, not a copy
kept by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .data import PATH_STATUS

# each path: the status a scenario drives the case to, and its route
ROUTES: dict[str, tuple[str, dict[str, Any]]] = {
    "F": ("forwarded", {}),
    "T": ("in_triage", {}),
    "D": ("dispatched", {}),
    "P": ("in_progress", {}),
    "C": ("closed", {"close": "confirm"}),
    "R": ("rejected", {"reject": "forum"}),
}
# where the chunk statements look for a task by its place in the path (the claims' payloads)
TRIAGE_AT, OPD_ACCEPT_AT = 1, 3


@dataclass
class Paths:
    """Per path: its tasks ``(node, status, stage)`` and its events ``(kind, action, from
    status, to status)`` in the order they were written; ``strings``: what viewflow stores
    for each node, ``(flow_task, flow_task_type)``, and the process's flow class under
    ``""``."""

    tasks: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    events: dict[str, list[tuple[str, str, str, str]]] = field(default_factory=dict)
    strings: dict[str, tuple[str, str]] = field(default_factory=dict)


def _kind(action: str, payload: dict) -> str:
    """The event's kind in the chunk statements: its action, a claim told apart by stage."""
    if action != "claim":
        return action
    return "claim_triage" if payload.get("stage") == "triage" else "claim_opd"


def record_paths() -> Paths:
    """Drive one case along each path in a transaction that is rolled back, and read what
    the services wrote."""
    from django.db import connection, transaction

    from casework import refdata, scenarios, services
    from casework.models import CaseEvent, Category, Region, RegionLevel, Unit, UnitKind
    from casework.people import provision_officer

    paths = Paths()
    refdata.invalidate()
    with transaction.atomic():
        active = set(
            Unit.objects.filter(kind=UnitKind.KIM, active=True).values_list("code", flat=True)
        )
        forums = set(Unit.objects.filter(kind=UnitKind.FORUM).values_list("code", flat=True))
        desa = (
            Region.objects.filter(level__in=[RegionLevel.DESA, RegionLevel.KELURAHAN])
            .exclude(code__in=active)
            .filter(parent_id__in=forums)
            .order_by("code")
            .first()
        )
        opd = Unit.objects.filter(kind=UnitKind.OPD, active=True).order_by("code").first()
        category = Category.objects.filter(active=True).order_by("pk").first()
        if desa is None or opd is None or category is None:
            raise RuntimeError("load the regions and the reference data first")
        assert desa.parent_id is not None  # filtered on parent_id__in above
        forum, _c, _p = provision_officer(
            username="gen_probe_forum", role="forum_officer", unit_code=desa.parent_id
        )
        officer, _c, _p = provision_officer(
            username="gen_probe_opd", role="opd_officer", unit_code=opd.code
        )
        cast = scenarios.Cast(forum=forum, opds={opd.code: officer})
        for path, (target, options) in ROUTES.items():
            case = services.submit_case(
                actor=None,
                title="Probe",
                description="Probe of what the services write.",
                category=category.code,
                desa=desa.code,
                channel="web",
            )
            route = scenarios.Route(opds=(opd.code,), **options)
            case = scenarios.drive(case, target, cast, route)
            if case.status != PATH_STATUS[path]:
                raise RuntimeError(f"path {path} ended in {case.status}")
            with connection.cursor() as cursor:
                # as stored: the strings the chunk statements write again
                cursor.execute(
                    "SELECT flow_task, flow_task_type, status, stage FROM casework_casetask "
                    "WHERE case_id = %s ORDER BY id",
                    [case.pk],
                )
                rows = cursor.fetchall()
                cursor.execute(
                    "SELECT flow_class FROM casework_caseprocess WHERE case_id = %s", [case.pk]
                )
                paths.strings[""] = (cursor.fetchone()[0], "")
            paths.tasks[path] = []
            for flow_task, task_type, status, stage in rows:
                node = flow_task.rsplit(".", 1)[-1]
                paths.strings[node] = (flow_task, task_type)
                paths.tasks[path].append((node, status, stage))
            paths.events[path] = [
                (_kind(e.action, e.payload), e.action, e.from_status, e.to_status)
                for e in CaseEvent.objects.filter(case=case).order_by("id")
            ]
        transaction.set_rollback(True)
    refdata.invalidate()
    _check(paths)
    return paths


def _check(paths: Paths) -> None:
    """What the chunk statements count on: the claims' tasks at their places in the path."""
    p = [node for node, _status, _stage in paths.tasks["P"]]
    if p[TRIAGE_AT] != "triage" or p[OPD_ACCEPT_AT] != "opd_accept":
        raise RuntimeError(f"the in-progress path has tasks {p}")
    missing = {node for tasks in paths.tasks.values() for node, *_ in tasks} - set(paths.strings)
    if missing:
        raise RuntimeError(f"no engine strings recorded for {sorted(missing)}")
