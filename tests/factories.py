"""Builders for tests: officers and cases driven to a given point of their lifecycle."""

from __future__ import annotations

from typing import Any

from casework import services
from casework.models import Case
from casework.people import provision_officer

PASSWORD = "rahasia-uji-123"


def make_officer(role: str, unit_code: str, username: str):  # type: ignore[no-untyped-def]
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


def submit_for(officers: dict, **overrides: Any) -> Case:
    return submit(**overrides)


def forwarded(officers: dict, **overrides: Any) -> Case:
    case = submit(**overrides)
    return services.verify_case(case=case, actor=officers["kim"])


def in_triage(officers: dict, **overrides: Any) -> Case:
    case = forwarded(officers, **overrides)
    return services.claim_task(case=case, actor=officers["forum"])


def dispatched(
    officers: dict, opds: tuple[str, ...] = ("dputr", "dinkes"), **overrides: Any
) -> Case:
    case = forwarded(officers, **overrides)
    return services.dispatch_case(case=case, actor=officers["forum"], opds=list(opds))


def in_progress(officers: dict, **overrides: Any) -> Case:
    case = dispatched(officers, opds=("dputr",), **overrides)
    return services.accept_assignment(case=case, actor=officers["pu"])


def responded(officers: dict, **overrides: Any) -> Case:
    case = in_progress(officers, **overrides)
    return services.respond_assignment(case=case, actor=officers["pu"], response="Sudah ditambal.")
