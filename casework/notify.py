"""Notifications: an outbox written with the change, delivered by workers through a backend
per channel.

* The rows are written in the transaction of their cause (:func:`write`), so a message exists
  exactly when its change was committed; :func:`enqueue` hands them to the workers after the
  commit, and a broker outage only delays them (the sweep hands pending rows over again,
  :func:`requeue_pending`).
* A worker sends one row at a time (:func:`deliver`) with the row locked, so that a repeated
  or redelivered task never sends twice. A failure is recorded on the row (``attempts``,
  ``last_error``) and tried again after a back-off of 1, 2, 4, 8 and 16 minutes
  (``next_attempt_at``); after the last try the row is ``failed``.
* Backends: e-mail (Django's mailer), and for SMS and WhatsApp an HTTP gateway
  (:class:`HttpGatewayBackend`); :class:`FileBackend` and :class:`ConsoleBackend` stand in for
  a gateway in development and tests. ``ASPIRASI_NOTIFICATION_BACKENDS`` maps a channel to a
  backend's dotted path and its options.
* SMS and WhatsApp messages are short: ``notifications/<template>.sms.txt`` when it exists.
* The reporter's phone number is encrypted at rest on the case; the outbox row keeps only a
  masked number, and the worker reads the real one from the case when it sends.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.module_loading import import_string

from .batch import RowBatch, insert_sql
from .models import (
    OPEN_TASK_STATUSES,
    Case,
    CaseStatus,
    CaseTask,
    Notification,
    NotificationStatus,
    Priority,
    Stage,
    User,
)

log = logging.getLogger(__name__)

# the first try and five more, 1, 2, 4, 8 and 16 minutes apart (31 minutes in all)
MAX_ATTEMPTS = 6
SHORT_CHANNELS = frozenset({"sms", "whatsapp"})
SHORT_MAX_CHARS = 320  # two concatenated SMS
GATEWAY_TIMEOUT = 10.0  # seconds
REQUEUE_CHUNK = 100  # messages per task handed over by the sweep


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 1, 2, 4, 8, 16 minutes."""
    return timedelta(minutes=2 ** max(0, attempts - 1))


# ----------------------------------------------------------------------------- backends


class Backend(Protocol):
    def send(self, *, recipient: str, subject: str, body: str) -> None:
        """Deliver one message or raise."""


class PermanentError(Exception):
    """A failure that trying again cannot fix (the gateway refused the message itself)."""


class EmailBackend:
    def send(self, *, recipient: str, subject: str, body: str) -> None:
        send_mail(subject, body, None, [recipient])


class ConsoleBackend:
    """Logs the message instead of sending it (development)."""

    def __init__(self, channel: str = "") -> None:
        self.channel = channel

    def send(self, *, recipient: str, subject: str, body: str) -> None:
        log.info("%s to %s: %s", self.channel or "message", recipient, body)


class FileBackend:
    """Appends each message as one JSON line to a file (development and tests), e.g.
    ``var/outbox/sms.jsonl``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def send(self, *, recipient: str, subject: str, body: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "at": timezone.now().isoformat(),
                "to": recipient,
                "subject": subject,
                "text": body,
            },
            ensure_ascii=False,
        )
        with self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET and lose the message: it is a failure."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


class HttpGatewayBackend:
    """An SMS or WhatsApp gateway reached over HTTPS: ``POST {"to": …, "text": …}`` with
    ``Authorization: Bearer <token>``; any answer other than 2xx is a failure (a 4xx other
    than 408 and 429 a permanent one: the gateway refused the message itself)."""

    def __init__(self, url: str, token: str = "", timeout: float = GATEWAY_TIMEOUT) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError("the gateway URL must be http(s)")
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, *, recipient: str, subject: str, body: str) -> None:
        data = json.dumps({"to": recipient, "text": body}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")  # noqa: S310  (scheme checked above)
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                status = response.status
                response.read(1024)
        except urllib.error.HTTPError as exc:
            detail = exc.read(200).decode("utf-8", "replace").strip()
            message = f"gateway answered {exc.code}: {detail}".strip(": ")
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PermanentError(message) from None
            raise RuntimeError(message) from None
        if not 200 <= status < 300:
            raise RuntimeError(f"gateway answered {status}")


def backend(channel: str) -> Backend:
    """The backend configured for a channel: ``ASPIRASI_NOTIFICATION_BACKENDS[channel]`` is a
    dotted path, or ``{"BACKEND": dotted path, "OPTIONS": {keyword arguments}}``."""
    configured = getattr(settings, "ASPIRASI_NOTIFICATION_BACKENDS", {}).get(channel)
    if configured is None:
        if channel == "email":
            return EmailBackend()
        raise LookupError(f"no notification backend for channel {channel!r}")
    if isinstance(configured, str):
        return import_string(configured)()
    return import_string(configured["BACKEND"])(**configured.get("OPTIONS", {}))


# ----------------------------------------------------------------------------- rendering


def mask_phone(phone: str) -> str:
    """What the outbox shows of a reporter's number: 0812****7890."""
    digits = (phone or "").strip()
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def _context(notification: Notification) -> dict[str, Any]:
    context = dict(notification.context)
    if context.get("status") in CaseStatus.values:
        context["status_label"] = str(CaseStatus(context["status"]).label)
    if context.get("stage") in Stage.values:
        context["stage_label"] = str(Stage(context["stage"]).label)
    if context.get("priority") in Priority.values:
        context["priority_label"] = str(Priority(context["priority"]).label)
    if context.get("due_at"):
        due = timezone.localtime(datetime.fromisoformat(context["due_at"]))
        context["due"] = formats.date_format(due, "DATETIME_FORMAT")
    return context


def render(notification: Notification) -> tuple[str, str]:
    """Subject (first line) and body of a message, in the site's language (Bahasa
    Indonesia). On SMS and WhatsApp the short variant of the template when there is one,
    all of it the body, at most ``SHORT_MAX_CHARS`` characters; the subject is empty."""
    template = notification.template
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(notification)
        if notification.channel in SHORT_CHANNELS:
            text = render_to_string(
                [f"notifications/{template}.sms.txt", f"notifications/{template}.txt"], context
            )
            return "", shorten(text, SHORT_MAX_CHARS)
        text = render_to_string(f"notifications/{template}.txt", context).strip()
    subject, _sep, body = text.partition("\n")
    return subject.strip(), body.strip()


def shorten(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters (whitespace runs become one space)."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ----------------------------------------------------------------------------- writing


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


def write_in(
    rows: RowBatch, messages: Sequence[Notification], work: Sequence[NewWork] = ()
) -> None:
    """As :func:`write`, as the last statement of a batch; handed to the workers after the
    commit."""
    if work:
        # the new tasks are rows of the batch: the officers are found by their unit or as
        # the task's owner, without reading the tasks back
        tasks = [t for t in rows.instances(CaseTask) if t.stage and t.status in OPEN_TASK_STATUSES]
        sql, params = _insert_select_sql(messages, work, tasks)
        if not sql:
            return
    elif messages:
        sql, params = insert_sql(messages)
        sql += f" RETURNING {connection.ops.quote_name(Notification._meta.pk.column)}"
    else:
        return
    rows.statement(sql, params, lambda returned: enqueue(row[0] for row in returned))


def write(messages: Sequence[Notification], work: Sequence[NewWork] = ()) -> list[int]:
    """Insert the outbox rows of one action in one statement; their ids.

    The officers' messages are chosen and written by the database (``INSERT … SELECT`` from
    the case's open tasks and the units' users), together with the reporter's rows, so that
    an action costs no more statements with them than without."""
    if not work:
        if len(messages) == 1:
            messages[0].save(force_insert=True)
        elif messages:
            Notification.objects.bulk_create(messages)
        return [m.pk for m in messages]
    return _insert_select(messages, work)


def _insert_select(messages: Sequence[Notification], work: Sequence[NewWork]) -> list[int]:
    sql, params = _insert_select_sql(messages, work)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


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
        return meta.get_field(name).get_db_prep_save(value, connection)

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
    column_sql = ", ".join(qn(meta.get_field(c).column) for c in columns)
    created = prep("created_at", now)
    task_table, user_table = qn(CaseTask._meta.db_table), qn(User._meta.db_table)
    selects: list[str] = []
    params: list[Any] = []
    for item in work if tasks is not None else ():
        exclude = item.exclude_user_id or 0
        roles = ", ".join(["%s"] * len(item.roles))
        for task in tasks:
            if task.case_id != item.case.pk or task.stage not in item.stages:
                continue
            if task.owner_id:
                where, where_params = "u.id = %s", [task.owner_id]
            else:
                where, where_params = (
                    f"u.unit_id = %s AND u.role IN ({roles})",
                    [
                        task.unit_id,
                        *map(str, item.roles),
                    ],
                )
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
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({column_sql}) "
        + " UNION ALL ".join(selects)
        + f" RETURNING {qn(meta.pk.column)}"
    )
    return sql, params


# ----------------------------------------------------------------------------- delivery


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


def hand_over(ids: list[int]) -> None:
    """One task message for the workers with these outbox ids."""
    from .tasks import deliver_notifications

    try:
        deliver_notifications.delay(ids)
    except Exception:  # noqa: BLE001  (broker down: the outbox keeps them)
        log.warning("broker unavailable; %d notification(s) left for the sweep", len(ids))


class HandOff:
    """Hands committed outbox ids to the workers from one thread per process, at most one
    task message every ``interval`` seconds, with all the ids committed meanwhile.

    Publishing a Celery message costs about half a millisecond of CPU, as much as the rest of
    an intake's Python; in the committing thread that was one publish per intake. Here the
    request only queues its ids; the thread wakes for the first, waits ``interval`` for more
    to come, and publishes them together (at most ``batch`` ids a message, so that several
    workers still share the sending). A message waits at most ``interval`` longer than
    before. Ids still queued when a process dies are not lost: the rows stay pending in the
    outbox and the sweep hands them over.
    """

    def __init__(
        self, send: Any = None, interval: float = 0.02, batch: int = 50, sleep: Any = time.sleep
    ) -> None:
        self._send = send
        self._sleep = sleep
        self.interval = interval
        self.batch = batch
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def put(self, ids: list[int]) -> None:
        self._start()
        self._queue.put(list(ids))

    def _running(self) -> bool:
        return self._pid == os.getpid() and self._thread is not None and self._thread.is_alive()

    def _start(self) -> None:
        if self._running():
            return
        with self._lock:
            if self._running():
                return
            if self._pid != os.getpid():  # a forked process: the parent's thread isn't here
                self._queue = queue.SimpleQueue()
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=self._run, name="aspirasi-notify-handoff", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while True:
            waiting = list(self._queue.get())
            self._sleep(self.interval)  # let the commits of the next moments join
            while True:
                try:
                    waiting.extend(self._queue.get_nowait())
                except queue.Empty:
                    break
            for start in range(0, len(waiting), self.batch):
                try:
                    (self._send or hand_over)(waiting[start : start + self.batch])
                except Exception:
                    log.exception("notifications not handed over; left for the sweep")


handoff = HandOff()


def _address(notification: Notification) -> str:
    """Where the message goes: the reporter's phone is read from the case (encrypted there),
    every other address is on the row."""
    if notification.user_id is None and notification.channel in SHORT_CHANNELS:
        phone = (notification.case.reporter_phone or "").strip()
        if not phone:
            raise PermanentError("the case has no phone number")
        return phone
    return notification.recipient


def deliver(notification_id: int) -> bool:
    """Send one pending message that is due; True when sent now. Safe to repeat: a message
    sent, failed for good, waiting for its next try or being sent by another worker is left
    alone."""
    now = timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("case")
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        try:
            subject, body = render(notification)
            backend(notification.channel).send(
                recipient=_address(notification), subject=subject, body=body
            )
        except Exception as exc:  # noqa: BLE001  (recorded on the outbox row, retried)
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notification.attempts >= MAX_ATTEMPTS or isinstance(exc, PermanentError):
                notification.status = NotificationStatus.FAILED
                notification.next_attempt_at = None
            else:
                notification.next_attempt_at = now + backoff(notification.attempts)
            notification.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            log.warning(
                "notification %s failed (try %d): %s",
                notification_id,
                notification.attempts,
                notification.last_error,
            )
            return False
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.next_attempt_at = None
        notification.save(update_fields=["attempts", "status", "sent_at", "next_attempt_at"])
        return True


def requeue_pending(*, older_than_seconds: int = 60, limit: int = 1000) -> int:
    """Hand pending messages to the workers again: those never delivered (broker down,
    worker killed) once older than the grace period, and failed ones whose next try is due.
    One query on the partial index of pending messages."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING)
        .filter(
            Q(next_attempt_at__isnull=True, created_at__lt=cutoff) | Q(next_attempt_at__lte=now)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        from .tasks import deliver_notifications

        try:
            for start in range(0, len(ids), REQUEUE_CHUNK):
                deliver_notifications.delay(ids[start : start + REQUEUE_CHUNK])
        except Exception:  # noqa: BLE001
            log.warning("broker unavailable; %d notification(s) still pending", len(ids))
            return 0
    return len(ids)
