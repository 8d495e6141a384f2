"""An intake writes the same rows whether it goes through the one-query batch (PostgreSQL,
casework/batch.py) or through the ORM row by row (SQLite, the embedded default)."""

from unittest import mock

import pytest
from django.db import ProgrammingError, connection
from django.forms.models import model_to_dict

from casework import batch
from casework.models import Case, CaseEvent, CaseProcess, CaseTask, Notification
from tests import factories as f
from tests.conftest import DESA_INACTIVE

pytestmark = pytest.mark.django_db

IGNORED = {"id", "number", "tracking_code", "created_at", "updated_at", "target_at"}


def snapshot(case):
    case.refresh_from_db()
    process = CaseProcess.objects.get(case=case)
    tasks = list(CaseTask.objects.filter(case=case).order_by("id"))
    moments = {"created", "started", "finished", "assigned", "due_at", "sla_next_at"}

    def task_row(t):
        row = {
            k: v
            for k, v in model_to_dict(t).items()
            if k not in moments | {"id", "process", "case"}
        }
        row["previous"] = [tasks.index(p) for p in t.previous.all()]
        row["flow_task"] = str(t.flow_task)
        row["moments"] = sorted(k for k in moments if getattr(t, k) is not None)
        return row

    return {
        "case": {k: v for k, v in model_to_dict(case).items() if k not in IGNORED},
        "decrypted": (case.reporter_phone, case.reporter_nik),
        "process": (str(process.flow_class), process.status, process.finished),
        "tasks": [task_row(t) for t in tasks],
        "events": [
            (e.action, e.from_status, e.to_status, e.actor_id, e.payload)
            for e in CaseEvent.objects.filter(case=case)
        ],
        "messages": sorted(
            (
                n.template,
                n.channel,
                n.recipient,
                n.user_id,
                n.status,
                {k: v for k, v in n.context.items() if k not in ("number", "tracking_code")},
            )
            for n in Notification.objects.filter(case=case)
        ),
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the batch is PostgreSQL's")
@pytest.mark.parametrize("desa", [None, DESA_INACTIVE])
def test_the_batch_and_the_orm_write_the_same_rows(people, desa):
    fields = {"desa": desa} if desa else {}
    batched = f.submit(**fields)
    with mock.patch.object(batch, "available", return_value=False):
        one_by_one = f.submit(**fields)
    assert snapshot(batched) == snapshot(one_by_one)
    assert snapshot(batched)["messages"], "the reporter and the officers are told"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the batch is PostgreSQL's")
def test_the_batched_intake_is_four_round_trips(people):
    from django.test.utils import CaptureQueriesContext

    f.submit()
    with CaptureQueriesContext(connection) as ctx:
        case = f.submit()
    sql = [q["sql"] for q in ctx.captured_queries]
    # (a savepoint pair here, inside the test's transaction: BEGIN/COMMIT in production)
    assert len(sql) == 4, sql
    assert sql[1].startswith("SELECT") and "nextval" in sql[1]
    assert (
        sql[2].count(batch.STATEMENT_SEPARATOR) == 5
    )  # case, process, tasks, link, event, messages
    assert case.pk and not case._state.adding


def test_a_failing_intake_leaves_nothing(people):
    """A row refused by the database in the middle of the batch rolls the whole intake back."""
    before = (CaseProcess.objects.count(), CaseTask.objects.count(), Notification.objects.count())
    original = batch.insert_sql

    def broken(objs):
        sql, params = original(objs)
        if objs[0].__class__ is CaseEvent:
            sql = sql.replace('"action"', '"no_such_column"')
        return sql, params

    with mock.patch.object(batch, "insert_sql", broken), pytest.raises(ProgrammingError):
        f.submit(title="Tidak tersimpan")
    assert not Case.objects.filter(title="Tidak tersimpan").exists()
    after = (CaseProcess.objects.count(), CaseTask.objects.count(), Notification.objects.count())
    assert after == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the batch is PostgreSQL's")
def test_a_batch_of_messages_alone_is_written_and_handed_to_the_workers(people):
    from casework.batch import RowBatch
    from casework.notifications import outbox

    case = f.submit()
    rows = RowBatch()
    message = Notification(
        case=case, channel="email", recipient="siti@example.org", template="case_update"
    )
    outbox.write([message], rows=rows)
    with mock.patch.object(outbox, "enqueue") as enqueue:
        rows.write()
    (ids,) = enqueue.call_args.args
    written = Notification.objects.get(pk__in=list(ids))
    assert (written.case_id, written.recipient, written.status) == (
        case.pk,
        "siti@example.org",
        "pending",
    )
