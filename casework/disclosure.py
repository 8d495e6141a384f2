"""What each reader may see of a case: the reporter's identity for officers, and the public
tracking view for whoever holds the tracking code.

Reporter identity (docs/architecture.md, "Confidentiality": *anonim* hides it from the public, *rahasia* keeps the case
out of public view): officers see the reporter of an ordinary case; for an anonim or rahasia
case only the supervisor and the KIM operator of the case's desa do. A NIK is shown masked
to everyone but the supervisor.

The public view never names a reporter or an officer and shows only the parts of the audit
payload written for the citizen: the question asked, the answers, the reason for a rejection.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import actions, refdata
from .models import (
    Case,
    CaseEvent,
    CaseStatus,
    Confidentiality,
    Role,
    UnitKind,
    User,
)

PRIVATE_IDENTITY = frozenset({Confidentiality.ANONIM, Confidentiality.RAHASIA})
REPORTER_FIELDS = ("reporter_name", "reporter_phone", "reporter_email", "reporter_nik")

# ----------------------------------------------------------------------------- officers


def sees_reporter(user: User, case: Case) -> bool:
    """An ordinary case's reporter is seen by the officers handling it; an anonim or rahasia
    one's only by the supervisor and the KIM desa operator who recorded it."""
    if case.confidentiality not in PRIVATE_IDENTITY:
        return True
    if user.role == Role.SUPERVISOR:
        return True
    return user.role == Role.KIM_OPERATOR and case.created_by_id == user.pk


def mask_nik(nik: str) -> str:
    if len(nik) <= 8:
        return "*" * len(nik)
    return f"{nik[:4]}{'*' * (len(nik) - 8)}{nik[-4:]}"


def reporter_for(user: User, case: Case) -> dict[str, str | None]:
    """The reporter_* fields as ``user`` may see them (None where hidden)."""
    if not sees_reporter(user, case):
        return dict.fromkeys(REPORTER_FIELDS)
    nik = case.reporter_nik
    if nik and user.role != Role.SUPERVISOR:
        nik = mask_nik(nik)
    return {
        "reporter_name": case.reporter_name,
        "reporter_phone": case.reporter_phone,
        "reporter_email": case.reporter_email,
        "reporter_nik": nik,
    }


# ----------------------------------------------------------------------------- the public


def citizen_actions(case: Case, events: Iterable[CaseEvent]) -> list[str]:
    """What the holder of the tracking code may do now (the decision the services make)."""
    answers = _answers(case, list(events))
    return actions.reporter_allowed(case, lambda: any(a["source"] == "opd" for a in answers))


def _timeline(events: Iterable[CaseEvent]) -> list[dict[str, Any]]:
    """The events the declarations show the public (:class:`casework.actions.Public`), with
    the payload fields written for the citizen."""
    timeline = []
    for event in events:
        declared = actions.find(event.action)
        public = declared.public if declared is not None else None
        if public is None:
            continue
        item: dict[str, Any] = {
            "action": event.action,
            "action_label": public.label,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "created_at": event.created_at,
        }
        for key in public.payload:
            if isinstance(event.payload, dict) and event.payload.get(key):
                item[key] = str(event.payload[key])
        timeline.append(item)
    return timeline


def _answers(case: Case, events: Iterable[CaseEvent]) -> list[dict[str, Any]]:
    """The forum's answer and each OPD's latest follow-up (dropped again if it declined)."""
    forum_at = None
    by_opd: dict[str, dict[str, Any]] = {}
    for event in events:
        payload = event.payload if isinstance(event.payload, dict) else {}
        if event.action == "resolve":
            forum_at = event.created_at
        elif event.action == "respond" and payload.get("opd"):
            code = str(payload["opd"])
            by_opd.pop(code, None)  # keep the OPD's place at its latest answer
            by_opd[code] = {
                "source": "opd",
                "opd": code,
                "name": _unit_name(UnitKind.OPD, code),
                "response": str(payload.get("response", "")),
                "answered_at": event.created_at,
            }
        elif event.action == "decline" and payload.get("opd"):
            by_opd.pop(str(payload["opd"]), None)
    answers = []
    if case.response:
        answers.append(
            {
                "source": "forum",
                "opd": None,
                "name": _unit_name(UnitKind.FORUM, case.kecamatan_id),
                "response": case.response,
                "answered_at": forum_at,
            }
        )
    answers.extend(by_opd.values())
    return answers


def public_view(case: Case, events: Iterable[CaseEvent]) -> dict[str, Any]:
    """The tracking view of a case. A rahasia case shows only its number and status."""
    view: dict[str, Any] = {
        "number": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
    }
    if case.confidentiality == Confidentiality.RAHASIA:
        return view
    events = list(events)
    answers = _answers(case, events)
    merged_into = None
    target = case.merged_into if case.merged_into_id is not None else None
    if target is not None:
        merged_into = {
            "number": target.number,
            "status": target.status,
            "status_label": target.get_status_display(),
        }
    view.update(
        {
            "title": case.title,
            "category": {"code": case.category.code, "name": case.category.name},
            "desa": {"code": case.desa_id, "name": case.desa.name},
            "kecamatan": {"code": case.kecamatan_id, "name": case.kecamatan.name},
            "supporters": case.supporters,
            "created_at": case.created_at,
            "updated_at": case.updated_at,
            "closed_at": case.closed_at,
            "info_question": case.info_question if case.status == CaseStatus.NEEDS_INFO else None,
            "merged_into": merged_into,
            "answers": answers,
            "timeline": _timeline(events),
            "allowed_actions": actions.reporter_allowed(
                case, lambda: any(a["source"] == "opd" for a in answers)
            ),
        }
    )
    return view


def _unit_name(kind: str, code: str) -> str:
    found = refdata.unit(kind, code)
    return found.name if found is not None else code
