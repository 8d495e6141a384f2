"""The public case number, ``LMJ-2611-00042``: a prefix, the month, a counter per month.

On PostgreSQL the counter is a sequence per month (``casework_case_number_2611``), created by
the month's first intake. ``nextval`` locks nothing and is not rolled back, so concurrent
intakes never wait for each other; a rolled-back intake leaves a gap in the month's numbers.
(A counter row updated in the intake's transaction stays locked until its commit and queues
every other intake behind it.) A new sequence starts after the month's value in
:class:`~casework.models.CaseNumberCounter`, the counter every other database uses (SQLite
serialises its writers anyway) and the one a database user without the right to create a
sequence falls back on.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from .models import CaseNumberCounter

log = logging.getLogger(__name__)

SEQUENCE_PREFIX = "casework_case_number_"


def next_case_number(moment: datetime) -> str:
    """The next number for a case received at ``moment`` (local time of the kabupaten)."""
    return next_case_number_with(moment, [])[0]


def next_case_number_with(moment: datetime, also: list[str]) -> tuple[str, list[Any]]:
    """The next number, and the values of the SQL expressions ``also`` read in the same
    statement (PostgreSQL only; an intake reserves its rows' primary keys this way)."""
    period = moment.strftime("%y%m")
    last, values = _from_sequence(period, also) if connection.vendor == "postgresql" else (None, [])
    if last is None:
        last = _from_counter(period)
    return f"{settings.ASPIRASI_CASE_PREFIX}-{period}-{last:05d}", values


def sequence_name(period: str) -> str:
    if not (len(period) == 4 and period.isdigit()):
        raise ValueError(f"not a period: {period!r}")
    return SEQUENCE_PREFIX + period


def _from_counter(period: str) -> int:
    table = CaseNumberCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (period, last) VALUES (%s, 1) "  # noqa: S608  (table name only)
            f"ON CONFLICT (period) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [period],
        )
        (last,) = cursor.fetchone()
    return int(last)


def _from_sequence(period: str, also: list[str]) -> tuple[int | None, list[Any]]:
    """The month's next value (None when its sequence can't be created here) and the
    values of ``also``."""
    name = sequence_name(period)
    with connection.cursor() as cursor:
        # one statement: NULL instead of an error (which would abort the transaction) when
        # the month has no sequence yet; the cast to regclass runs only in that branch
        cursor.execute(
            "SELECT CASE WHEN to_regclass(%s) IS NULL THEN NULL "
            "ELSE nextval(%s::text::regclass) END" + "".join(f", {sql}" for sql in also),
            [name, name],
        )
        last, *values = cursor.fetchone()
        if last is not None:
            return int(last), values
        if not _create_sequence(cursor, period, name):
            return None, values
        cursor.execute("SELECT nextval(%s::text::regclass)", [name])
        (last,) = cursor.fetchone()
    return int(last), values


def _create_sequence(cursor: Any, period: str, name: str) -> bool:
    table = CaseNumberCounter._meta.db_table
    cursor.execute(f"SELECT last FROM {table} WHERE period = %s", [period])  # noqa: S608
    row = cursor.fetchone()
    start = int(row[0]) + 1 if row else 1
    try:
        # in a savepoint: a concurrent intake creating the same sequence makes this one wait
        # for its commit and then fail, which leaves this transaction usable
        with transaction.atomic():
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {start:d}")
    except DatabaseError as exc:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return True  # the concurrent intake's
        log.warning("case numbers for %s from the counter row: %s", period, exc)
        return False
    return True


def as_case_number(text: str) -> str | None:
    """``text`` read as a case number as people type it (``lmj 2611 42``,
    ``LMJ-2611-00042``): its canonical form, or None when it does not have the shape of one."""
    prefix = re.escape(settings.ASPIRASI_CASE_PREFIX.upper())
    found = re.fullmatch(rf"\s*({prefix})[\s./-]*(\d{{4}})[\s./-]*(\d{{1,7}})\s*", text.upper())
    if found is None:
        return None
    _prefix, period, counter = found.groups()
    return f"{settings.ASPIRASI_CASE_PREFIX}-{period}-{int(counter):05d}"
