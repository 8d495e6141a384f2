"""The KIM desa operator's and the forum officer's first steps: signing in, recording an
aspiration (how and when it was received, the update channel, the NIK's explanation, verified
by its recording), and claiming a task from the queue straight into the case."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from casework import selectors, services
from casework.errors import InvalidInput
from casework.models import Attachment, Case, CaseEvent, CaseTask, Notification
from tests import factories as f

from .test_intake import _media, form  # noqa: F401  (_media: a fixture)
from .test_review import messages_of

pytestmark = pytest.mark.django_db

INTAKE = "/petugas/catat/"
TASKS = "/petugas/tugas/"


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def intake(**changes) -> dict:
    """The KIM intake form as an operator sends it: how and when the aspiration came."""
    data = form(
        notify_channel="",
        received_via="in_person",
        received_on=timezone.localdate().isoformat(),
    )
    data.update(changes)
    return data


# ----------------------------------------------------------------------------- sign-in


def test_a_wrong_password_is_refused_in_plain_indonesian(officers):
    response = Client(HTTP_ACCEPT_LANGUAGE="id").post(
        reverse("web:login"), {"username": "kim", "password": "salah"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "nama pengguna nama pengguna" not in html.lower()
    assert "Nama pengguna atau kata sandi salah" in html


# ----------------------------------------------------------------------------- the queue


def test_claiming_from_the_queue_opens_the_case(officers):
    case = f.forwarded(officers)
    client = login(officers["forum"])
    html = client.get(TASKS + "?tab=queue").content.decode()
    claim = reverse("web:claim-open", args=[case.number])
    assert f'formaction="{claim}"' in html
    response = client.post(claim, {"next": TASKS + "?tab=queue"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:case", args=[case.number])
    task = CaseTask.objects.get(case=case, stage="triage", status__in=["NEW", "ASSIGNED"])
    assert task.owner == officers["forum"]
    # claimed already by someone else: told so, back on the queue, nothing changes
    late = login(officers["forum2"]).post(claim, {"next": TASKS + "?tab=queue"}, follow=True)
    assert late.redirect_chain[-1][0] == TASKS + "?tab=queue"
    assert messages_of(late)
    task.refresh_from_db()
    assert task.owner == officers["forum"]


def test_claim_and_open_is_refused_out_of_scope(officers):
    case = f.forwarded(officers)
    response = login(officers["forum_other"]).post(reverse("web:claim-open", args=[case.number]))
    assert response.status_code == 404


# ----------------------------------------------------------------------------- verified by its recording


def open_tasks(case: Case) -> list[CaseTask]:
    return list(CaseTask.objects.filter(case=case, status__in=["NEW", "ASSIGNED", "STARTED"]))


def test_an_operators_intake_is_verified_by_its_recording(officers):
    response = login(officers["kim"]).post(INTAKE, intake())
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == "forwarded"
    # one event says both: recorded and verified
    events = list(CaseEvent.objects.filter(case=case))
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.from_status, event.to_status) == ("submit", "", "forwarded")
    assert event.actor == officers["kim"]
    assert event.payload["verified"] is True
    assert event.payload["verification_skipped"] is False
    # the process as after verify: the forum's triage, in the forum's queue, unclaimed
    tasks = open_tasks(case)
    assert [(t.stage, t.owner_id) for t in tasks] == [("triage", None)]
    assert not CaseTask.objects.filter(case=case, stage="verification").exists()
    forum_queue = selectors.tasks_for(officers["forum"], "queue")
    assert forum_queue.filter(case=case).exists()
    assert not selectors.tasks_for(officers["kim"], "mine").filter(case=case).exists()
    assert not selectors.tasks_for(officers["kim"], "queue").filter(case=case).exists()
    # the operator is not asked to verify it (the forum's message: tests/channels/)
    assert not Notification.objects.filter(case=case, user=officers["kim"]).exists()
    # the case page says it in one line of the timeline
    page = login(officers["forum"]).get(reverse("web:case", args=[case.number])).content
    assert "Dicatat dan diverifikasi oleh KIM desa" in page.decode()
    # and the forum works on it as on any verified case
    services.claim_task(case=case, actor=officers["forum"])
    assert Case.objects.get(pk=case.pk).status == "in_triage"


def test_a_citizens_aspiration_still_waits_for_the_kim(officers):
    case = f.submit()
    assert case.status == "received"
    assert [t.stage for t in open_tasks(case)] == ["verification"]
    assert "verified" not in CaseEvent.objects.get(case=case).payload


def test_an_aspiration_recorded_by_another_officer_is_not_verified_by_it(officers):
    case = f.submit(actor=officers["forum"], channel="kim")
    assert case.status == "received"
    assert [t.stage for t in open_tasks(case)] == ["verification"]


# ----------------------------------------------------------------------------- the intake form


def test_the_intake_form_asks_how_and_when_and_offers_sms_or_whatsapp(officers):
    html = login(officers["kim"]).get(INTAKE).content.decode()
    assert 'name="received_via"' in html and 'id="id_received_via"' in html
    assert 'type="date"' in html and 'name="received_on"' in html
    assert f'value="{timezone.localdate().isoformat()}"' in html  # today, as given
    for value in ("sms", "whatsapp", "email", "none"):
        assert f'name="notify_channel" value="{value}"' in html
    assert 'id="locate"' in html and "navigator.geolocation" in html
    # the NIK is optional, and why it is asked is said next to it
    assert "NIK (opsional)" in html
    assert "terenkripsi" in html.split('id="id_reporter_nik_helptext"')[1].split("</div>")[0]


def test_how_and_when_it_was_received_and_the_update_channel_are_recorded(officers):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = login(officers["kim"]).post(
        INTAKE,
        intake(
            received_via="meeting",
            received_on=yesterday.isoformat(),
            reporter_phone="081234567890",
            notify_channel="whatsapp",
            contact_consent="on",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.received_via, case.received_on) == ("meeting", yesterday)
    assert case.notify_channel == "whatsapp"
    assert case.reporter_nik == ""
    page = login(officers["forum"]).get(reverse("web:case", args=[case.number])).content.decode()
    shown = page.split('data-testid="received"')[1].split("</dd>")[0]
    assert "Di musyawarah desa" in shown


def test_no_updates_is_a_choice_and_the_default_follows_the_contact(officers):
    client = login(officers["kim"])
    phone = {"reporter_phone": "081234567890", "contact_consent": "on"}
    assert client.post(INTAKE, intake(notify_channel="none", **phone)).status_code == 302
    assert client.post(INTAKE, intake(notify_channel="", **phone)).status_code == 302
    first, second = Case.objects.order_by("id")
    assert first.notify_channel == ""
    assert second.notify_channel == "sms"


def test_a_day_in_the_future_is_refused_at_its_field(officers):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(officers["kim"]).post(INTAKE, intake(received_on=tomorrow.isoformat()))
    assert response.status_code == 400
    assert "received_on" in response.context["form"].errors
    assert 'href="#id_received_on"' in response.content.decode()
    assert not Case.objects.exists()


def test_the_service_keeps_how_it_was_received_to_officers(officers):
    with pytest.raises(InvalidInput) as refused:
        f.submit(received_via="in_person")
    assert "received_via" in refused.value.detail
    with pytest.raises(InvalidInput) as future:
        f.submit(
            actor=officers["kim"],
            channel="kim",
            received_on=timezone.localdate() + datetime.timedelta(days=2),
        )
    assert "received_on" in future.value.detail
    with pytest.raises(InvalidInput):
        f.submit(actor=officers["kim"], channel="kim", received_via="pigeon")
    with pytest.raises(InvalidInput) as long_ago:
        f.submit(actor=officers["kim"], channel="kim", received_on=datetime.date(1900, 1, 1))
    assert "received_on" in long_ago.value.detail
    assert not Case.objects.exists()
    last_year = timezone.localdate() - datetime.timedelta(days=300)
    assert f.submit(actor=officers["kim"], channel="kim", received_on=last_year).received_on


def test_the_intake_keeps_a_photo_across_a_refusal(officers):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 40)).save(buffer, format="JPEG")
    picture = SimpleUploadedFile("saluran.jpg", buffer.getvalue(), content_type="image/jpeg")
    client = login(officers["kim"])
    refused = client.post(INTAKE, intake(title="", attachments=[picture]))
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'href="#id_title"' in html
    assert "saluran.jpg" in html.split('data-testid="held-files"')[1]
    found = re.search(r'name="held_files" value="([^"]+)"', html)
    assert found is not None
    token = found.group(1)
    sent = client.post(INTAKE, intake(held_files=token, held_keep=["0"]))
    assert sent.status_code == 302
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["saluran.jpg"]
