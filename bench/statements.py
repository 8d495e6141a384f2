"""Statements per action of the happy path, in real transactions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aspirasi_bench \
        .venv/bin/python bench/statements.py [--sql] [--markdown]

Creates a throwaway database beside the one DATABASE_URL names (Django's test-database
machinery: ``test_<name>_statements``), loads the reference data, drives one case through
submit → verify → dispatch to two OPD (claiming on the way) → two accepts → two responses →
confirm once to warm the caches and once measured, prints the table and drops the database.
Outside a test transaction each action shows its own BEGIN and COMMIT.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import (
    django_setup,
    load_reference_data,
    provision_path_officers,
    require_postgresql,
)


def api_submit_step() -> Any:
    """The statements of one anonymous POST /api/v1/cases/, or None without the API."""
    import json

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.paths import Step

    client = Client(HTTP_HOST="127.0.0.1")
    body = json.dumps(
        {
            "title": "Lampu penerangan jalan mati",
            "description": "Lampu PJU di depan balai desa mati sejak seminggu.",
            "category": "infrastruktur",
            "desa": "35.08.01.2003",
            "channel": "api",
        }
    )
    client.post("/api/v1/cases/", body, content_type="application/json")  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/cases/", body, content_type="application/json")
    if response.status_code != 201:
        return None
    return Step("POST /api/v1/cases/", list(ctx.captured_queries))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sql", action="store_true", help="print every statement")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--keepdb", action="store_true", help="keep the throwaway database")
    args = parser.parse_args(argv)

    django_setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    require_postgresql()
    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_statements"
    old_config = setup_databases(
        verbosity=0, interactive=False, keepdb=args.keepdb, aliases={"default": True}
    )
    try:
        from bench.paths import happy_path, markdown_table, table

        load_reference_data()
        actors = provision_path_officers()
        happy_path(actors)  # warm-up
        case, steps = happy_path(actors)
        assert case.status == "closed", case.status
        api = api_submit_step()
        if args.sql:
            for step in steps:
                print(f"--- {step.action}: {step.all} statements")
                for sql in step.sql:
                    print("   ", sql[:200])
        if args.markdown:
            print(markdown_table(steps))
        else:
            header = ("action", "all", "no tx ctl", "SELECT", "INSERT", "UPDATE", "trips")
            print(f"{header[0]:<20}" + "".join(f"{h:>11}" for h in header[1:]))
            for action, *numbers in table(steps):
                print(f"{action:<20}" + "".join(f"{n:>11}" for n in numbers))
        if api is not None:
            print(
                f"\nPOST /api/v1/cases/ through the test client (middleware, DRF, the service): "
                f"{api.all} statements, {api.data} without transaction control, "
                f"{api.round_trips} round trips"
            )
    finally:
        if not args.keepdb:
            teardown_databases(old_config, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
