"""The rows of one action, sent to PostgreSQL in one round trip.

An intake writes a case, its process, two tasks, the link between them, an audit event and
the outbox messages: through the ORM that is seven INSERTs, each waiting for its answer, and
most of the Python time of an intake went into building them one by one. A :class:`RowBatch`
collects the model instances instead, gives the rows that others point to their primary keys
from the tables' own sequences (one ``SELECT`` for all of them, together with whatever else the
action reads first), and sends every INSERT at once in psycopg's pipeline mode.

The pipeline needs PostgreSQL and a libpq that has it (14 or newer; psycopg's binary package
brings one): :func:`available` says whether this connection can, and the callers fall back to
the ORM where it can't (SQLite, the embedded default). The statements use server-side
parameters and are prepared once per connection after a few uses (psycopg's
``prepare_threshold``); behind a transaction-pooling PgBouncer older than 1.21, turn that off
with ``"prepare_threshold": None`` in the database ``OPTIONS``.

Each instance is written as ``Model.save(force_insert=True)`` would write it: every concrete
field through ``pre_save`` (``auto_now_add`` and the like) and ``get_db_prep_save``
(encryption, JSON). ``save()`` overrides and ``pre_save``/``post_save`` signals are not run:
the callers add only rows whose models need neither, or do their work themselves (a test
compares the rows with those the ORM writes). The statements bypass Django's cursor, so
``connection.execute_wrapper()`` hooks don't see them; Django's query log (``DEBUG``, the
tests' query counting) gets one entry for the batch, its statements joined by
:data:`STATEMENT_SEPARATOR`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)

# between the statements of a batch in the text Django logs for it (as one query): lets a
# statement counter (bench/paths.py) tell them apart
STATEMENT_SEPARATOR = ";\n/* next statement */ "


def available() -> bool:
    return connection.vendor == "postgresql" and psycopg.Pipeline.is_supported()


def nextval_sql(model: type[Model], count: int) -> str:
    """SQL for an array of ``count`` new primary keys of ``model`` (its identity sequence)."""
    meta = model._meta
    table, column = meta.db_table, meta.pk.column
    return (
        f"(SELECT array_agg(nextval(pg_get_serial_sequence('{table}', '{column}'))) "  # noqa: S608  (names from the models)
        f"FROM generate_series(1, {int(count)}))"
    )


class _Template:
    """The INSERT of one model: columns and the fields behind them, built once."""

    def __init__(self, model: type[Model]) -> None:
        qn = connection.ops.quote_name
        meta = model._meta
        self.fields = [f for f in meta.concrete_fields if not f.generated]
        self.fields_without_pk = [f for f in self.fields if not f.primary_key]
        self.head = f"INSERT INTO {qn(meta.db_table)} "
        self.columns = "(" + ", ".join(qn(_column(f)) for f in self.fields) + ")"
        self.columns_without_pk = (
            "(" + ", ".join(qn(_column(f)) for f in self.fields_without_pk) + ")"
        )


def _column(field: Field) -> str:
    assert field.column is not None, field
    return field.column


_templates: dict[type[Model], _Template] = {}


def _template(model: type[Model]) -> _Template:
    template = _templates.get(model)
    if template is None:
        template = _templates[model] = _Template(model)
    return template


def insert_sql(objs: Sequence[Model]) -> tuple[str, list[Any]]:
    """One INSERT of instances of one model, primary keys given for all or for none."""
    model = type(objs[0])
    template = _template(model)
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy looks it up per use
    with_pk = objs[0].pk is not None
    fields = template.fields if with_pk else template.fields_without_pk
    params: list[Any] = []
    rows = []
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    for obj in objs:
        if (obj.pk is not None) != with_pk:
            raise ValueError("primary keys for all instances or for none")
        params += [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]
        rows.append(placeholder)
    columns = template.columns if with_pk else template.columns_without_pk
    return template.head + columns + " VALUES " + ", ".join(rows), params


class RowBatch:
    """Instances to insert, in order, and statements to run after them."""

    def __init__(self) -> None:
        self._groups: list[list[Model]] = []
        self._statements: list[tuple[str, list[Any], Callable[[list[tuple]], None] | None]] = []
        self._ids: dict[type[Model], list[int]] = {}

    # --- primary keys -----------------------------------------------------------------

    def give_ids(self, model: type[Model], ids: Iterable[int]) -> None:
        """Primary keys reserved (by the caller's first SELECT, see :func:`nextval_sql`)."""
        self._ids.setdefault(model, []).extend(ids)

    def take_id(self, obj: Model) -> Model:
        """Give ``obj`` one of the reserved keys of its model."""
        obj.pk = self._ids[type(obj)].pop(0)
        return obj

    # --- rows -------------------------------------------------------------------------

    def instances(self, model: type[M]) -> list[M]:
        """The instances of ``model`` added so far."""
        return [
            obj
            for group in self._groups
            if type(group[0]) is model
            for obj in group
            if isinstance(obj, model)
        ]

    def add(self, *objs: Model) -> None:
        """Insert these instances (in this order, after those added before; consecutive ones
        of one model go in one INSERT)."""
        for obj in objs:
            group = self._groups[-1] if self._groups else None
            if (
                group
                and type(group[0]) is type(obj)
                and (group[0].pk is None) == (obj.pk is None)
                and not self._statements
            ):
                group.append(obj)
            else:
                if self._statements:
                    raise ValueError("rows go before the statements")
                self._groups.append([obj])

    def statement(
        self, sql: str, params: list[Any], on_rows: Callable[[list[tuple]], None] | None = None
    ) -> None:
        """Run ``sql`` after the rows; ``on_rows`` receives what it returns."""
        self._statements.append((sql, params, on_rows))

    # --- writing ------------------------------------------------------------------------

    def write(self) -> None:
        """Send everything in one round trip and mark the instances as saved.

        The statements go through psycopg's pipeline mode with server-side parameters: no
        statement waits for the one before, psycopg does not parse the query text for
        placeholders, and the server prepares each statement shape once per connection
        (``prepare_threshold``) instead of parsing and planning it again for every intake.
        """
        parts: list[tuple[str, list[Any], Callable[[list[tuple]], None] | None]] = [
            (*insert_sql(group), None) for group in self._groups
        ]
        parts += self._statements
        if not parts:
            return
        connection.ensure_connection()
        conn = connection.connection
        started = time.monotonic()
        with connection.wrap_database_errors:
            # statements whose rows are wanted get a cursor each (a cursor keeps the result
            # of its last statement); the others share one, and with it the parameter
            # dumpers it has looked up
            shared = psycopg.Cursor(conn)
            readers = []
            with conn.pipeline():
                for sql, params, on_rows in parts:
                    cursor = shared if on_rows is None else psycopg.Cursor(conn)
                    cursor.execute(sql, params)
                    if on_rows is not None:
                        readers.append((cursor, on_rows))
            for cursor, on_rows in readers:
                on_rows(cursor.fetchall())
                cursor.close()
            shared.close()
        if connection.queries_logged:  # what Django's debug cursor records for a query
            logged = psycopg.ClientCursor(conn)
            connection.queries_log.append(
                {
                    "sql": STATEMENT_SEPARATOR.join(
                        logged.mogrify(sql, params) for sql, params, _on_rows in parts
                    ),
                    "time": f"{time.monotonic() - started:.3f}",
                }
            )
        for group in self._groups:
            for obj in group:
                obj._state.adding = False
                obj._state.db = connection.alias
                if hasattr(obj, "_update_initial_state"):
                    obj._update_initial_state()  # django-fsm's record of the saved state
        self._groups, self._statements = [], []
