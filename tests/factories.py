"""Builders for tests: officers, and cases driven to a point of their lifecycle through the
services (:mod:`casework.scenarios`, the way the demo data and the benchmarks drive them)."""

from __future__ import annotations

from typing import Any

from casework import scenarios, services
from casework.models import Case, User
from casework.people import provision_officer
from casework.scenarios import Cast, Route

PASSWORD = "rahasia-uji-123"


def make_officer(role: str, unit_code: str, username: str) -> User:
    user, _created, _password = provision_officer(
        username=username, role=role, unit_code=unit_code, password=PASSWORD
    )
    return user


def submit(desa: str = "35.08.01.2001", **overrides: Any) -> Case:
    fields: dict[str, Any] = {
        "actor": None,
        "title": "Jalan desa berlubang",
        "description": "Jalan utama dusun krajan berlubang sejak musim hujan.",
        "category": "infrastruktur",
        "desa": desa,
        "channel": "web",
        "priority": "sedang",
        "confidentiality": "biasa",
        "reporter_name": "Siti Aminah",
        "reporter_phone": "081234567890",
        "reporter_email": "siti@example.org",
        "reporter_nik": "3508014101900001",
        "contact_consent": True,
    }
    fields.update(overrides)
    return services.submit_case(**fields)


def cast(officers: dict) -> Cast:
    """The officers of the ``officers`` fixture who take a case along: the KIM of DESA, the
    forum of its kecamatan, an officer of each OPD."""
    opds = {"dputr": "pu", "dinkes": "dinkes", "dinsos": "dinsos"}
    return Cast(
        kim=officers.get("kim"),
        forum=officers["forum"],
        opds={code: officers[key] for code, key in opds.items() if key in officers},
    )


def drive(officers: dict, target: str, route: Route | None = None, **overrides: Any) -> Case:
    return scenarios.drive(submit(**overrides), target, cast(officers), route)


def submit_for(officers: dict, **overrides: Any) -> Case:
    return submit(**overrides)


def forwarded(officers: dict, **overrides: Any) -> Case:
    return drive(officers, "forwarded", **overrides)


def in_triage(officers: dict, **overrides: Any) -> Case:
    return drive(officers, "in_triage", **overrides)


def dispatched(
    officers: dict, opds: tuple[str, ...] = ("dputr", "dinkes"), **overrides: Any
) -> Case:
    return drive(officers, "dispatched", Route(opds=opds), **overrides)


def in_progress(officers: dict, **overrides: Any) -> Case:
    return drive(officers, "in_progress", Route(opds=("dputr",)), **overrides)


def responded(officers: dict, **overrides: Any) -> Case:
    route = Route(opds=("dputr",), texts={"response": "Sudah ditambal."})
    return drive(officers, "responded", route, **overrides)
