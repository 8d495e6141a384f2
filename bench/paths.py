"""Workloads shared by the statement-count test and the benchmark scripts.

``happy_path`` drives one case through the common path at the service level, the way the API
would: every action gets a freshly loaded actor (as a request's ``user`` is), and the SQL of
each action is captured with Django's ``CaptureQueriesContext``, which also records the
transaction statements (BEGIN, COMMIT, SAVEPOINT, RELEASE SAVEPOINT).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import scenarios, services
from casework.batch import STATEMENT_SEPARATOR
from casework.models import Case, User

DESA = "35.08.01.2001"  # its KIM is activated for the path: verification by the village
KECAMATAN = "35.08.01"
OPDS = ("dputr", "dinkes")

# the officers the path needs: key -> (role, unit code)
PATH_OFFICERS: dict[str, tuple[str, str]] = {
    "kim": ("kim_operator", DESA),
    "forum": ("forum_officer", KECAMATAN),
    "pu": ("opd_officer", "dputr"),
    "dinkes": ("opd_officer", "dinkes"),
}

SUBMISSION: dict[str, Any] = {
    "title": "Jalan desa berlubang",
    "description": "Jalan utama dusun krajan berlubang sejak musim hujan.",
    "category": "infrastruktur",
    "channel": "web",
    "priority": "sedang",
    "confidentiality": "biasa",
    "reporter_name": "Siti Aminah",
    "reporter_phone": "081234567890",
    "reporter_email": "siti@example.org",
    "reporter_nik": "3508014101900001",
    "contact_consent": True,
}

TRANSACTION_PREFIXES = (
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE SAVEPOINT",
    "ROLLBACK TO SAVEPOINT",
)


def is_transaction_control(sql: str) -> bool:
    return sql.lstrip().upper().startswith(TRANSACTION_PREFIXES)


@dataclass
class Step:
    action: str
    queries: list[dict[str, str]]

    @property
    def sql(self) -> list[str]:
        """Every statement; one query of several statements (casework/batch.py) counts as
        each of them."""
        return [part for q in self.queries for part in q["sql"].split(STATEMENT_SEPARATOR)]

    @property
    def round_trips(self) -> int:
        return len(self.queries)

    @property
    def all(self) -> int:
        return len(self.sql)

    @property
    def data(self) -> int:
        """Statements other than transaction control."""
        return sum(1 for sql in self.sql if not is_transaction_control(sql))

    def count(self, verb: str) -> int:
        return sum(1 for sql in self.sql if sql.lstrip().upper().startswith(verb))


def _fresh(user: User) -> User:
    # what authentication hands a view: the user row, nothing related loaded
    return User.objects.get(pk=user.pk)


def happy_path(actors: Mapping[str, User], desa: str = DESA) -> tuple[Case, list[Step]]:
    """submit → verify (KIM) → dispatch to two OPD (forum, claiming on the way) → each OPD
    accepts → each OPD responds → the citizen confirms: the steps of
    :func:`casework.scenarios.plan`, each taken by a freshly loaded actor."""
    steps: list[Step] = []

    def measured(label: str, call: Callable[[], Case]) -> Case:
        with CaptureQueriesContext(connection) as ctx:
            found = call()
        steps.append(Step(label, list(ctx.captured_queries)))
        return found

    case = measured("submit", lambda: services.submit_case(actor=None, desa=desa, **SUBMISSION))
    cast = scenarios.Cast(
        kim=actors["kim"],
        forum=actors["forum"],
        opds={"dputr": actors["pu"], "dinkes": actors["dinkes"]},
    )
    for step in scenarios.plan(case, "closed", cast, scenarios.Route(opds=OPDS)):
        actor = _fresh(step.actor) if step.actor is not None else None
        case = measured(step.label, functools.partial(step.take, case, actor))
    return case, steps


def table(steps: Sequence[Step]) -> list[tuple[str, int, int, int, int, int, int]]:
    """(action, all statements, without transaction control, SELECT, INSERT, UPDATE, round
    trips) per action, and a total row."""
    rows = [
        (
            s.action,
            s.all,
            s.data,
            s.count("SELECT"),
            s.count("INSERT"),
            s.count("UPDATE"),
            s.round_trips,
        )
        for s in steps
    ]
    total = (
        "total",
        sum(row[1] for row in rows),
        sum(row[2] for row in rows),
        sum(row[3] for row in rows),
        sum(row[4] for row in rows),
        sum(row[5] for row in rows),
        sum(row[6] for row in rows),
    )
    return [*rows, total]


def markdown_table(steps: Sequence[Step]) -> str:
    lines = [
        "| action | all statements | without BEGIN/COMMIT/SAVEPOINT/RELEASE | SELECT | INSERT "
        "| UPDATE | round trips |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for action, *numbers in table(steps):
        cells = " | ".join(str(n) for n in numbers)
        name = f"**{action}**" if action == "total" else action
        lines.append(f"| {name} | {cells} |")
    return "\n".join(lines)
