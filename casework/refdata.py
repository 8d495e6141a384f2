"""Reference data (regions, units, categories, routing) cached per process.

Every intake and action needs a handful of these small, rarely changed rows; reading them
from the database each time would double the statements of an intake. The cache holds
them for ``TTL`` seconds and is dropped at once in the process that changes them
(:mod:`casework.caches`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from . import caches
from .models import Category, Region, RegionLevel, RoutingRule, Unit, UnitKind

TTL = 60.0


@dataclass
class _Snapshot:
    loaded_at: float
    regions: dict[str, Region] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    categories_by_id: dict[int, Category] = field(default_factory=dict)
    units: dict[tuple[str, str], Unit] = field(default_factory=dict)
    units_by_id: dict[int, Unit] = field(default_factory=dict)
    routing: dict[tuple[int, str | None], int] = field(default_factory=dict)


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def _load() -> _Snapshot:
    snap = _Snapshot(loaded_at=time.monotonic())
    snap.regions = {r.code: r for r in Region.objects.all()}
    snap.categories = {c.code: c for c in Category.objects.all()}
    snap.categories_by_id = {c.pk: c for c in snap.categories.values()}
    for unit in Unit.objects.all():
        snap.units[(unit.kind, unit.code)] = unit
        snap.units_by_id[unit.pk] = unit
    for rule in RoutingRule.objects.all():
        snap.routing[(rule.category_id, rule.kecamatan_id)] = rule.opd_id
    return snap


def snapshot() -> _Snapshot:
    global _snapshot
    snap = _snapshot
    if snap is None or time.monotonic() - snap.loaded_at > TTL:
        with _lock:
            snap = _load()
            if caches.may_keep():
                _snapshot = snap
    return snap


def invalidate() -> None:
    global _snapshot
    _snapshot = None


caches.register("refdata", invalidate, (Region, Category, Unit, RoutingRule))


def region(code: str) -> Region | None:
    return snapshot().regions.get(code)


def village(code: str) -> Region | None:
    found = region(code)
    if found is None or found.level not in (RegionLevel.DESA, RegionLevel.KELURAHAN):
        return None
    return found


def category(code: str) -> Category | None:
    found = snapshot().categories.get(code)
    return found if found is not None and found.active else None


def unit(kind: str, code: str) -> Unit | None:
    return snapshot().units.get((kind, code))


def unit_by_id(pk: int) -> Unit | None:
    return snapshot().units_by_id.get(pk)


def opd(code: str) -> Unit | None:
    found = unit(UnitKind.OPD, code)
    return found if found is not None and found.active else None


def kim_of(desa_code: str) -> Unit | None:
    return unit(UnitKind.KIM, desa_code)


def forum_of(kecamatan_code: str) -> Unit | None:
    return unit(UnitKind.FORUM, kecamatan_code)


def suggested_opd_id(category_id: int, kecamatan_code: str) -> int | None:
    routing = snapshot().routing
    return routing.get((category_id, kecamatan_code)) or routing.get((category_id, None))
