"""Shared set-up of the benchmark scripts: Django settings, the reference data, officers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup(default_settings: str = "config.settings.test") -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings)
    import django

    django.setup()


def require_postgresql() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(
            "These benchmarks run on PostgreSQL: set DATABASE_URL, "
            "e.g. postgres://postgres@127.0.0.1:5432/aspirasi_bench"
        )


def load_reference_data() -> None:
    """Regions, units, OPD, categories, as ``manage.py load_regions`` / ``load_reference``."""
    from casework import refdata
    from casework.models import Region
    from casework.reference import load_reference, load_regions

    if not Region.objects.exists():
        load_regions()
        load_reference()
    refdata.invalidate()


def provision_path_officers() -> dict:
    """The officers of ``bench.paths.PATH_OFFICERS``; activates the KIM of the path's desa."""
    from bench.paths import DESA, PATH_OFFICERS
    from casework import refdata
    from casework.models import Unit, UnitKind
    from casework.people import provision_officer

    Unit.objects.filter(kind=UnitKind.KIM, code=DESA).update(active=True)
    refdata.invalidate()
    actors = {}
    for key, (role, unit_code) in PATH_OFFICERS.items():
        user, _created, _password = provision_officer(
            username=f"bench_{key}", role=role, unit_code=unit_code, password="bench-only-pass-1"
        )
        actors[key] = user
    return actors
