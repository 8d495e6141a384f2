"""Bulk-load realistic cases into PostgreSQL, set-based, for the scale benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aspirasi_scale \
        .venv/bin/python bench/generate.py --cases 1000000 [--open-fraction 1.0] [--seed 1] \
            [--reset]

Creates the database when it is missing, runs ``manage.py migrate``, ``load_regions`` and
``load_reference``, provisions officers for every forum, OPD and the supervising office
(``gen_<role>_<unit code>_<n>``, password ``bench-only-pass-1``, e-mail
``<username>@example.org``), then writes the cases with a handful of ``INSERT … SELECT``
statements over ``generate_series`` per chunk: no ORM per row.

The rows are those the services write for the same history (compared with a real case: the
script submits one through ``casework.services.submit_case`` in a transaction it rolls back,
and checks the engine's strings against it). Open cases (``--open-fraction``, default all)
are spread 20 % ``forwarded``, 15 % ``in_triage``, 20 % ``dispatched``, 45 % ``in_progress``;
each has its case row, its process (``NEW``), the tasks of its history (start, triage,
dispatch gateway, OPD acceptance, …, ``DONE``), exactly one open human task of the current
stage (``NEW`` in the unit's queue or ``ASSIGNED`` to an officer of the unit), the
``previous`` links between tasks, its OPD assignment and its audit events. The open task's
deadline is the stage's real deadline (working days, close of business) from a start in the
recent past, chosen so that the deadline and the 75 % reminder point are in the future:
a sweep right after loading has nothing to do. Closed cases (the rest) are ``closed``
(confirmed after an OPD answered, 85 %) or ``rejected`` at triage (15 %), with their full,
finished history. Every value is a hash of the case's index and ``--seed``: the same seed
gives the same data.

``--reset`` truncates the case data first (cases and everything hanging off them); without
it the new cases are added to those already there. Loads of 50,000 cases or more drop the
secondary indexes of the bulk tables, load with foreign-key triggers off
(``session_replication_role = replica``, when the role may) and build the indexes again, all
in one transaction; smaller loads keep everything in place. ``VACUUM ANALYZE`` ends the run.

``generate(connection, cases=…, seed=…)`` is the same load without the command-line part
(the tests call it inside their transaction).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scale.data import DEFAULT_DATABASE_URL  # noqa: E402
from bench.scale.load import GenerateResult, generate, reset, vacuum_analyze  # noqa: E402

__all__ = ["GenerateResult", "generate", "main", "reset", "vacuum_analyze"]


def ensure_database(url: str) -> bool:
    """Create the database the URL names when it is missing; True when created."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def truncate_cases(url: str) -> bool:
    """TRUNCATE the case data (cases and everything hanging off them) when the schema exists."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT to_regclass('casework_case')").fetchone()
        assert row is not None  # always one row: NULL when there is no such table
        if row[0] is None:
            return False
        conn.execute("TRUNCATE casework_case CASCADE")
        return True


def manage(*args: str) -> None:
    command = [sys.executable, "manage.py", *args]
    print("  $", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, env=os.environ.copy(), check=True, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--open-fraction", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=250_000, help="cases per staging step")
    parser.add_argument("--reset", action="store_true", help="truncate the case data first")
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="load with every index and trigger in place (slower)",
    )
    parser.add_argument("--no-vacuum", action="store_true")
    args = parser.parse_args(argv)

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("the generator needs PostgreSQL: set DATABASE_URL")
    total = time.perf_counter()
    created = ensure_database(url)
    print(f"database {url}{' (created)' if created else ''}", flush=True)
    if args.reset:
        # before migrating: data migrations then have no generated rows to go through
        start = time.perf_counter()
        truncated = truncate_cases(url)
        print(f"case data truncated: {truncated} ({time.perf_counter() - start:.1f} s)", flush=True)
    manage("migrate", "--no-input")
    manage("load_regions")
    manage("load_reference")

    from bench._setup import django_setup

    django_setup()
    from django.db import connection

    result = generate(
        connection,
        cases=args.cases,
        seed=args.seed,
        open_fraction=args.open_fraction,
        chunk=args.chunk,
        fast=False if args.keep_indexes else None,
        log=lambda msg: print(msg, flush=True),
    )
    print(f"generated {result.summary()}", flush=True)
    if not args.no_vacuum:
        print(f"VACUUM ANALYZE: {vacuum_analyze(connection):.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM casework_case GROUP BY status ORDER BY status")
        print("cases by status:", dict(cursor.fetchall()))
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print("database size:", cursor.fetchone()[0])
    print(f"total {time.perf_counter() - total:.1f} s (database, migrate, reference, load)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
