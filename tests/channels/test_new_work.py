"""Officers hear about work landing in their queue: one e-mail each, written with the action
in the same INSERT as the reporter's messages."""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.models import Notification, Unit
from casework.notifications import outbox, rendering
from casework.tasks import deliver_notifications
from tests import factories as f
from tests.conftest import DESA_INACTIVE

pytestmark = pytest.mark.django_db

FORUM = {"forum", "forum2", "coordinator"}  # forum_other is another kecamatan's
DPUTR = {"pu", "pu2", "pu_head"}


def new_work(case, action=None):
    rows = Notification.objects.filter(case=case, template="new_work")
    if action:
        rows = rows.filter(context__action=action)
    return rows


def told(case, action):
    return {n.user.username for n in new_work(case, action).select_related("user")}


def test_submit_tells_the_kim_operators_of_the_desa(people):
    case = f.submit()
    assert told(case, "submit") == {"kim"}
    note = new_work(case).get()
    assert (note.channel, note.recipient, note.status) == (
        "email",
        "kim@lumajangkab.go.id",
        "pending",
    )
    task = case.tasks.get(stage="verification")
    assert note.key == f"work:{task.pk}:{people['kim'].pk}"
    assert note.context["stage"] == "verification" and note.context["assigned"] is False


def test_submit_in_a_desa_without_active_kim_tells_the_forum(people):
    case = f.submit(desa=DESA_INACTIVE)
    assert case.status == "forwarded"
    assert told(case, "submit") == FORUM


def test_verify_tells_the_forum_of_the_kecamatan(people):
    case = f.forwarded(people)
    assert told(case, "verify") == FORUM


def test_dispatch_tells_each_opd(people):
    case = f.dispatched(people, opds=("dputr", "dinkes"))
    assert told(case, "dispatch") == DPUTR | {"dinkes"}
    assert new_work(case, "dispatch").count() == 4  # one each


def test_the_last_opd_declining_tells_the_triage_officer_who_dispatched(people):
    case = f.dispatched(people, opds=("dputr",))
    case = services.decline_assignment(case=case, actor=people["pu"], reason="Bukan wewenang")
    assert case.status == "in_triage"
    assert told(case, "decline") == {"forum"}  # the task returns to them, not to the queue
    note = new_work(case, "decline").get()
    assert note.context["assigned"] is True and note.context["reason"] == "Bukan wewenang"


def test_a_decline_leaving_other_opd_tells_nobody(people):
    case = f.dispatched(people, opds=("dputr", "dinkes"))
    services.decline_assignment(case=case, actor=people["dinkes"], reason="Bukan wewenang")
    assert not new_work(case, "decline").exists()


def test_a_dispute_tells_the_opd_that_answered(people):
    case = f.responded(people)
    services.dispute_case(case=case, reason="Belum rapi")
    assert told(case, "dispute") == {"pu"}  # the reopened task returns to who answered
    note = new_work(case, "dispute").get()
    assert note.context["reason"] == "Belum rapi" and note.context["assigned"] is True


def test_a_dispute_tells_the_opd_when_who_answered_has_left(people):
    case = f.responded(people)
    people["pu"].is_active = False
    people["pu"].save(update_fields=["is_active"])
    services.dispute_case(case=case, reason="Belum rapi")
    assert told(case, "dispute") == DPUTR - {"pu"}  # the reopened task is in the OPD's queue


@pytest.mark.parametrize(
    "step",
    [
        lambda p, c: services.claim_task(case=c, actor=p["forum"]),
        lambda p, c: services.release_task(
            case=services.claim_task(case=c, actor=p["forum"]), actor=p["forum"]
        ),
        lambda p, c: services.request_info(case=c, actor=p["forum"], question="RT?"),
    ],
)
def test_queue_work_without_a_new_task_tells_nobody(people, step):
    case = f.forwarded(people)
    before = Notification.objects.filter(template="new_work").count()
    step(people, case)
    assert Notification.objects.filter(template="new_work").count() == before


def test_accept_and_respond_tell_no_officer(people):
    case = f.dispatched(people, opds=("dputr",))
    before = new_work(case).count()
    case = services.accept_assignment(case=case, actor=people["pu"])
    services.respond_assignment(case=case, actor=people["pu"], response="Sudah.")
    assert new_work(case).count() == before


def test_the_officer_acting_is_not_told_about_their_own_entry(people):
    """A KIM operator's own intake is verified by its recording: the forum hears of a case
    to triage; the operator, and their KIM, hear of nothing to verify."""
    case = f.submit(actor=people["kim"], channel="kim")
    assert "kim" not in told(case, "submit")
    assert told(case, "submit") <= {"forum", "forum2", "coordinator"}
    assert told(case, "submit")


def test_officers_without_email_or_inactive_are_skipped(people):
    people["forum2"].email = ""
    people["forum2"].save(update_fields=["email"])
    people["coordinator"].is_active = False
    people["coordinator"].save(update_fields=["is_active"])
    case = f.forwarded(people)
    assert told(case, "verify") == {"forum"}


def test_an_officer_of_another_unit_kind_in_the_unit_is_not_told(people):
    """Role-appropriate: only the roles that work the stage."""
    unit = Unit.objects.get(kind="opd", code="dputr")
    assert {u.role for u in unit.members.all()} == {"opd_officer", "opd_head"}
    case = f.dispatched(people, opds=("dputr",))
    assert told(case, "dispatch") == DPUTR


def test_one_insert_writes_the_reporters_and_the_officers_messages(people):
    f.submit()  # warm the reference data
    with CaptureQueriesContext(connection) as queries:
        case = f.submit(reporter_email="siti@example.org")
    inserts = [q["sql"] for q in queries.captured_queries if "casework_notification" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("INSERT")
    assert Notification.objects.filter(case=case).count() == 2  # reporter + kim


def test_the_ids_written_are_handed_to_the_workers_after_the_commit(people):
    with mock_enqueue() as handed:
        case = f.forwarded(people)
    ids = set(Notification.objects.filter(case=case).values_list("pk", flat=True))
    assert set(handed) == ids and len(handed) == len(ids)


def test_the_message_reads_well(people):
    case = f.forwarded(people)
    services.claim_task(case=case, actor=people["forum"])
    note = new_work(case, "verify").get(user=people["forum"])
    subject, body = rendering.render(note)
    assert case.number in subject
    assert case.title in body
    assert deliver_notifications([note.pk]) == 1
    assert [m.to for m in mail.outbox] == [["forum@lumajangkab.go.id"]]


def test_reminders_and_escalations_go_by_email_only(people):
    """Officers are never sent SMS: the sweep writes e-mail messages."""
    from datetime import timedelta

    from workflows.sweep import sweep

    case = f.submit(reporter_email="")
    task = case.tasks.get(stage="verification")
    assert task.due_at is not None
    sweep(now=task.due_at + timedelta(seconds=1))
    channels = set(
        Notification.objects.filter(case=case, user__isnull=False).values_list("channel", flat=True)
    )
    assert channels == {"email"}


@contextmanager
def mock_enqueue():
    """The ids the services hand to :func:`casework.notifications.outbox.enqueue`."""
    handed: list[int] = []
    with mock.patch.object(outbox, "enqueue", side_effect=handed.extend):
        yield handed
