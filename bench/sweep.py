"""The service-level sweep at scale: ``workflows.sweep.sweep()`` in-process on a database of
generated cases (bench/generate.py), with 0, 1,000 and 10,000 of the open tasks due.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aspirasi_scale \
    REDIS_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python bench/sweep.py [--due 0,1000,10000] [--batches 500,1000,2000]
                                        [--profile] [--markdown FILE]

Before each run exactly N open tasks (a different pseudo-random choice each run, spread
over the table) are made due: ``due_at`` and ``sla_next_at`` one hour ago, ``sla_step`` 1,
so each gives one level-1 escalation (an escalation row, an ``escalate`` case event and a
notification to the forum coordinator or the OPD head: the generator provisions one with an
e-mail address in every forum and OPD). After each run the tasks get their own deadlines back
and what the run wrote (escalations, ``escalate`` events, ``sla_step`` notifications of those
cases) is deleted, then ``VACUUM`` clears the dead rows, so every run starts from the same
state; a CHECKPOINT after making the tasks due keeps the harness's own writes from
triggering a checkpoint inside the timed sweep. Open tasks whose next step fell due since
the generator ran are first moved forward by whole weeks. Notifications go to the broker
after each commit (REDIS_URL); the queue is purged at the end, nothing consumes it during
the run.

Measured per run: wall time of ``sweep()``, the SQL statements it sent (counted with
``connection.execute_wrapper``, by verb; the transaction of each batch adds a COMMIT), the
escalations written and their rate. N=0 runs 5 times, the others 3 times; medians are
reported. ``EXPLAIN (ANALYZE, BUFFERS)`` of the due-task statement the sweep sent is
printed at N=0 and at 10,000 due (in a transaction rolled back). ``--batches`` repeats the
largest N with other batch sizes (the ``batch`` argument, which is what
``ASPIRASI_SWEEP_BATCH`` sets). Nothing here asserts a timing; it prints what it measured.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import importlib.util
import io
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/aspirasi_scale"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
OPEN = ("NEW", "ASSIGNED", "STARTED")
OVERDUE_BY = timedelta(hours=1)


# the due-task statement of the last run, as the sweep sent it (SQL, parameters)
LAST_DUE_SQL: list[Any] = []


@dataclass
class Run:
    due: int
    batch: int
    seconds: float
    statements: int
    verbs: Counter
    escalations: int
    reminders: int
    batches: int
    notifications: int
    due_query_ms: float  # the first SELECT … FOR NO KEY UPDATE, client-side time
    db_seconds: dict[str, float]
    load: float  # 1-minute load average when the run started (other work on the machine)


@dataclass
class Capture:
    """Counts the statements a block sends; keeps the first due-task SELECT."""

    count: int = 0
    verbs: Counter = field(default_factory=Counter)
    due_sql: tuple[str, tuple] | None = None
    due_ms: float = 0.0
    # time inside cursor.execute per verb: the driver (sending, waiting, reading) and the
    # server; the rest of a run's wall time is Python (Django building and compiling SQL)
    db_seconds: dict[str, float] = field(default_factory=dict)

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        verb = sql.lstrip().split(None, 1)[0].upper()
        self.verbs[verb] += 1
        first_due = self.due_sql is None and "SKIP LOCKED" in sql
        if first_due:
            self.due_sql = (sql, tuple(params or ()))
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.db_seconds[verb] = self.db_seconds.get(verb, 0.0) + elapsed
            if first_due:
                self.due_ms = elapsed * 1000


# ----------------------------------------------------------------------------- database state


def _params(*values: Any) -> list[Any]:
    """Statement parameters: psycopg adapts a ``timedelta`` to an interval, a type that
    django-stubs leaves out of what ``cursor.execute`` takes."""
    return list(values)


def open_task_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM casework_casetask WHERE status = ANY(%s) "
            "AND sla_next_at IS NOT NULL",
            [list(OPEN)],
        )
        return cursor.fetchone()[0]


def push_forward_due_now(margin: timedelta = timedelta(hours=2)) -> int:
    """Open tasks whose next step fell due since the data was generated move on by whole
    weeks (the working-day pattern stays), so that nothing is due before a run."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE casework_casetask t
            SET due_at = t.due_at + w.shift, sla_next_at = t.sla_next_at + w.shift
            FROM (
                SELECT id, interval '7 days' * ceil(extract(epoch FROM now() + %s - sla_next_at)
                    / (7 * 86400)) AS shift
                FROM casework_casetask
                WHERE status = ANY(%s) AND sla_next_at IS NOT NULL AND sla_next_at <= now() + %s
            ) w
            WHERE t.id = w.id
            """,
            _params(margin, list(OPEN), margin),
        )
        return cursor.rowcount


def make_due(n: int, salt: int) -> dict[str, list]:
    """Make ``n`` open tasks due (level-1 escalation); returns what restores them."""
    from django.db import connection, transaction

    if n == 0:
        return {"ids": [], "due": [], "next": [], "cases": []}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id, due_at, sla_next_at, case_id FROM casework_casetask
            WHERE status = ANY(%s) AND sla_next_at IS NOT NULL AND sla_step = 0
            ORDER BY hashint8extended(id, %s) LIMIT %s
            """,
            [list(OPEN), salt, n],
        )
        rows = cursor.fetchall()
        saved = {
            "ids": [r[0] for r in rows],
            "due": [r[1] for r in rows],
            "next": [r[2] for r in rows],
            "cases": [r[3] for r in rows],
        }
        cursor.execute(
            "UPDATE casework_casetask SET due_at = now() - %s, sla_step = 1,"
            " sla_next_at = now() - %s WHERE id = ANY(%s)",
            _params(OVERDUE_BY, OVERDUE_BY, saved["ids"]),
        )
        assert cursor.rowcount == n, (cursor.rowcount, n)
    return saved


def restore(saved: dict[str, list]) -> dict[str, int]:
    """Give the tasks their deadlines back and delete what the sweep wrote for them."""
    from django.db import connection, transaction

    removed = {"escalations": 0, "events": 0, "notifications": 0}
    if not saved["ids"]:
        return removed
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE casework_casetask t SET due_at = s.due, sla_next_at = s.next, sla_step = 0
            FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS s(id, due, next)
            WHERE t.id = s.id
            """,
            [saved["ids"], saved["due"], saved["next"]],
        )
        cursor.execute("DELETE FROM casework_escalation WHERE task_id = ANY(%s)", [saved["ids"]])
        removed["escalations"] = cursor.rowcount
        cursor.execute("SET LOCAL aspirasi.rewrite_history = 'on'")  # events are append-only
        cursor.execute(
            "DELETE FROM casework_caseevent WHERE case_id = ANY(%s)"
            " AND action IN ('escalate', 'remind')",
            [saved["cases"]],
        )
        removed["events"] = cursor.rowcount
        cursor.execute(
            "DELETE FROM casework_notification WHERE case_id = ANY(%s) AND template = 'sla_step'",
            [saved["cases"]],
        )
        removed["notifications"] = cursor.rowcount
    return removed


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "casework_casetask",
            "casework_escalation",
            "casework_caseevent",
            "casework_notification",
        ):
            cursor.execute(f"VACUUM {table}")


def settle(limit: float = 1.0, seconds: float = 300.0) -> None:
    """CHECKPOINT (dirty pages of the previous runs written now, not during the next), then
    wait until the 1-minute load average is below ``limit`` (at most ``seconds``)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and os.getloadavg()[0] >= limit:
        time.sleep(2)


def idle_distribution(count: int = 200) -> dict[str, float]:
    """``count`` sweeps back to back with nothing due: median, 90th percentile, min."""
    sweep = SWEEP["sweep"]
    times = []
    for _ in range(count):
        start = time.perf_counter()
        sweep()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "runs": count,
        "median_ms": statistics.median(times),
        "p90_ms": times[int(0.9 * (count - 1))],
        "min_ms": times[0],
    }


def leftovers() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        out = {}
        for name, sql in {
            "escalations": "SELECT count(*) FROM casework_escalation",
            "sla_notifications": "SELECT count(*) FROM casework_notification"
            " WHERE template = 'sla_step'",
            "escalate_events": "SELECT count(*) FROM casework_caseevent"
            " WHERE action IN ('escalate', 'remind')",
            "due_now": "SELECT count(*) FROM casework_casetask WHERE status IN"
            " ('NEW', 'ASSIGNED', 'STARTED') AND sla_next_at <= now()",
        }.items():
            cursor.execute(sql)
            out[name] = cursor.fetchone()[0]
        return out


# ----------------------------------------------------------------------------- runs


SWEEP: dict[str, Callable] = {}
CHECKPOINT_BEFORE_RUN = True


def load_sweep(name: str) -> Callable:
    """``sweep`` of the module named (dotted path, or a .py file: a patched copy to compare)."""
    if name.endswith(".py"):
        spec = importlib.util.spec_from_file_location("sweep_under_test", name)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(name)
    return module.sweep


def one_run(n: int, batch: int, salt: int, profiler: cProfile.Profile | None = None) -> Run:
    from django.db import connection

    sweep = SWEEP["sweep"]
    saved = make_due(n, salt)
    if n and CHECKPOINT_BEFORE_RUN:
        # the harness's own writes (making tasks due, the last clean-up and VACUUM) are
        # flushed now, so that no checkpoint they would trigger falls inside the timed sweep
        settle()
    load = os.getloadavg()[0]
    capture = Capture()
    try:
        with connection.execute_wrapper(capture):
            if profiler is not None:
                profiler.enable()
            start = time.perf_counter()
            result = sweep(batch=batch)
            seconds = time.perf_counter() - start
            if profiler is not None:
                profiler.disable()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM casework_notification WHERE case_id = ANY(%s)"
                " AND template = 'sla_step'",
                [saved["cases"]],
            )
            notifications = cursor.fetchone()[0]
    finally:
        removed = restore(saved)
        if n:
            vacuum()
    if result.escalations != n or result.reminders or result.closed or result.errors:
        raise RuntimeError(f"expected {n} escalations, got {result}")
    if removed["escalations"] != n or removed["events"] != n:
        raise RuntimeError(f"cleanup found {removed} after {n} escalations")
    run = Run(
        due=n,
        batch=batch,
        seconds=seconds,
        statements=capture.count,
        verbs=capture.verbs,
        escalations=result.escalations,
        reminders=result.reminders,
        batches=result.batches,
        notifications=notifications,
        due_query_ms=capture.due_ms,
        db_seconds=capture.db_seconds,
        load=load,
    )
    LAST_DUE_SQL[:] = [capture.due_sql]
    return run


def explain(sql: str, params: tuple) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a statement, in a transaction rolled back."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def explain_at(n: int, batch: int, salt: int) -> str:
    """The plan of the due-task statement with ``n`` tasks due."""
    from django.utils import timezone

    saved = make_due(n, salt)
    try:
        sql, params = due_statement(timezone.now(), batch)
        return explain(sql, params)
    finally:
        restore(saved)
        if n:
            vacuum()


def due_statement(now: datetime, batch: int) -> tuple[str, tuple]:
    """The due-task SELECT as the sweep builds it (workflows.sweep._process_batch)."""
    from casework.models import OPEN_TASK_STATUSES, CaseTask

    qs = (
        CaseTask.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
        .filter(status__in=OPEN_TASK_STATUSES, sla_next_at__lte=now)
        .order_by("sla_next_at")
        .values(
            "id",
            "case_id",
            "case__status",
            "case__kecamatan_id",
            "case__number",
            "case__title",
            "stage",
            "unit_id",
            "owner_id",
            "due_at",
            "sla_step",
            "sla_next_at",
            "sla_cycle",
        )[:batch]
    )
    from django.db import transaction

    with transaction.atomic():  # FOR UPDATE compiles only inside a transaction
        sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def summarise(runs: list[Run]) -> dict:
    secs = [r.seconds for r in runs]
    med = statistics.median(secs)
    n = runs[0].due
    return {
        "due": n,
        "batch": runs[0].batch,
        "runs": len(runs),
        "median_ms": med * 1000,
        "min_ms": min(secs) * 1000,
        "max_ms": max(secs) * 1000,
        "statements": statistics.median(r.statements for r in runs),
        "verbs": dict(runs[0].verbs),
        "batches": runs[0].batches,
        "escalations": runs[0].escalations,
        "per_second": n / med if n else 0.0,
        "ms_per_escalation": med * 1000 / n if n else 0.0,
        "notifications": runs[0].notifications,
        "due_query_ms": statistics.median(r.due_query_ms for r in runs),
        "execute_ms": {
            verb: statistics.median(r.db_seconds.get(verb, 0.0) * 1000 for r in runs)
            for verb in runs[0].db_seconds
        },
        "all_ms": [round(s * 1000, 2) for s in secs],
        "load": max(r.load for r in runs),
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| due tasks | batch | runs | median ms | min–max ms | statements (by verb) | batches "
        "| escalations/s | ms per escalation | notifications written | first due-task SELECT ms "
        "| ms inside execute (by verb) | ms outside execute | load average (max) |",
        "|" + " ---: |" * 5 + " --- |" + " ---: |" * 5 + " --- | ---: | ---: |",
    ]
    for r in rows:
        verbs = ", ".join(f"{v} {c}" for v, c in sorted(r["verbs"].items()))
        inside = ", ".join(f"{v} {ms:.1f}" for v, ms in sorted(r["execute_ms"].items()))
        outside = r["median_ms"] - sum(r["execute_ms"].values())
        rate = f"{r['per_second']:,.0f}" if r["due"] else "—"
        per = f"{r['ms_per_escalation']:.3f}" if r["due"] else "—"
        lines.append(
            f"| {r['due']:,} | {r['batch']:,} | {r['runs']} | {r['median_ms']:.2f} "
            f"| {r['min_ms']:.2f}–{r['max_ms']:.2f} | {r['statements']:g} ({verbs}) "
            f"| {r['batches']} | {rate} | {per} | {r['notifications']:,} "
            f"| {r['due_query_ms']:.2f} | {inside} | {outside:.1f} | {r['load']:.2f} |"
        )
    return "\n".join(lines)


def machine() -> dict[str, str]:
    from django.db import connection

    def sh(*cmd: str) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "?"

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "synchronous_commit", "jit"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": sh("nproc"),
        "free -h": sh("free", "-h"),
        "cpu": cpu,
        "python": platform.python_version(),
        "postgresql": version,
        "postgresql settings": ", ".join(f"{k}={v}" for k, v in settings.items()),
        "database size": size,
    }


def purge_broker() -> int:
    from config.celery import app

    try:
        return app.control.purge() or 0
    except Exception as exc:  # noqa: BLE001  (a missing broker only means nothing to purge)
        print(f"  (broker purge failed: {exc})")
        return 0


def print_profile(profiler: cProfile.Profile, title: str) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    text = f"===== profile: {title}\n{out.getvalue()}"
    print(text, flush=True)
    return text


def compare(args: argparse.Namespace, dues: list[int], batch: int, info: dict) -> int:
    """Each N run alternately with two sweeps (A: --sweep-module, B: --compare), the order
    swapped every round, so that drift of the machine falls on both alike."""
    sweeps = {"A": SWEEP["sweep"], "B": load_sweep(args.compare)}
    tables: dict[str, list[dict]] = {"A": [], "B": []}
    for n in dues:
        settle()
        runs: dict[str, list[Run]] = {"A": [], "B": []}
        for i in range(args.runs_idle if n == 0 else args.runs):
            for label in ("A", "B") if i % 2 == 0 else ("B", "A"):
                SWEEP["sweep"] = sweeps[label]
                runs[label].append(one_run(n, batch, salt=n * 10 + i))
                print(f"  {label} N={n:>6}: {runs[label][-1].seconds * 1000:9.2f} ms", flush=True)
        for label in ("A", "B"):
            tables[label].append(summarise(runs[label]))
    SWEEP["sweep"] = sweeps["A"]
    lines = [
        f"- date: {info['date']}; A = {args.sweep_module}, B = {args.compare}; "
        f"CHECKPOINT before each run: {CHECKPOINT_BEFORE_RUN}",
        "",
    ]
    for label in ("A", "B"):
        lines += [f"### {label}", "", table(tables[label]), ""]
    lines += ["| due tasks | A median ms | B median ms | B / A |", "| ---: | ---: | ---: | ---: |"]
    for a, b in zip(tables["A"], tables["B"], strict=True):
        ratio = b["median_ms"] / a["median_ms"] if a["median_ms"] else float("nan")
        lines.append(
            f"| {a['due']:,} | {a['median_ms']:.2f} | {b['median_ms']:.2f} | {ratio:.2f} |"
        )
    text = "\n".join(lines)
    print(text)
    print(f"leftovers after: {leftovers()}; broker messages purged: {purge_broker()}")
    if args.markdown:
        Path(args.markdown).write_text(text + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--due", default="0,1000,10000", help="numbers of due tasks")
    parser.add_argument("--batches", default="500,1000,2000", help="batch sizes at the largest N")
    parser.add_argument("--batch", type=int, default=None, help="default: ASPIRASI_SWEEP_BATCH")
    parser.add_argument("--runs-idle", type=int, default=5, help="runs with nothing due")
    parser.add_argument("--runs", type=int, default=3, help="runs with work due")
    parser.add_argument("--profile", action="store_true", help="cProfile one run at the largest N")
    parser.add_argument("--markdown", help="also write the report to this file")
    parser.add_argument(
        "--compare",
        metavar="MODULE",
        help="run each N alternately with --sweep-module and this one (dotted path or .py)",
    )
    parser.add_argument(
        "--no-checkpoint",
        action="store_true",
        help="no CHECKPOINT between making tasks due and the sweep: the sweep then finds the "
        "pages it changes already logged in full since the last checkpoint (optimistic)",
    )
    parser.add_argument(
        "--sweep-module",
        default="workflows.sweep",
        help="module whose sweep() runs (a dotted path, or a .py file holding a patched copy)",
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    from bench._setup import django_setup, require_postgresql

    django_setup()
    require_postgresql()
    from django.conf import settings
    from django.utils import timezone

    from bench.scale.load import ensure_officers
    from casework import refdata
    from workflows import sla

    global CHECKPOINT_BEFORE_RUN
    CHECKPOINT_BEFORE_RUN = not args.no_checkpoint
    SWEEP["sweep"] = load_sweep(args.sweep_module)
    batch = args.batch or settings.ASPIRASI_SWEEP_BATCH
    dues = [int(x) for x in args.due.split(",") if x.strip()]
    batch_sizes = [int(x) for x in args.batches.split(",") if x.strip()]
    info = machine()
    officers = ensure_officers()
    open_tasks = open_task_count()
    moved = push_forward_due_now()
    vacuum()
    refdata.invalidate()
    sla.invalidate()
    print(f"open tasks with a clock: {open_tasks:,}; moved forward (were due): {moved:,}")
    print(f"officers provisioned: {officers['total']} ({officers['created']} new)")
    print(f"leftovers before: {leftovers()}", flush=True)

    # warm-up: caches of reference data, calendar, holidays, connection
    one_run(0, batch, salt=999)
    one_run(min(100, max(dues)), batch, salt=998)
    if args.compare:
        return compare(args, dues, batch, info)

    rows: list[dict] = []
    plans: dict[str, str] = {}
    profile_text = ""
    for n in dues:
        settle()
        runs = []
        for i in range(args.runs_idle if n == 0 else args.runs):
            runs.append(one_run(n, batch, salt=n * 10 + i))
            print(
                f"  N={n:>6}: {runs[-1].seconds * 1000:9.2f} ms, {runs[-1].statements} "
                f"statements, {runs[-1].escalations} escalations, {runs[-1].batches} batches",
                flush=True,
            )
        if n == 0:
            sql, params = LAST_DUE_SQL[0]
            built, _built_params = due_statement(timezone.now(), batch)
            same = built == sql
            plans["0"] = (
                f"-- the statement the sweep sent (same SQL as the queryset builds: {same})\n"
                f"{sql}\n-- params {params}\n\n{explain(sql, params)}"
            )
        rows.append(summarise(runs))
    top = max(dues)
    if top:
        plans[str(top)] = explain_at(top, batch, salt=4242)
    batch_rows: list[dict] = []
    if top and batch_sizes:
        for size in batch_sizes:
            settle()
            runs = [one_run(top, size, salt=7000 + size * 10 + i) for i in range(2)]
            batch_rows.append(summarise(runs))
            print(f"  batch {size}: {batch_rows[-1]['median_ms']:.0f} ms", flush=True)
    if args.profile and top:
        profiler = cProfile.Profile()
        one_run(top, batch, salt=31337, profiler=profiler)
        profile_text = print_profile(profiler, f"sweep() with {top:,} due, batch {batch}")
    settle()
    idle_after = summarise([one_run(0, batch, salt=i) for i in range(args.runs_idle)])
    idle_many = idle_distribution()
    purged = purge_broker()

    report = [
        "## Machine",
        "",
        *[
            f"- {k}: {v}" if "\n" not in v else f"- {k}:\n\n```\n{v}\n```\n"
            for k, v in info.items()
        ],
        f"- open tasks with a service-level clock: {open_tasks:,}",
        "",
        "## Sweep runs",
        "",
        table(rows),
        "",
        "## Batch size at the largest N",
        "",
        table(batch_rows) if batch_rows else "(not run)",
        "",
        "## Nothing due again, after all the runs above",
        "",
        table([idle_after]),
        "",
        f"{idle_many['runs']} sweeps back to back with nothing due: median "
        f"{idle_many['median_ms']:.2f} ms, 90th percentile {idle_many['p90_ms']:.2f} ms, "
        f"fastest {idle_many['min_ms']:.2f} ms.",
        "",
        *[f"## EXPLAIN (ANALYZE, BUFFERS), {k} due\n\n```\n{v}\n```\n" for k, v in plans.items()],
    ]
    text = "\n".join(report)
    print(text)
    print(f"leftovers after: {leftovers()}; broker messages purged: {purged}")
    if args.markdown:
        tail = f"\n\n```\n{profile_text}```\n" if profile_text else "\n"
        Path(args.markdown).write_text(text + tail)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
