"""What the reporter reads: every message, on every channel, carries the link to the case's
tracking page; the message asking to confirm an answer carries the answer; SMS are shortened
on word boundaries within the gateway's length with the link intact at the end; all of it in
Bahasa Indonesia."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from casework import services
from casework.models import Case, Notification
from casework.notifications import rendering
from casework.scenarios import Route
from casework.tasks import deliver_notifications
from tests import factories as f
from tests.conftest import DESA

pytestmark = pytest.mark.django_db

SITE = "https://aspirasi.lumajangkab.example"
CHANNELS = ("email", "sms", "whatsapp")
ENGLISH = ("Your aspiration", "Answer:", "Track it", "is now", "Code:", "Question:", "Reason:")
LONG_ANSWER = (
    "Tim lapangan Dinas Pekerjaan Umum sudah meninjau jalan dusun Krajan pada hari Senin. "
    "Lubang-lubang besar di depan balai desa ditambal sementara dengan sirtu, dan pengaspalan "
    "ulang sepanjang tiga ratus meter dijadwalkan pada anggaran perubahan tahun depan setelah "
    "musim hujan berakhir. Warga diminta memasang tanda peringatan bila ada lubang baru."
)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.ASPIRASI_PUBLIC_URL = SITE


def link(case) -> str:
    return f"{SITE}/lacak/{services.format_tracking_code(case.tracking_code)}/"


def contact(channel: str) -> dict:
    if channel == "email":
        return {"notify_channel": "email"}
    return {"notify_channel": channel, "reporter_email": ""}


def reporter_notes(case) -> list[Notification]:
    return list(Notification.objects.filter(case=case, user__isnull=True).order_by("id"))


def cases_of_every_kind(officers, channel):
    """Cases whose history sends the reporter every kind of message."""
    kw = contact(channel)
    into = f.drive(officers, "in_triage", **kw)
    return [
        f.drive(officers, "needs_info", **kw),  # received, forwarded, needs_info
        f.drive(officers, "closed", Route(close="timeout"), **kw),  # dispatched, responded, closed
        f.drive(officers, "closed", Route(answer="forum", close="timeout"), **kw),
        f.drive(officers, "rejected", **kw),
        f.drive(officers, "merged", Route(into=into), **kw),
    ]


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_message_carries_the_tracking_link_in_indonesian(officers, channel):
    kinds = set()
    for case in cases_of_every_kind(officers, channel):
        for note in reporter_notes(case):
            assert note.channel == channel
            kinds.add(note.context["action"])
            subject, body = rendering.render(note)
            text = f"{subject}\n{body}"
            assert link(case) in text, (note.context["action"], text)
            for english in ENGLISH:
                assert english not in text, (english, text)
            if channel != "email":
                assert body.endswith(link(case)), body
    assert kinds == {
        "submit",
        "verify",
        "request_info",
        "dispatch",
        "respond",
        "resolve",
        "close",
        "reject",
        "merge",
    }


def test_the_confirmation_email_carries_every_answer_in_full(officers):
    route = Route(opds=("dputr", "dinkes"), texts={"response": LONG_ANSWER})
    case = f.drive(officers, "responded", route)
    [note] = [n for n in reporter_notes(case) if n.context["status"] == "responded"]
    subject, body = rendering.render(note)
    assert "Menunggu konfirmasi warga" in subject
    assert body.count(LONG_ANSWER) == 2  # both agencies' answers
    assert "Dinas Kesehatan" in body and "Dinas Pekerjaan Umum dan Tata Ruang" in body
    assert "konfirmasi" in body.lower() and link(case) in body


def test_the_confirmation_of_a_forum_answer_carries_it(officers):
    route = Route(answer="forum", texts={"answer": "Jadwal posyandu ada di papan desa."})
    case = f.drive(officers, "responded", route)
    [note] = [n for n in reporter_notes(case) if n.context["action"] == "resolve"]
    _subject, body = rendering.render(note)
    assert "Jadwal posyandu ada di papan desa." in body


def test_a_confidential_reporter_reads_their_own_answer(officers):
    route = Route(texts={"response": "Sudah ditambal."})
    case = f.drive(officers, "responded", route, confidentiality="rahasia", **contact("sms"))
    [note] = [n for n in reporter_notes(case) if n.context["status"] == "responded"]
    _subject, body = rendering.render(note)
    assert "Sudah ditambal." in body and body.endswith(link(case))


@pytest.mark.parametrize("parts", [2, 3, 1])
def test_an_sms_with_a_long_answer_is_shortened_at_a_word_with_the_link_intact(
    officers, settings, sms_gateway, parts
):
    route = Route(texts={"response": LONG_ANSWER})
    case = f.drive(officers, "responded", route, **contact("sms"))
    [note] = [n for n in reporter_notes(case) if n.context["status"] == "responded"]
    settings.ASPIRASI_SMS_MAX_PARTS = 50
    _subject, whole = rendering.render(note)
    assert LONG_ANSWER in whole  # with room enough, all of it
    settings.ASPIRASI_SMS_MAX_PARTS = parts
    assert deliver_notifications([note.pk]) == 1
    body = sms_gateway.received[-1]["body"]["text"]
    assert len(body) <= (160 if parts == 1 else 153 * parts)
    assert rendering.sms_parts(body) <= parts
    # the link whole at the end; before it, the message cut between two words
    assert body.endswith(" " + link(case))
    shown = body.removesuffix(" " + link(case))
    assert shown.endswith("...")
    shown = shown.removesuffix("...")
    assert whole.startswith(shown) and whole[len(shown)] in " ,.;:"
    assert "Menunggu konfirmasi warga" in shown
    if parts > 1:  # room for the start of the answer
        assert "Jawaban Dinas Pekerjaan Umum dan Tata Ruang: " + LONG_ANSWER[:60] in shown


def test_sms_text_keeps_to_the_gsm_alphabet(officers):
    route = Route(texts={"response": "Sudah “ditambal” … cek lagi – terima kasih"})
    case = f.drive(officers, "responded", route, title="Jalan “Krajan” rusak", **contact("sms"))
    for note in reporter_notes(case):
        _subject, body = rendering.render(note)
        assert rendering.is_gsm(body), body
    assert '"ditambal" ... cek lagi - terima kasih' in body


def test_whatsapp_carries_a_longer_answer_than_sms(officers):
    route = Route(texts={"response": LONG_ANSWER})
    case = f.drive(officers, "responded", route, **contact("whatsapp"))
    [note] = [n for n in reporter_notes(case) if n.context["status"] == "responded"]
    _subject, body = rendering.render(note)
    assert LONG_ANSWER in body and body.endswith(link(case))


def test_the_link_is_the_public_page_of_the_case(officers, client):
    case = f.submit()
    path = link(case).removeprefix(SITE)
    assert re.fullmatch(r"/lacak/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/", path)
    response = client.get(path)
    assert response.status_code == 200
    assert case.number in response.content.decode()


def public_url(**env: str) -> str:
    """The public address the production settings read from this environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"ASPIRASI_PUBLIC_URL"}}
    code = "import config.settings.production as p; print(p.ASPIRASI_PUBLIC_URL)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "SECRET_KEY": "k" * 60, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_production_links_point_at_the_public_address():
    assert public_url(ASPIRASI_PUBLIC_URL="https://lapor.example.go.id/") == (
        "https://lapor.example.go.id"
    )
    # unset: the first host served, over HTTPS
    assert public_url(ALLOWED_HOSTS="aspirasi.lumajangkab.go.id,localhost") == (
        "https://aspirasi.lumajangkab.go.id"
    )


def test_the_replies_to_inbound_messages_carry_the_link(reference, settings):
    from .test_inbound import SECRET, reply_of, send

    settings.ASPIRASI_INBOUND_SECRET = SECRET
    reply = reply_of(send(f"ASPIRASI {DESA}#Jalan “Krajan” berlubang"))
    case = Case.objects.get()
    assert reply.endswith(" " + link(case)) and "Terima kasih" in reply
    check = reply_of(send(f"CEK {case.tracking_code.lower()}"))
    assert check.endswith(" " + link(case)) and "Diterima" in check
    assert rendering.is_gsm(check)  # the title's quotes in their plain form on SMS
