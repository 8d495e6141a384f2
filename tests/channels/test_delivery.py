"""Delivery of the outbox: results recorded on the row, back-off between tries, the sweep
handing due retries to the workers, and the reporter's short messages on SMS/WhatsApp."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import services
from casework.models import Notification
from casework.notifications import delivery, rendering
from casework.tasks import deliver_notifications
from tests import factories as f

pytestmark = pytest.mark.django_db


def sms_case(**overrides):
    fields = {"reporter_email": "", "contact_consent": True, "notify_channel": "sms"}
    return f.submit(**{**fields, **overrides})


def reporter_rows(case):
    return Notification.objects.filter(case=case, user__isnull=True).order_by("id")


def test_backoff_doubles_from_one_minute():
    assert [delivery.backoff(n) for n in range(1, 6)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16)
    ]
    assert delivery.MAX_ATTEMPTS == 6  # the first try and five more


def test_reporter_on_sms_gets_the_short_message_through_the_gateway(reference, sms_gateway):
    case = sms_case()
    note = reporter_rows(case).get()
    assert (note.channel, note.template) == ("sms", "case_update")
    # the outbox keeps only a masked number: the real one stays encrypted on the case
    assert note.recipient == "+62812****7890"
    assert deliver_notifications([note.pk]) == 1
    [sent] = sms_gateway.received
    assert sent["body"]["to"] == "+6281234567890"
    text = sent["body"]["text"]
    assert len(text) <= rendering.SHORT_MAX_CHARS
    assert case.number in text and "Diterima" in text
    assert services.format_tracking_code(case.tracking_code) in text
    assert "\n" not in text
    note.refresh_from_db()
    assert (note.status, note.attempts, note.last_error) == ("sent", 1, "")
    assert note.sent_at is not None and note.next_attempt_at is None


def test_whatsapp_uses_the_short_message_too(reference, sms_gateway):
    case = sms_case(notify_channel="whatsapp")
    assert deliver_notifications([reporter_rows(case).get().pk]) == 1
    assert case.number in sms_gateway.received[0]["body"]["text"]


def test_an_information_request_by_sms_carries_the_question_shortened(people, sms_gateway):
    case = sms_case()
    case = services.verify_case(case=case, actor=people["kim"])
    question = "Di RT berapa tepatnya jalan yang rusak itu? " * 10
    services.request_info(case=case, actor=people["forum"], question=question)
    note = reporter_rows(case).get(context__action="request_info")
    assert deliver_notifications([note.pk]) == 1
    text = sms_gateway.received[-1]["body"]["text"]
    assert len(text) <= rendering.SHORT_MAX_CHARS
    assert "Di RT berapa tepatnya" in text
    assert question.strip() not in text  # shortened
    assert "Menunggu kelengkapan" in text
    assert services.format_tracking_code(case.tracking_code) in text


@pytest.mark.parametrize("field", ["title", "response"])
def test_short_messages_stay_within_two_sms_whatever_the_input(people, sms_gateway, field):
    case = sms_case(title="J" * 200)
    case = services.verify_case(case=case, actor=people["kim"])
    case = services.claim_task(case=case, actor=people["forum"])
    services.resolve_case(case=case, actor=people["forum"], response="Jawaban panjang " * 100)
    note = reporter_rows(case).get(context__action="resolve")
    subject, body = rendering.render(note)
    assert subject == "" and len(body) <= rendering.SHORT_MAX_CHARS
    assert services.format_tracking_code(case.tracking_code) in body


def test_email_keeps_the_full_message(reference):
    case = f.submit(reporter_email="siti@example.org")
    note = reporter_rows(case).get()
    assert note.recipient == "siti@example.org"
    subject, body = rendering.render(note)
    assert case.number in subject and "Diterima" in subject
    assert case.title in body


def test_a_failure_is_recorded_and_tried_again_after_the_backoff(reference, sms_gateway):
    sms_gateway.statuses = [500]
    case = sms_case()
    note = reporter_rows(case).get()
    before = timezone.now()
    assert deliver_notifications([note.pk]) == 0
    note.refresh_from_db()
    assert (note.status, note.attempts) == ("pending", 1)
    assert "500" in note.last_error
    assert before + timedelta(minutes=1) <= note.next_attempt_at
    assert note.next_attempt_at <= timezone.now() + timedelta(minutes=1)
    # not due yet: a redelivered task leaves it alone, and the sweep does not hand it over
    assert deliver_notifications([note.pk]) == 0
    assert len(sms_gateway.received) == 1
    with mock.patch("casework.notifications.delivery.publish") as delay:
        assert delivery.requeue_pending() == 0
    delay.assert_not_called()
    # its time comes: the sweep hands it to a worker, which sends it
    Notification.objects.filter(pk=note.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    with mock.patch("casework.notifications.delivery.publish") as delay:
        assert delivery.requeue_pending() == 1
    delay.assert_called_once_with([note.pk])
    assert deliver_notifications(*delay.call_args.args) == 1
    note.refresh_from_db()
    assert (note.status, note.attempts, note.next_attempt_at) == ("sent", 2, None)
    assert len(sms_gateway.received) == 2


def test_the_schedule_of_tries_and_the_final_failure(reference, sms_gateway):
    sms_gateway.statuses = [503] * 10
    case = sms_case()
    note = reporter_rows(case).get()
    waits = []
    for _try in range(delivery.MAX_ATTEMPTS):
        moment = timezone.now()
        assert deliver_notifications([note.pk]) == 0
        note.refresh_from_db()
        if note.next_attempt_at is not None:
            waits.append(round((note.next_attempt_at - moment).total_seconds() / 60))
            Notification.objects.filter(pk=note.pk).update(next_attempt_at=moment)
    assert waits == [1, 2, 4, 8, 16]
    assert (note.status, note.attempts, note.next_attempt_at) == ("failed", 6, None)
    assert "503" in note.last_error
    assert deliver_notifications([note.pk]) == 0  # failed for good: never sent again
    assert len(sms_gateway.received) == 6


def test_a_refused_message_fails_at_once(reference, sms_gateway):
    sms_gateway.statuses = [400]
    note = reporter_rows(sms_case()).get()
    assert deliver_notifications([note.pk]) == 0
    note.refresh_from_db()
    assert (note.status, note.attempts) == ("failed", 1)


def test_no_gateway_configured_is_recorded_as_a_failure(reference, settings):
    settings.ASPIRASI_NOTIFICATION_BACKENDS = {}
    note = reporter_rows(sms_case()).get()
    assert deliver_notifications([note.pk]) == 0
    note.refresh_from_db()
    assert note.status == "pending" and "no notification backend" in note.last_error


def test_requeue_is_one_query_and_takes_only_what_is_due(reference):
    now = timezone.now()
    case = f.submit(reporter_email="")
    make = [
        ("fresh", None, now),  # just written: its own task is on the way
        ("stale", None, now - timedelta(minutes=5)),  # never handed over (broker down)
        ("due", now - timedelta(seconds=5), now - timedelta(minutes=3)),
        ("waiting", now + timedelta(minutes=3), now - timedelta(minutes=3)),
    ]
    rows = {
        key: Notification.objects.create(
            case=case,
            recipient="x@example.org",
            template="case_update",
            next_attempt_at=next_at,
            created_at=created,
        )
        for key, next_at, created in make
    }
    Notification.objects.create(
        case=case,
        recipient="y@example.org",
        template="case_update",
        status="sent",
        created_at=now - timedelta(hours=1),
    )
    with (
        CaptureQueriesContext(connection) as queries,
        mock.patch("casework.notifications.delivery.publish") as delay,
    ):
        assert delivery.requeue_pending() == 2
    assert len(queries.captured_queries) == 1
    delay.assert_called_once_with([rows["stale"].pk, rows["due"].pk])


def test_requeue_hands_over_in_chunks(reference):
    case = f.submit(reporter_email="")
    old = timezone.now() - timedelta(minutes=5)
    Notification.objects.bulk_create(
        [
            Notification(case=case, recipient=f"{i}@example.org", template="x", created_at=old)
            for i in range(delivery.REQUEUE_CHUNK + 5)
        ]
    )
    with mock.patch("casework.notifications.delivery.publish") as delay:
        assert delivery.requeue_pending() == delivery.REQUEUE_CHUNK + 5
    assert [len(call.args[0]) for call in delay.call_args_list] == [delivery.REQUEUE_CHUNK, 5]


def test_broker_down_when_requeueing_keeps_them_pending(reference):
    case = f.submit(reporter_email="", notify_channel="")
    Notification.objects.create(
        case=case,
        recipient="x@example.org",
        template="case_update",
        created_at=timezone.now() - timedelta(minutes=5),
    )
    with mock.patch("casework.notifications.delivery.publish", side_effect=ConnectionError("down")):
        assert delivery.requeue_pending() == 0
    assert Notification.objects.filter(status="pending").count() == 1


def test_an_sms_aspiration_is_not_acknowledged_twice(people, sms_gateway):
    """The reply to the reporter's message carried the code; later steps are sent."""
    case = sms_case(channel="sms")
    assert not reporter_rows(case).exists()
    services.verify_case(case=case, actor=people["kim"])
    assert list(reporter_rows(case).values_list("context__action", flat=True)) == ["verify"]


def test_the_last_opd_declining_after_another_answered_tells_the_reporter(people):
    case = f.dispatched(people, opds=("dputr", "dinkes"))
    case = services.accept_assignment(case=case, actor=people["pu"])
    case = services.respond_assignment(case=case, actor=people["pu"], response="Sudah.")
    assert case.status == "in_progress"
    case = services.decline_assignment(case=case, actor=people["dinkes"], reason="Internal")
    assert case.status == "responded"
    note = reporter_rows(case).get(context__action="decline")
    assert note.context["status"] == "responded"
    assert "reason" not in note.context  # a decline's reason is internal
    assert "Internal" not in "".join(rendering.render(note))


def test_email_delivery_still_works(reference):
    case = f.submit(reporter_email="siti@example.org")
    assert deliver_notifications([reporter_rows(case).get().pk]) == 1
    assert [m.to for m in mail.outbox] == [["siti@example.org"]]
