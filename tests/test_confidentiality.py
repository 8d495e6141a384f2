"""The confidentiality matrix: every page, API answer, export, notification and log line, for
each confidentiality mode and each reader.

A reporter's identity (name, phone, e-mail, NIK) may appear only where a role needs it: on the
case page and the API case detail, to the officers handling an ordinary (biasa) case, and for
an anonim or rahasia case only to the supervisor (and the KIM operator who recorded it, who is
not a reader here: these cases come from citizens). Never on a public page, in a list, an
export, a notification to an officer, or a log line. Of a rahasia case the public sees nothing;
the holder of its tracking code, its reporter, sees it in full (without the identity fields).
"""

import logging

import pytest
from django.test import Client

from casework import services
from casework.models import CaseTask, Notification
from casework.notifications import rendering
from tests import factories as f
from workflows import sla
from workflows.sweep import sweep

pytestmark = pytest.mark.django_db

IDENTITY = {
    "name": "Ratna Kusumawardani",
    "phone": "081399887766",
    "email": "ratna.kusuma@example.org",
    "nik": "3508015505800003",
}
NIK_TAIL = IDENTITY["nik"][-4:]
READERS = ("kim", "forum", "coordinator", "pu", "pu_head", "supervisor")
DETAIL_PAGES = {"case page", "api case"}
ALLOWED = {  # reader → may see the identity on the detail pages
    "biasa": {"kim", "forum", "coordinator", "pu", "pu_head", "supervisor"},
    "anonim": {"supervisor"},
    "rahasia": {"supervisor"},
}


def identity_in(text: str) -> list[str]:
    found = [key for key, value in IDENTITY.items() if value in text]
    phone_digits = IDENTITY["phone"][1:]
    if phone_digits in text.replace(" ", "").replace("-", "") and "phone" not in found:
        found.append("phone (formatted)")
    return found


@pytest.fixture
def world(officers, caplog):
    caplog.set_level(logging.DEBUG)
    for key, user in officers.items():
        user.email = f"{key}@lumajangkab.go.id"
        user.save(update_fields=["email"])
    cases = {}
    for mode in ALLOWED:
        case = f.dispatched(
            officers,
            opds=("dputr",),
            confidentiality=mode,
            title=f"Judul {mode} tanggul retak",
            reporter_name=IDENTITY["name"],
            reporter_phone=IDENTITY["phone"],
            reporter_email=IDENTITY["email"],
            reporter_nik=IDENTITY["nik"],
            contact_consent=True,
        )
        case = services.accept_assignment(case=case, actor=officers["pu"])
        case = services.respond_assignment(case=case, actor=officers["pu"], response="Diperbaiki")
        cases[mode] = case
    # a second case per mode left overdue and escalated, for the review lists
    late = {}
    for mode in ALLOWED:
        late[mode] = f.forwarded(
            officers,
            confidentiality=mode,
            reporter_name=IDENTITY["name"],
            reporter_phone=IDENTITY["phone"],
            reporter_email=IDENTITY["email"],
            reporter_nik=IDENTITY["nik"],
            contact_consent=True,
        )
    due = max(t.due_at for t in CaseTask.objects.filter(stage="triage", status="NEW"))
    sweep(now=sla.add_working_days(due, 3))
    return cases, late


def outputs(officers, cases, late):
    """(place, reader, mode, text) for every output the system produces."""
    client = Client()
    found = []
    for reader in READERS:
        client.force_login(officers[reader])
        pages = {
            "home": "/petugas/",
            "my tasks": "/petugas/tugas/?tab=mine",
            "queue": "/petugas/tugas/?tab=queue",
            "tasks csv": "/petugas/tugas/?tab=queue&format=csv",
            "case list": "/petugas/laporan/",
            "case list csv": "/petugas/laporan/?format=csv",
            "review": "/petugas/pengawasan/",
            "review csv": "/petugas/pengawasan/?format=csv",
            "overdue": "/petugas/pengawasan/?tab=overdue",
            "overdue csv": "/petugas/pengawasan/?tab=overdue&format=csv",
            "dashboard": "/petugas/dasbor/",
            "api cases": "/api/v1/cases/",
            "api tasks": "/api/v1/tasks/?scope=queue",
            "api escalations": "/api/v1/escalations/",
        }
        for place, url in pages.items():
            response = client.get(url)
            if response.status_code == 200:
                found.append((place, reader, None, _text(response)))
        for mode, case in [*cases.items(), *late.items()]:
            for place, url in {
                "case page": f"/petugas/laporan/{case.number}/",
                "api case": f"/api/v1/cases/{case.number}/",
            }.items():
                response = client.get(url)
                if response.status_code == 200:
                    found.append((place, reader, mode, _text(response)))
        client.logout()
    public = Client()
    for place, url in {"public home": "/", "transparency": "/transparansi/"}.items():
        found.append((place, "public", None, _text(public.get(url))))
    for mode, case in cases.items():
        for place, url in {
            "tracking page": f"/lacak/{case.tracking_code}/",
            "api tracking": f"/api/v1/track/{case.tracking_code}/",
        }.items():
            # the holder of the tracking code is the reporter
            found.append((place, "reporter", mode, _text(public.get(url))))
    return found


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_identity_appears_only_where_a_role_needs_it(officers, world, caplog):
    cases, late = world
    leaks = []
    shown = set()
    for place, reader, mode, text in outputs(officers, cases, late):
        seen = identity_in(text)
        allowed = place in DETAIL_PAGES and mode is not None and reader in ALLOWED[mode]
        if allowed and seen:
            shown.add((mode, reader))
        if seen and not allowed:
            leaks.append((place, reader, mode, seen))
        if mode == "rahasia" and reader == "public":
            assert "tanggul retak" not in text, f"{place} shows a rahasia case's title"
    assert leaks == []
    # and the identity is shown where it is needed (the matrix is not vacuous)
    assert ("biasa", "forum") in shown and ("biasa", "pu") in shown
    assert ("anonim", "supervisor") in shown and ("rahasia", "supervisor") in shown
    # the NIK is masked for everyone but the supervisor
    for place, reader, _mode, text in outputs(officers, cases, late):
        if reader != "supervisor":
            assert IDENTITY["nik"] not in text, (place, reader)
    # notifications to officers never name the reporter; nor does any log line
    for note in Notification.objects.exclude(recipient__in=[IDENTITY["email"], IDENTITY["phone"]]):
        subject, body = rendering.render(note)
        assert identity_in(subject + body) == [], (note.template, note.recipient)
    assert identity_in(caplog.text) == []


def test_rahasia_tracking_shows_the_code_holder_their_case(officers, world):
    cases, _late = world
    body = Client().get(f"/api/v1/track/{cases['rahasia'].tracking_code}/").json()
    assert body["title"] == "Judul rahasia tanggul retak"
    assert body["answers"][0]["response"] == "Diperbaiki"
    assert identity_in(str(body)) == []
