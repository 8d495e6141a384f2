"""What each reader may see of a case: the reporter's identity for officers, the public view
(lists and figures anyone may read), and the reporter's view for whoever holds the tracking
code.

Reporter identity (docs/architecture.md, "Confidentiality": *anonim* hides it from the public,
*rahasia* keeps the case out of public view): officers see the reporter of an ordinary case;
for an anonim or rahasia case only the supervisor and the KIM operator of the case's desa do.
A NIK is shown masked to everyone but the supervisor.

The public view never names a reporter or an officer and shows only the parts of the audit
payload written for the citizen: the question asked, the answers, the reason for a rejection.
Of a rahasia case it shows only the number and status.

The holder of the tracking code is the reporter: the reporter's view shows them their own
case in full, whatever its confidentiality (what they sent: the description, the place, their
files; the questions; the answers with the answering unit's name and its files), and still
names no officer and no reporter field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import actions, refdata
from .models import (
    Attachment,
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

# files the reporter sees: those that came with their aspiration or their information (sent
# by them or by the KIM on their behalf), and those of the agencies' follow-ups
OWN_FILE_ACTIONS = frozenset({"submit", "provide_info"})
ANSWER_FILE_ACTIONS = frozenset({"respond"})


def citizen_actions(case: Case, events: Iterable[CaseEvent]) -> list[str]:
    """What the holder of the tracking code may do now (the decision the services make)."""
    answers = _answers(case, list(events))
    return actions.reporter_allowed(case, lambda: any(a["source"] == "opd" for a in answers))


def opd_name(code: str) -> str:
    """An OPD's name (its code when unknown)."""
    return _unit_name(UnitKind.OPD, code)


def public_file_name(attachment: Attachment, action: str) -> str:
    """The name the holder of the tracking code sees of a file that came with ``action``: the
    one they gave their own files; for an agency's file a neutral one (a file name may name
    whoever made it)."""
    if attachment.original_name and action in OWN_FILE_ACTIONS:
        return attachment.original_name
    stored = attachment.file.name or ""
    ext = stored.rsplit(".", 1)[-1] if "." in stored else "bin"
    return f"lampiran-{attachment.pk}.{ext}"


def file_item(attachment: Attachment, action: str) -> dict[str, Any]:
    """What the holder of the tracking code is told of a file: never its stored name."""
    return {
        "id": attachment.pk,
        "name": public_file_name(attachment, action),
        "content_type": attachment.content_type,
        "is_image": attachment.is_image,
        "size": attachment.size,
    }


def reporter_files(events: Iterable[CaseEvent], files: Iterable[Attachment]) -> list[Attachment]:
    """The case's files the holder of the tracking code may open (see the module's words)."""
    actions_by_event = {event.pk: event.action for event in events}
    shown = OWN_FILE_ACTIONS | ANSWER_FILE_ACTIONS
    return [
        f for f in files if f.event_id is not None and actions_by_event.get(f.event_id) in shown
    ]


def _timeline(
    events: Iterable[CaseEvent], files: dict[int, list[dict[str, Any]]] | None = None
) -> list[dict[str, Any]]:
    """The events the declarations show the public (:class:`casework.actions.Public`), with
    the payload fields written for the citizen and the agencies by name; with ``files`` (by
    event), the files of the agencies' follow-ups."""
    timeline = []
    for event in events:
        declared = actions.find(event.action)
        public = declared.public if declared is not None else None
        if public is None:
            continue
        payload = event.payload if isinstance(event.payload, dict) else {}
        item: dict[str, Any] = {
            "action": event.action,
            "action_label": public.label,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "created_at": event.created_at,
        }
        for key in public.payload:
            if payload.get(key):
                item[key] = str(payload[key])
        if payload.get("opd"):
            item["opd"] = {"code": str(payload["opd"]), "name": opd_name(str(payload["opd"]))}
        if isinstance(payload.get("opds"), list) and payload["opds"]:
            item["opds"] = [{"code": str(c), "name": opd_name(str(c))} for c in payload["opds"]]
        if files is not None and event.action in ANSWER_FILE_ACTIONS:
            item["attachments"] = files.get(event.pk, [])
        timeline.append(item)
    return timeline


def _answers(
    case: Case,
    events: Iterable[CaseEvent],
    files: dict[int, list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """The forum's answer and each OPD's latest follow-up (dropped again if it declined);
    with ``files`` (by event), each follow-up's files."""
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
            if files is not None:
                by_opd[code]["attachments"] = files.get(event.pk, [])
        elif event.action == "decline" and payload.get("opd"):
            by_opd.pop(str(payload["opd"]), None)
    answers: list[dict[str, Any]] = []
    if case.response:
        forum: dict[str, Any] = {
            "source": "forum",
            "opd": None,
            "name": _unit_name(UnitKind.FORUM, case.kecamatan_id),
            "response": case.response,
            "answered_at": forum_at,
        }
        if files is not None:
            forum["attachments"] = []
        answers.append(forum)
    answers.extend(by_opd.values())
    return answers


def public_view(case: Case, events: Iterable[CaseEvent]) -> dict[str, Any]:
    """What anyone may read of a case (the public lists). A rahasia case shows only its
    number and status."""
    if case.confidentiality == Confidentiality.RAHASIA:
        return _head(case)
    return _view(case, list(events))


def reporter_view(
    case: Case, events: Iterable[CaseEvent], files: Iterable[Attachment] = ()
) -> dict[str, Any]:
    """The tracking view, for the holder of the tracking code (the reporter), whatever the
    case's confidentiality: the public view with what they sent (description, place, files),
    and the files of the agencies' follow-ups."""
    events = list(events)
    actions_by_event = {event.pk: event.action for event in events}
    by_event: dict[int, list[dict[str, Any]]] = {}
    own = []
    for found in reporter_files(events, files):
        assert found.event_id is not None  # reporter_files keeps files of known events
        action = actions_by_event[found.event_id]
        item = file_item(found, action)
        by_event.setdefault(found.event_id, []).append(item)
        if action in OWN_FILE_ACTIONS:
            own.append(item)
    view = _view(case, events, by_event)
    view.update(
        {
            "description": case.description,
            "address": case.address,
            "latitude": case.latitude,
            "longitude": case.longitude,
            "attachments": own,
        }
    )
    return view


def _head(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
    }


def _view(
    case: Case, events: list[CaseEvent], files: dict[int, list[dict[str, Any]]] | None = None
) -> dict[str, Any]:
    view = _head(case)
    answers = _answers(case, events, files)
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
            "timeline": _timeline(events, files),
            "allowed_actions": actions.reporter_allowed(
                case, lambda: any(a["source"] == "opd" for a in answers)
            ),
        }
    )
    return view


def _unit_name(kind: str, code: str) -> str:
    found = refdata.unit(kind, code)
    return found.name if found is not None else code


def reporter_may_open(attachment: Attachment) -> bool:
    """Whether the holder of the tracking code may open this file of their case (read with
    the event it came with)."""
    event = attachment.event
    return event is not None and event.action in OWN_FILE_ACTIONS | ANSWER_FILE_ACTIONS
