"""Writing the outbox: the messages of one transaction in one statement, handed to the workers
after the commit.

The officers' messages about new work are chosen and written by the database
(``INSERT … SELECT`` from the case's open tasks and the units' users), together with the
reporter's rows, so that an action costs no more statements with them than without. A keyed
message (one reminder per task, level and cycle) is written at most once: a second INSERT of
the same key writes nothing (``ON CONFLICT DO NOTHING``) and hands nothing over."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field
from django.db.models.constants import OnConflict
from django.utils import timezone

from ..batch import RowBatch, insert_sql
from ..models import OPEN_TASK_STATUSES, Case, CaseTask, Notification, User
from .handoff import hand_over, handoff


@dataclass
class NewWork:
    """Officers' messages about work that landed in a queue with an action: one message per
    officer (with an e-mail address) owning an open task of these stages of the case, or,
    for an unowned task, per officer of these roles in the task's unit."""

    case: Case
    stages: Sequence[str]
    roles: Sequence[str]
    context: dict[str, Any] = field(default_factory=dict)
    exclude_user_id: int | None = None  # the actor: never told about their own work


def write(
    messages: Sequence[Notification],
    work: Sequence[NewWork] = (),
    *,
    rows: RowBatch | None = None,
    skip_existing: bool = False,
) -> None:
    """Insert the outbox rows of one transaction in one statement and hand them to the
    workers after the commit.

    With ``rows`` the statement is the last of that batch, and the new tasks it reads are
    the batch's own rows (not in the table yet). ``skip_existing`` writes nothing for a
    message whose key is already in the outbox; it applies to messages written on their own
    (the sweep's reminders and escalations), without new work and outside a batch."""
    if rows is not None:
        if skip_existing:
            raise ValueError("skip_existing is for the messages written on their own")
        _write_in(rows, messages, work)
        return
    if work:
        if skip_existing:
            raise ValueError("skip_existing is for the messages written without new work")
        sql, params = _insert_select_sql(messages, work)
        if not sql:
            return
    elif not messages:
        return
    elif not skip_existing:
        if len(messages) == 1:
            messages[0].save(force_insert=True)
        else:
            Notification.objects.bulk_create(messages)
        enqueue(m.pk for m in messages)
        return
    else:
        enqueue(_insert_new(messages))
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        enqueue(row[0] for row in cursor.fetchall())


def _write_in(rows: RowBatch, messages: Sequence[Notification], work: Sequence[NewWork]) -> None:
    if work:
        # the new tasks are rows of the batch: the officers are found by their unit or as
        # the task's owner, without reading the tasks back
        tasks = [t for t in rows.instances(CaseTask) if t.stage and t.status in OPEN_TASK_STATUSES]
        sql, params = _insert_select_sql(messages, work, tasks)
        if not sql:
            return
    elif messages:
        sql, params = insert_sql(messages)
        sql += f" RETURNING {connection.ops.quote_name(_column('id'))}"
    else:
        return
    rows.statement(sql, params, lambda returned: enqueue(row[0] for row in returned))


def _insert_select_sql(
    messages: Sequence[Notification],
    work: Sequence[NewWork],
    tasks: Sequence[CaseTask] | None = None,
) -> tuple[str, list[Any]]:
    """The INSERT … SELECT of the messages; with ``tasks``, the new tasks are those (not
    yet in the table, or not visible to this statement) instead of the case's open tasks."""
    qn = connection.ops.quote_name
    meta = Notification._meta
    now = timezone.now()

    def prep(name: str, value: Any) -> Any:
        return _field(name).get_db_prep_save(value, connection)

    columns = [
        "case_id",
        "key",
        "channel",
        "recipient",
        "user_id",
        "template",
        "context",
        "status",
        "attempts",
        "created_at",
        "last_error",
    ]
    column_sql = ", ".join(qn(_column(c)) for c in columns)
    created = prep("created_at", now)
    task_table, user_table = qn(CaseTask._meta.db_table), qn(User._meta.db_table)
    selects: list[str] = []
    params: list[Any] = []
    for item in work if tasks is not None else ():
        exclude = item.exclude_user_id or 0
        roles = ", ".join(["%s"] * len(item.roles))
        for task in tasks or ():
            if task.case_id != item.case.pk or task.stage not in item.stages:
                continue
            where_params: list[Any]
            if task.owner_id:
                where, where_params = "u.id = %s", [task.owner_id]
            else:
                where = f"u.unit_id = %s AND u.role IN ({roles})"
                where_params = [task.unit_id, *map(str, item.roles)]
            selects.append(
                "SELECT %s, 'work:' || %s || ':' || u.id, 'email', u.email, u.id, "  # noqa: S608  (names from the models)
                f"'new_work', %s, 'pending', 0, %s, '' FROM {user_table} u "
                f"WHERE {where} AND u.is_active AND u.email <> '' AND u.id <> %s"
            )
            params += [item.case.pk, task.pk]
            params += [prep("context", {**item.context, "assigned": bool(task.owner_id)}), created]
            params += [*where_params, exclude]
    for item in work if tasks is None else ():
        stages = ", ".join(["%s"] * len(item.stages))
        roles = ", ".join(["%s"] * len(item.roles))
        exclude = item.exclude_user_id or 0
        # the officer holding the new task, else the officers of its unit
        for assigned, join, where in (
            (
                True,
                "u.id = t.owner_id",
                "t.status IN ('ASSIGNED', 'STARTED')",
            ),
            (
                False,
                "u.unit_id = t.unit_id",
                f"t.status = 'NEW' AND t.owner_id IS NULL AND u.role IN ({roles})",
            ),
        ):
            selects.append(
                "SELECT t.case_id, 'work:' || t.id || ':' || u.id, 'email', u.email, u.id, "  # noqa: S608  (names from the models)
                "'new_work', %s, 'pending', 0, %s, '' "
                f"FROM {task_table} t JOIN {user_table} u ON {join} "
                f"WHERE t.case_id = %s AND t.stage IN ({stages}) AND {where} "
                "AND u.is_active AND u.email <> '' AND u.id <> %s"
            )
            params += [prep("context", {**item.context, "assigned": assigned}), created]
            params += [item.case.pk, *map(str, item.stages)]
            if not assigned:
                params += list(map(str, item.roles))
            params.append(exclude)
    for m in messages:
        selects.append("SELECT %s, %s, %s, %s, %s, %s, %s, 'pending', 0, %s, ''")
        params += [
            m.case_id,
            m.key,
            m.channel,
            m.recipient,
            m.user_id,
            m.template,
            prep("context", m.context),
            created,
        ]
    if not selects:
        return "", []
    sql = f"INSERT INTO {qn(meta.db_table)} ({column_sql}) " + " UNION ALL ".join(selects)
    sql += f" RETURNING {qn(_column('id'))}"
    return sql, params


def _insert_new(messages: Sequence[Notification]) -> list[int]:
    """Insert the messages whose key is not in the outbox yet; the ids of those written.

    Django's own bulk INSERT (the one ``bulk_create`` runs: on PostgreSQL one array per
    column through ``UNNEST``, planned in milliseconds whatever the number of rows) with
    ``ON CONFLICT DO NOTHING`` and ``RETURNING``, which ``bulk_create(ignore_conflicts=True)``
    does not ask for. A UNION ALL of a thousand one-row SELECTs took PostgreSQL seconds to
    plan."""
    meta = Notification._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    size = connection.ops.bulk_batch_size(fields, messages) or len(messages)
    ids: list[int] = []
    for start in range(0, len(messages), size):
        rows = Notification.objects._insert(  # type: ignore[attr-defined]
            messages[start : start + size],
            fields=fields,
            returning_fields=[meta.pk],
            on_conflict=OnConflict.IGNORE,
        )
        ids += [row[0] for row in rows]
    return ids


def _field(name: str) -> Field:
    field = Notification._meta.get_field(name)
    assert isinstance(field, Field), name
    return field


def _column(name: str) -> str:
    column = _field(name).column
    assert column is not None, name
    return column


def enqueue(ids: Iterable[int]) -> None:
    """After the commit, hand the messages to the workers; if the broker is down they stay
    pending and the sweep hands them over again.

    ``ASPIRASI_NOTIFY_HANDOFF = "background"`` (the default) passes the ids to this process's
    :class:`HandOff` thread; ``"direct"`` publishes them in the committing thread (the tests,
    to see the hand-over at once)."""
    ids = list(ids)
    if not ids:
        return
    if getattr(settings, "ASPIRASI_NOTIFY_HANDOFF", "background") == "background":
        transaction.on_commit(lambda: handoff.put(ids))
    else:
        transaction.on_commit(lambda: hand_over(ids))
