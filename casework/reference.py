"""Loading reference data: the region tree from a Kemendagri CSV, units, OPD, categories and
routing from a JSON description of a kabupaten. Used by management commands and tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.db import transaction

from .models import Category, Region, RegionLevel, RoutingRule, Unit, UnitKind

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_REGIONS_CSV = DATA_DIR / "lumajang_regions.csv"
DEFAULT_REFERENCE_JSON = DATA_DIR / "lumajang_reference.json"
LEVEL_ORDER = {"kabupaten": 0, "kecamatan": 1, "desa": 2, "kelurahan": 2}


class ReferenceError(ValueError):
    pass


@transaction.atomic
def load_regions(path: Path = DEFAULT_REGIONS_CSV) -> dict[str, int]:
    """Create or update regions from ``code,name,level,parent_code`` rows, and the units that
    follow from them: a Forum KIM per kecamatan, a KIM per desa/kelurahan (inactive until an
    administrator activates it), the supervising office of the kabupaten."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or not {"code", "name", "level", "parent_code"} <= set(rows[0]):
        raise ReferenceError("expected columns code,name,level,parent_code")
    for row in rows:
        if row["level"] not in LEVEL_ORDER:
            raise ReferenceError(f"unknown level {row['level']!r} for {row['code']}")
    rows.sort(key=lambda r: (LEVEL_ORDER[r["level"]], r["code"]))
    codes = {r["code"] for r in rows}
    existing = set(Region.objects.values_list("code", flat=True))
    created = 0
    for row in rows:
        parent = row["parent_code"] if row["parent_code"] in codes | existing else None
        if row["level"] != RegionLevel.KABUPATEN and parent is None:
            raise ReferenceError(f"{row['code']}: parent {row['parent_code']} not found")
        _, was_created = Region.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"].strip(), "level": row["level"], "parent_id": parent},
        )
        created += was_created
        existing.add(row["code"])
    units = 0
    for row in rows:
        kind, name = {
            "kabupaten": (UnitKind.SUPERVISOR, f"Pengawas {row['name']}"),
            "kecamatan": (UnitKind.FORUM, f"Forum KIM Kecamatan {row['name']}"),
            "desa": (UnitKind.KIM, f"KIM Desa {row['name']}"),
            "kelurahan": (UnitKind.KIM, f"KIM Kelurahan {row['name']}"),
        }[row["level"]]
        _, was_created = Unit.objects.get_or_create(
            kind=kind,
            code=row["code"],
            defaults={"name": name, "region_id": row["code"], "active": kind != UnitKind.KIM},
        )
        units += was_created
    return {"regions": len(rows), "regions_created": created, "units_created": units}


@transaction.atomic
def load_reference(path: Path = DEFAULT_REFERENCE_JSON) -> dict[str, int]:
    """OPD, categories with their service-level class, and default routing rules."""
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    kabupaten = spec["kabupaten"]
    if not Region.objects.filter(code=kabupaten, level=RegionLevel.KABUPATEN).exists():
        raise ReferenceError(f"load the regions of {kabupaten} first")
    if spec.get("supervisor"):
        Unit.objects.filter(kind=UnitKind.SUPERVISOR, code=kabupaten).update(
            name=spec["supervisor"]["name"]
        )
    for opd in spec["opds"]:
        Unit.objects.update_or_create(
            kind=UnitKind.OPD,
            code=opd["code"],
            defaults={"name": opd["name"], "region_id": kabupaten, "active": True},
        )
    for item in spec["categories"]:
        category, _ = Category.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "name_en": item.get("name_en", ""),
                "sla_class": item.get("sla_class", "standard"),
            },
        )
        if item.get("opd"):
            RoutingRule.objects.update_or_create(
                category=category,
                kecamatan=None,
                defaults={"opd": Unit.objects.get(kind=UnitKind.OPD, code=item["opd"])},
            )
    return {"opds": len(spec["opds"]), "categories": len(spec["categories"])}
