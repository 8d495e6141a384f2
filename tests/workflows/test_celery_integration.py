"""The sweep and the notifications through a real broker: Celery workers and beat against a
real Redis (a private instance per test, so that a test may stop it), sharing this test's
PostgreSQL database. Deadlines are moved into the past to stand for the passing of time."""

import json
import signal
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import TypedDict

import pytest
from django.db import connection
from django.utils import timezone

from casework.models import CaseEvent, CaseTask, Escalation, Notification
from tests import factories as f
from tests.conftest import ensure_reference
from tests.support import processes as p

pytestmark = [
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


@pytest.fixture
def people():
    ensure_reference()
    made = {
        "kim": f.make_officer("kim_operator", "35.08.01.2001", "kim"),
        "forum": f.make_officer("forum_officer", "35.08.01", "forum"),
        "coordinator": f.make_officer("forum_coordinator", "35.08.01", "coordinator"),
        "supervisor": f.make_officer("supervisor", "35.08", "supervisor"),
    }
    for key, user in made.items():
        user.email = f"{key}@lumajangkab.go.id"
        user.save(update_fields=["email"])
    return made


class Redelivery(TypedDict):
    CELERY_VISIBILITY_TIMEOUT: str
    CELERY_RESTORE_INTERVAL: str
    CELERY_RESTORE_THROTTLE: str


# an unacknowledged task of a killed worker comes back after two seconds
REDELIVER_FAST: Redelivery = {
    "CELERY_VISIBILITY_TIMEOUT": "2",
    "CELERY_RESTORE_INTERVAL": "1",
    "CELERY_RESTORE_THROTTLE": "1",
}


def overdue(cases, minutes=5):
    """Move the triage deadline of these cases into the past."""
    past = timezone.now() - timedelta(minutes=minutes)
    return CaseTask.objects.filter(case__in=cases, stage="triage", status="NEW").update(
        due_at=past, sla_step=1, sla_next_at=past
    )


def mails(directory: Path) -> list[str]:
    """The messages the file backend wrote (several may share a file)."""
    texts = [path.read_text() for path in sorted(directory.glob("*.log"))]
    return [m for text in texts for m in text.split("\n" + "-" * 79 + "\n") if "Subject:" in m]


def call(env, task, *args):
    command = [str(p.BIN / "celery"), "-A", "config", "call", task]
    if args:
        command += ["--args", json.dumps(list(args))]
    subprocess.run(command, cwd=p.ROOT, env=env, check=True, capture_output=True, timeout=60)


def test_overdue_case_escalates_and_notifies_through_worker_and_beat(people, tmp_path):
    case = f.forwarded(people, reporter_email="")
    assert overdue([case]) == 1
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    with p.private_redis() as (port, _start, _stop):
        env = p.app_env(
            redis_url=f"redis://127.0.0.1:{port}/0",
            mail_dir=mail_dir,
            ASPIRASI_SWEEP_SECONDS="1",
        )
        worker = p.celery("worker", env, tmp_path / "worker.log")
        beat = p.celery("beat", env, tmp_path / "beat.log")
        try:
            p.wait_for(lambda: Escalation.objects.filter(case=case).exists(), timeout=60)
            p.wait_for(
                lambda: Notification.objects.filter(case=case, status="sent").exists(), timeout=60
            )
        finally:
            beat.stop()
            worker.stop()
        assert "redbeat" in beat.output().lower()
    escalation = Escalation.objects.get(case=case)
    assert (escalation.kind, escalation.level, escalation.stage) == ("escalation", 1, "triage")
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 1
    sent = mails(mail_dir)
    assert len(sent) == 1
    text = sent[0]
    assert "coordinator@lumajangkab.go.id" in text
    assert case.number in text


def test_worker_killed_in_the_middle_of_a_sweep_loses_and_repeats_nothing(people, tmp_path):
    cases = [f.forwarded(people, reporter_email="") for _ in range(150)]
    assert overdue(cases) == 150
    with p.private_redis() as (port, _start, _stop):
        env = p.app_env(
            redis_url=f"redis://127.0.0.1:{port}/0",
            ASPIRASI_SWEEP_BATCH="1",
            **REDELIVER_FAST,
        )
        first = p.celery("worker", env, tmp_path / "first.log")
        try:
            call(env, "workflows.tasks.sweep_due_work")
            p.wait_for(lambda: Escalation.objects.count() >= 3, timeout=60, every=0.005)
            first.kill(signal.SIGKILL)
        finally:
            first.stop()
        done_before = Escalation.objects.count()
        assert done_before < 150, "the sweep finished before the kill; nothing was proved"
        second = p.celery("worker", env, tmp_path / "second.log")
        try:
            p.wait_for(lambda: Escalation.objects.count() == 150, timeout=90)
        finally:
            second.stop()
    assert CaseEvent.objects.filter(action="escalate").count() == 150
    per_task = set(Escalation.objects.values_list("task_id", "level"))
    assert len(per_task) == 150
    assert "sweep_due_work" in second.output()  # the killed sweep was delivered again


def test_worker_killed_while_sending_sends_once(people, tmp_path):
    case = f.submit(reporter_email="siti@example.org")
    note = Notification.objects.get(case=case, template="case_update")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    with p.private_redis() as (port, _start, _stop):
        env = p.app_env(
            redis_url=f"redis://127.0.0.1:{port}/0",
            mail_dir=mail_dir,
            **REDELIVER_FAST,
        )
        slow = {
            **env,
            "EMAIL_BACKEND": "tests.support.slow_mail.SlowEmailBackend",
            "SLOW_MAIL_SECONDS": "30",
        }
        first = p.celery("worker", slow, tmp_path / "first.log")
        try:
            call(env, "casework.tasks.deliver_notifications", [note.pk])
            p.wait_for(lambda: (mail_dir / "started").exists(), timeout=60)
            first.kill(signal.SIGKILL)
        finally:
            first.stop()
        assert mails(mail_dir) == []
        note.refresh_from_db()
        assert note.status == "pending"
        second = p.celery("worker", env, tmp_path / "second.log")
        try:
            p.wait_for(lambda: Notification.objects.get(pk=note.pk).status == "sent", timeout=90)
        finally:
            second.stop()
    assert len(mails(mail_dir)) == 1


def test_redis_down_requests_succeed_and_the_sweep_catches_up(people, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    with p.private_redis() as (port, start_redis, stop_redis):
        env = p.app_env(redis_url=f"redis://127.0.0.1:{port}/0", mail_dir=mail_dir)
        web_port = p.free_port()
        web = p.Proc(
            [
                str(p.BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{web_port}",
                "--workers",
                "1",
            ],
            env,
            tmp_path / "web.log",
        )
        try:
            p.wait_for(lambda: p._port_open(web_port), timeout=30)
            stop_redis()
            import http.client

            client = http.client.HTTPConnection("127.0.0.1", web_port, timeout=30)
            body = json.dumps(
                {
                    "title": "Lampu jalan mati",
                    "description": "Sejak seminggu.",
                    "category": "infrastruktur",
                    "desa": "35.08.01.2001",
                    "channel": "web",
                    "reporter_email": "budi@example.org",
                    "contact_consent": True,
                }
            )
            client.request("POST", "/api/v1/cases/", body, {"Content-Type": "application/json"})
            response = client.getresponse()
            payload = json.loads(response.read())
            assert response.status == 201, payload
            token = client_token(client, "kim")
            client.request(
                "POST",
                f"/api/v1/cases/{payload['number']}/actions/verify/",
                "{}",
                {"Content-Type": "application/json", "Authorization": f"Token {token}"},
            )
            acted = client.getresponse()
            assert acted.status == 200, acted.read()
            acted.read()
        finally:
            web.stop()
        pending = Notification.objects.filter(case__number=payload["number"], status="pending")
        # received, forwarded: kept in the outbox (with the officers' new-work messages)
        assert pending.filter(template="case_update").count() == 2
        # Redis is back; a minute later the sweep hands the messages to the workers again
        start_redis()
        pending.update(created_at=timezone.now() - timedelta(minutes=2))
        worker = p.celery("worker", env, tmp_path / "worker.log")
        try:
            subprocess.run(
                [str(p.BIN / "python"), "manage.py", "sweep"],
                cwd=p.ROOT,
                env=env,
                check=True,
                capture_output=True,
                timeout=60,
            )
            p.wait_for(
                lambda: not Notification.objects.filter(status="pending").exists(), timeout=60
            )
        finally:
            worker.stop()
    assert len([m for m in mails(mail_dir) if "budi@example.org" in m]) == 2


def client_token(client, username):
    client.request(
        "POST",
        "/api/v1/auth/token/",
        json.dumps({"username": username, "password": f.PASSWORD}),
        {"Content-Type": "application/json"},
    )
    response = client.getresponse()
    return json.loads(response.read())["token"]


def test_two_beats_and_two_workers_escalate_once(people, tmp_path):
    cases = [f.forwarded(people, reporter_email="") for _ in range(40)]
    assert overdue(cases) == 40
    with p.private_redis() as (port, _start, _stop):
        env = p.app_env(
            redis_url=f"redis://127.0.0.1:{port}/0",
            ASPIRASI_SWEEP_SECONDS="1",
            ASPIRASI_SWEEP_BATCH="5",
        )
        procs = [
            p.celery("worker", env, tmp_path / "w1.log"),
            p.celery("worker", env, tmp_path / "w2.log"),
            p.celery("beat", env, tmp_path / "b1.log"),
            p.celery("beat", env, tmp_path / "b2.log"),
        ]
        try:
            p.wait_for(lambda: Escalation.objects.count() >= 40, timeout=90)
            # let both beats fire a few more sweeps
            import time

            time.sleep(4)
        finally:
            for proc in procs:
                proc.stop()
    assert Escalation.objects.count() == 40
    assert CaseEvent.objects.filter(action="escalate").count() == 40
