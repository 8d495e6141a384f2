"""Read-only reference data for the public endpoints, from the cached snapshot of
:mod:`casework.refdata` (no query once the snapshot is warm)."""

from __future__ import annotations

from casework import refdata
from casework.models import Category, Region, Unit, UnitKind


def categories() -> list[Category]:
    snap = refdata.snapshot()
    return sorted((c for c in snap.categories.values() if c.active), key=lambda c: c.name)


def opds() -> list[Unit]:
    snap = refdata.snapshot()
    found = [u for (kind, _code), u in snap.units.items() if kind == UnitKind.OPD and u.active]
    return sorted(found, key=lambda u: u.name)


def region(code: str) -> Region | None:
    return refdata.region(code)


def regions(parent: str | None) -> list[Region]:
    """Children of ``parent``; without it the top of the tree (the kabupaten)."""
    snap = refdata.snapshot()
    wanted = parent or None
    return sorted((r for r in snap.regions.values() if r.parent_id == wanted), key=lambda r: r.code)


def unit_name(kind: str, code: str) -> str:
    found = refdata.unit(kind, code)
    return found.name if found is not None else code
