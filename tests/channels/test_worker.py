"""An SMS through a real Celery worker: the worker sends the reporter's message to the HTTP
gateway; a failure is recorded, and the sweep hands the message over again when its next try
is due."""

import json
import subprocess
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from casework import services
from casework.models import Notification
from tests import factories as f
from tests.conftest import ensure_reference
from tests.support import processes as p

pytestmark = [
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def call(env, task, *args):
    command = [str(p.BIN / "celery"), "-A", "config", "call", task, "--args", json.dumps(args)]
    subprocess.run(command, cwd=p.ROOT, env=env, check=True, capture_output=True, timeout=60)


def test_the_worker_delivers_an_sms_to_the_gateway_and_retries_it(gateway, tmp_path):
    ensure_reference()
    case = f.submit(reporter_email="", contact_consent=True, notify_channel="sms")
    note = Notification.objects.get(case=case)
    assert note.channel == "sms"
    gateway.statuses = [500]  # the gateway fails once
    with p.private_redis() as (port, _start, _stop):
        env = p.app_env(
            redis_url=f"redis://127.0.0.1:{port}/0",
            ASPIRASI_SMS_GATEWAY_URL=gateway.url,
            ASPIRASI_SMS_GATEWAY_TOKEN=gateway.token,
        )
        worker = p.celery("worker", env, tmp_path / "worker.log")
        try:
            call(env, "casework.tasks.deliver_notifications", [note.pk])
            p.wait_for(lambda: Notification.objects.get(pk=note.pk).attempts == 1, timeout=60)
            failed = Notification.objects.get(pk=note.pk)
            assert failed.status == "pending" and "500" in failed.last_error
            assert failed.next_attempt_at is not None
            assert failed.next_attempt_at > timezone.now()
            # a minute later: the sweep hands it to the worker again
            Notification.objects.filter(pk=note.pk).update(
                next_attempt_at=timezone.now() - timedelta(seconds=1)
            )
            subprocess.run(
                [str(p.BIN / "python"), "manage.py", "sweep"],
                cwd=p.ROOT,
                env=env,
                check=True,
                capture_output=True,
                timeout=60,
            )
            p.wait_for(lambda: Notification.objects.get(pk=note.pk).status == "sent", timeout=60)
        finally:
            worker.stop()
    sent = Notification.objects.get(pk=note.pk)
    assert sent.attempts == 2 and "500" in sent.last_error  # the failure stays on record
    assert len(gateway.received) == 2
    request = gateway.received[-1]
    assert request["authorization"] == "Bearer gw-token-123"
    assert request["body"]["to"] == "+6281234567890"
    assert services.format_tracking_code(case.tracking_code) in request["body"]["text"]
    assert case.number in request["body"]["text"]
