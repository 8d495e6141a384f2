"""Reminders, escalations and auto-close, driven by sweeps at chosen moments."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.models import CaseTask, Escalation, Notification
from casework.tasks import deliver_notifications
from tests import factories as f
from workflows import sla
from workflows.sweep import sweep

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


@pytest.fixture
def people(officers):
    for key, user in officers.items():
        user.email = f"{key}@lumajangkab.go.id"
        user.save(update_fields=["email"])
    return officers


def task_of(case, stage):
    return CaseTask.objects.get(case=case, stage=stage)


def remind_point(task):
    return task.created + (task.due_at - task.created) * sla.REMIND_AT


def deliver_all():
    """Send the reminders and escalations (officers' new-work messages are tested in
    tests/channels)."""
    pending = Notification.objects.filter(status="pending", template="sla_step")
    ids = list(pending.values_list("pk", flat=True))
    return deliver_notifications(ids)


def test_reminder_at_75_percent_to_the_unit_when_unclaimed(people):
    case = f.submit(reporter_email="")
    task = task_of(case, "verification")
    assert sweep(now=remind_point(task) - SECOND).total == 0
    result = sweep(now=remind_point(task) + SECOND)
    assert (result.reminders, result.escalations) == (1, 0)
    reminder = Escalation.objects.get(task=task)
    assert (reminder.kind, reminder.level, reminder.stage) == ("reminder", 0, "verification")
    assert case.events.filter(action="remind").count() == 1
    assert deliver_all() == 1
    assert [m.to for m in mail.outbox] == [["kim@lumajangkab.go.id"]]
    assert case.number in mail.outbox[0].subject


def test_reminder_goes_to_the_assignee_once_claimed(people):
    case = f.forwarded(people, reporter_email="")
    case = services.claim_task(case=case, actor=people["forum"])
    task = task_of(case, "triage")
    sweep(now=remind_point(task) + SECOND)
    assert deliver_all() == 1
    assert mail.outbox[-1].to == ["forum@lumajangkab.go.id"]


def test_both_escalation_levels_fire_once_each(people):
    case = f.forwarded(people, reporter_email="")
    task = task_of(case, "triage")
    due = task.due_at
    level_2 = sla.add_working_days(due, 2)

    first = sweep(now=due + SECOND)  # reminder skipped: the deadline has passed
    assert (first.reminders, first.escalations) == (0, 1)
    assert sweep(now=due + SECOND).total == 0  # the same sweep again changes nothing
    assert sweep(now=level_2 - SECOND).total == 0
    second = sweep(now=level_2 + SECOND)
    assert second.escalations == 1
    assert sweep(now=level_2 + timedelta(days=30)).total == 0

    levels = list(
        Escalation.objects.filter(task=task).order_by("level").values_list("kind", "level")
    )
    assert levels == [("escalation", 1), ("escalation", 2)]
    assert case.events.filter(action="escalate").count() == 2
    deliver_all()
    recipients = sorted(r for m in mail.outbox for r in m.to)
    assert recipients == ["coordinator@lumajangkab.go.id", "supervisor@lumajangkab.go.id"]


def test_opd_stage_escalates_to_the_opd_head(people):
    case = f.dispatched(people, opds=("dputr",), reporter_email="")
    task = task_of(case, "opd_acceptance")
    sweep(now=task.due_at + SECOND)
    deliver_all()
    assert [m.to for m in mail.outbox] == [["pu_head@lumajangkab.go.id"]]


def test_work_done_on_time_leaves_nothing_behind(people):
    case = f.submit(reporter_email="")
    verification = task_of(case, "verification")
    services.verify_case(case=case, actor=people["kim"])
    sweep(now=verification.due_at + timedelta(days=30))
    assert not Escalation.objects.filter(task=verification).exists()


def test_confirmation_window_closes_the_case(people):
    case = f.responded(people, reporter_email="")
    task = task_of(case, "confirmation")
    assert sweep(now=task.due_at - SECOND).closed == 0
    result = sweep(now=task.due_at + SECOND)
    assert result.closed == 1
    case.refresh_from_db()
    assert case.status == "closed"
    last = case.events.order_by("-id").first()
    assert last is not None
    assert last.action == "close"
    assert sweep(now=task.due_at + timedelta(days=1)).closed == 0


def test_waiting_for_information_stops_the_clock_and_restarts_it_in_full(people):
    case = f.in_triage(people, reporter_email="")
    task = task_of(case, "triage")
    case = services.request_info(case=case, actor=people["forum"], question="RT?")
    task.refresh_from_db()
    assert task.sla_next_at is None
    assert sweep(now=task.due_at + timedelta(days=10)).total == 0
    target_before = case.target_at

    case = services.provide_info(case=case, text="RT 03")
    task.refresh_from_db()
    case.refresh_from_db()
    assert task.sla_cycle == 1
    assert task.due_at > task.created  # restarted from the moment the answer came
    assert case.target_at >= target_before  # waiting time does not count end to end
    assert sweep(now=task.due_at + SECOND).escalations == 1


def test_a_sweep_with_nothing_due_is_one_indexed_query(people):
    f.submit()
    with CaptureQueriesContext(connection) as queries:
        result = sweep()
    assert result.total == 0
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 2  # due tasks; pending notifications to hand over again


def test_delivering_twice_sends_once(people):
    case = f.submit(reporter_email="siti@example.org")
    ids = list(
        Notification.objects.filter(case=case, template="case_update").values_list("pk", flat=True)
    )
    assert len(ids) == 1
    assert deliver_notifications(ids) == 1
    assert deliver_notifications(ids) == 0
    assert len(mail.outbox) == 1
    assert "Diterima" in mail.outbox[0].subject
