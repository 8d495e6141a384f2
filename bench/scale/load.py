"""``generate(connection, cases=…, seed=…)``: the load without the command line (the tests
call it inside their transaction)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .data import (
    BULK_TABLES,
    FAST_THRESHOLD,
    MAX_CASES,
    OFFICER_PASSWORD,
    OFFICER_ROLES,
    TEMP_TABLES,
)
from .insert import _first_index, _insert_chunk, _secondary_indexes
from .paths import record_paths
from .sql import _execute
from .staging import _lookups, _stage_chunk


@dataclass
class GenerateResult:
    cases: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    first_index: int = 0
    fast: bool = False

    def summary(self) -> str:
        rows = ", ".join(
            f"{table.removeprefix('casework_')} {n:,}" for table, n in self.rows.items()
        )
        phases = ", ".join(f"{name} {secs:.1f} s" for name, secs in self.phases.items())
        rate = self.cases / self.seconds if self.seconds else 0.0
        return (
            f"{self.cases:,} cases in {self.seconds:.1f} s ({rate:,.0f} cases/s; {rows}); {phases}"
        )


def ensure_officers() -> dict[str, Any]:
    """Officers with e-mail addresses in every forum, OPD and the supervising office:
    ``gen_<role>_<unit code>_<n>``. Returns the officers per unit id and role."""
    from django.contrib.auth.hashers import make_password

    from casework.models import Unit, UnitKind, User

    units = list(Unit.objects.filter(kind__in=[UnitKind.FORUM, UnitKind.OPD, UnitKind.SUPERVISOR]))
    wanted: dict[str, tuple[Unit, str]] = {}
    for unit in units:
        for role, count in OFFICER_ROLES[unit.kind]:
            for n in range(1, count + 1):
                wanted[f"gen_{role}_{unit.code}_{n}"] = (unit, role)
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    missing = [name for name in wanted if name not in existing]
    if missing:
        password = make_password(OFFICER_PASSWORD)
        User.objects.bulk_create(
            [
                User(
                    username=name,
                    unit=wanted[name][0],
                    role=wanted[name][1],
                    email=f"{name}@example.org",
                    password=password,
                    first_name=name.split("_")[1].capitalize(),
                    last_name=wanted[name][0].code,
                )
                for name in missing
            ],
            ignore_conflicts=True,
        )
    by_unit: dict[tuple[int, str], list[int]] = {}
    for pk, unit_id, role in (
        User.objects.filter(username__in=wanted)
        .order_by("username")
        .values_list("pk", "unit_id", "role")
    ):
        by_unit.setdefault((unit_id, role), []).append(pk)
    return {"by_unit": by_unit, "created": len(missing), "total": len(wanted)}


def generate(
    connection: Any,
    *,
    cases: int,
    seed: int = 1,
    open_fraction: float = 1.0,
    chunk: int = 250_000,
    fast: bool | None = None,
    now: datetime | None = None,
    log: Callable[[str], None] | None = None,
) -> GenerateResult:
    """Add ``cases`` cases to the database behind the Django ``connection``.

    ``fast`` (default: at least 50,000 cases, outside a transaction) drops the secondary
    indexes of the bulk tables, turns foreign-key triggers off for the load and rebuilds
    the indexes, all in one transaction."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    if connection.vendor != "postgresql":
        raise RuntimeError("the generator writes PostgreSQL SQL")
    if not 0.0 <= open_fraction <= 1.0:
        raise ValueError("open_fraction is between 0 and 1")
    say = log or (lambda _msg: None)
    now = now or timezone.now()
    result = GenerateResult()
    started = time.perf_counter()

    def phase(name: str, since: float) -> float:
        moment = time.perf_counter()
        result.phases[name] = result.phases.get(name, 0.0) + moment - since
        return moment

    mark = time.perf_counter()
    paths = record_paths()
    strings = paths.strings
    say(f"histories recorded from the services: {', '.join(sorted(paths.tasks))}")
    officers = ensure_officers()
    say(f"officers: {officers['total']} ({officers['created']} new)")
    mark = phase("set-up", mark)
    if fast is None:
        fast = cases >= FAST_THRESHOLD and not connection.in_atomic_block
    result.fast = fast
    with transaction.atomic(), connection.cursor() as cursor:
        first = _first_index(cursor)
        if first + cases > MAX_CASES:
            raise ValueError(f"at most {MAX_CASES:,} generated cases in one database")
        result.first_index = first
        counts = _lookups(cursor, now, officers, paths)
        dropped: list[tuple[str, str]] = []
        if fast:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                _execute(cursor, "SET LOCAL session_replication_role = replica")
            _execute(cursor, "SET LOCAL maintenance_work_mem = '512MB'")
            dropped = _secondary_indexes(cursor)
            for name, _definition in dropped:
                _execute(cursor, f'DROP INDEX "{name}"')
            say(f"dropped {len(dropped)} secondary indexes for the load")
        mark = phase("set-up", mark)
        totals: dict[str, int] = {}
        for g0 in range(first, first + cases, chunk):
            g1 = min(g0 + chunk, first + cases)
            _stage_chunk(
                cursor,
                g0=g0,
                g1=g1,
                seed=seed,
                open_fraction=open_fraction,
                now=now,
                counts=counts,
                prefix=settings.ASPIRASI_CASE_PREFIX,
                paths=paths,
            )
            mark = phase("staging", mark)
            rows = _insert_chunk(cursor, strings)
            for table, n in rows.items():
                totals[table] = totals.get(table, 0) + n
            mark = phase("insert", mark)
            say(f"  cases {g1 - first:>10,} of {cases:,}  ({time.perf_counter() - started:.1f} s)")
        if dropped:
            for _name, definition in dropped:
                _execute(cursor, definition)
            mark = phase("indexes", mark)
            say(f"rebuilt {len(dropped)} indexes")
        for table in TEMP_TABLES:
            _execute(cursor, f"DROP TABLE IF EXISTS {table}")
    mark = phase("commit", mark)
    result.cases = cases
    result.rows = totals
    result.seconds = time.perf_counter() - started
    return result


def reset(connection: Any) -> None:
    """Remove every case and everything hanging off it (events, tasks, processes,
    assignments, escalations, notifications)."""
    with connection.cursor() as cursor:
        _execute(cursor, "TRUNCATE casework_case CASCADE")


def vacuum_analyze(connection: Any) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (*BULK_TABLES, "casework_escalation", "casework_notification"):
            _execute(cursor, f"VACUUM ANALYZE {table}")
    return time.perf_counter() - start
