"""Intake throughput on PostgreSQL: the service, and the HTTP API behind gunicorn.

    .venv/bin/python bench/intake.py                      # everything, defaults below
    .venv/bin/python bench/intake.py --no-http            # service level only
    .venv/bin/python bench/intake.py --no-service --http-requests 5000
    .venv/bin/python bench/intake.py --profile            # cProfile of the sequential run

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/aspirasi_bench: the
script DROPS and re-creates that database, migrates it and loads the reference data with
``manage.py migrate``, ``load_regions``, ``load_reference``; use --reuse-db to keep it),
REDIS_URL (default redis://127.0.0.1:6379/13: the broker notifications are enqueued on after
commit; its queue is purged at the end, nothing consumes it during the run).

(a) service level: ``casework.services.submit_case`` N times in one thread, then the same N
    split over 2 and 4 threads, each thread with its own database connection, then over 2
    and 4 forked processes of one thread each (as several web or worker processes);
(b) HTTP: gunicorn (``config.wsgi``, 2 workers of 4 threads as in the Procfile, or sync
    workers) on 127.0.0.1 serving POST /api/v1/cases/,
    driven by a Python load generator (a pool of threads, one http.client connection each,
    kept alive where the server allows) bounded by a request count and a time limit; with
    --wrk, also by wrk for the same time.

Nothing here asserts a timing; it prints what it measured.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/aspirasi_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

SUBMISSION = {
    "title": "Lampu penerangan jalan mati",
    "description": "Lampu PJU di depan balai desa mati sejak seminggu, jalan gelap malam hari.",
    "category": "infrastruktur",
    "desa": "35.08.01.2003",
    "channel": "api",
}


# ----------------------------------------------------------------------------- machine, database


def machine() -> dict[str, str]:
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pg = subprocess.run(
        ["psql", "-At", "-c", "show server_version", os.environ["DATABASE_URL"]],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "nproc": str(os.cpu_count()),
        "memory": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "cpu": cpu,
        "python": platform.python_version(),
        "postgresql": pg,
        "kernel": platform.release(),
    }


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def wait_quiet(limit: float, seconds: float) -> None:
    """Wait (up to ``seconds``) until the 1-minute load average is below ``limit``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if float(loadavg().split()[0]) < limit:
            return
        time.sleep(5)
    print(f"  (machine still busy: load average {loadavg()})")


def backend_pids(database: str) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return [row[0] for row in cursor.fetchall()]


def recreate_database(url: str) -> None:
    """Drop and create the database the URL names (connecting to the ``postgres`` one)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("aspirasi_bench"):
        sys.exit(
            f"refusing to drop {name!r}: the benchmark database name starts with aspirasi_bench"
        )
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(*args: str, env: dict[str, str]) -> None:
    command = [PYTHON, "manage.py", *args]
    print("  $", " ".join(command), flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare_database(env: dict[str, str]) -> None:
    print(f"database {env['DATABASE_URL']}: drop, create, migrate, load reference data", flush=True)
    recreate_database(env["DATABASE_URL"])
    manage("migrate", "--no-input", env=env)
    manage("load_regions", env=env)
    manage("load_reference", env=env)


def provision_officers(count: int) -> None:
    """Exactly ``count`` forum officers with an e-mail address in the kecamatan of the
    submitted desa: each intake then writes their new-work messages and hands them to the
    broker, as in a kabupaten whose officers are all registered."""
    from casework.models import Role, Unit, UnitKind, User

    forum = Unit.objects.get(kind=UnitKind.FORUM, region_id=SUBMISSION["desa"].rsplit(".", 1)[0])
    User.objects.filter(username__startswith="bench_forum_").exclude(
        username__in=[f"bench_forum_{n}" for n in range(1, count + 1)]
    ).delete()
    for n in range(1, count + 1):
        User.objects.update_or_create(
            username=f"bench_forum_{n}",
            defaults={
                "role": Role.FORUM_OFFICER,
                "unit": forum,
                "email": f"bench_forum_{n}@example.org",
                "is_active": True,
            },
        )
    if count:
        print(f"officers to notify: {count} in {forum.name}", flush=True)


def purge_broker() -> int:
    from config.celery import app

    try:
        return app.control.purge() or 0
    except Exception as exc:  # noqa: BLE001  (a missing broker only means nothing to purge)
        print(f"  (broker purge failed: {exc})")
        return 0


# ----------------------------------------------------------------------------- service level


def submit_many(count: int, label: str = "") -> None:
    from casework import services

    for i in range(count):
        services.submit_case(
            actor=None,
            title=f"{SUBMISSION['title']} {label}{i}",
            description=SUBMISSION["description"],
            category=SUBMISSION["category"],
            desa=SUBMISSION["desa"],
            channel=SUBMISSION["channel"],
        )


@dataclass
class Run:
    seconds: float
    client_cpu: float  # this process, all threads
    db_cpu: float  # the PostgreSQL backends serving the threads


def service_level(n: int, threads: int) -> Run:
    """Submit ``n`` cases split over ``threads`` threads, each with its own connection."""
    from django.db import connection

    share = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]
    ready = threading.Barrier(threads + 1)
    done = threading.Barrier(threads + 1)
    finish = threading.Event()
    errors: list[BaseException] = []
    backends: list[int] = []

    def work(index: int) -> None:
        try:
            with connection.cursor() as cursor:  # connect before the clock starts
                cursor.execute("SELECT pg_backend_pid()")
                backends.append(cursor.fetchone()[0])
            ready.wait()
            try:
                submit_many(share[index], f"t{threads}-{index}-")
            except BaseException as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)
            done.wait()
            finish.wait()  # keep the backend alive until its CPU time is read
        finally:
            connection.close()

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    while len(backends) < threads and all(t.is_alive() for t in pool):
        time.sleep(0.005)
    db_before = sum(proc_cpu(pid) for pid in backends)
    cpu_before = time.process_time()
    ready.wait()
    start = time.perf_counter()
    done.wait()
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_before
    db_cpu = sum(proc_cpu(pid) for pid in backends) - db_before
    finish.set()
    for thread in pool:
        thread.join()
    if errors:
        raise errors[0]
    return Run(elapsed, cpu, db_cpu)


def _process_worker(count: int, label: str, ready: Any, done: Any, pipe: Any) -> None:
    """One forked process of :func:`service_level_processes`."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:  # connect before the clock starts
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        pipe.send(backend)
        ready.wait()
        cpu_before = time.process_time()
        submit_many(count, label)
        cpu = time.process_time() - cpu_before
        done.wait()
        pipe.send(("ok", cpu))
        pipe.recv()  # keep the backend alive until its CPU time is read
    except BaseException as exc:  # noqa: BLE001  (reported by the parent)
        pipe.send(("error", repr(exc)))
    finally:
        connection.close()


def service_level_processes(n: int, processes: int) -> Run:
    """Submit ``n`` cases split over ``processes`` forked processes of one thread each, as
    several web or worker processes would: no process shares its interpreter lock."""
    import multiprocessing

    from django.db import connections

    context = multiprocessing.get_context("fork")
    connections.close_all()  # a forked child must not share the parent's connection
    share = [n // processes + (1 if i < n % processes else 0) for i in range(processes)]
    ready = context.Barrier(processes + 1)
    done = context.Barrier(processes + 1)
    pipes, pool = [], []
    for index in range(processes):
        parent, child = context.Pipe()
        worker = context.Process(
            target=_process_worker,
            args=(share[index], f"p{processes}-{index}-", ready, done, child),
        )
        worker.start()
        pipes.append(parent)
        pool.append(worker)
    backends = [pipe.recv() for pipe in pipes]
    db_before = sum(proc_cpu(pid) for pid in backends)
    ready.wait()
    start = time.perf_counter()
    done.wait()
    elapsed = time.perf_counter() - start
    outcomes = [pipe.recv() for pipe in pipes]
    db_cpu = sum(proc_cpu(pid) for pid in backends) - db_before
    for pipe in pipes:
        pipe.send("stop")
    for worker in pool:
        worker.join()
    errors = [detail for kind, detail in outcomes if kind == "error"]
    if errors:
        raise RuntimeError(errors[0])
    return Run(elapsed, sum(cpu for _kind, cpu in outcomes), db_cpu)


def summarise(label: str, runs: list[Run], n: int) -> dict:
    rates = sorted(n / r.seconds for r in runs)
    best = max(runs, key=lambda r: n / r.seconds)
    row = {
        "label": label,
        "cases": n,
        "runs": len(runs),
        "per_second_median": statistics.median(rates),
        "per_second_best": rates[-1],
        "per_second_all": [round(r, 1) for r in rates],
        "ms_per_case_best": best.seconds / n * 1000,
        "client_cpu_ms_per_case": statistics.median(r.client_cpu / n * 1000 for r in runs),
        "db_cpu_ms_per_case": statistics.median(r.db_cpu / n * 1000 for r in runs),
    }
    print(
        f"  {label}: {n} cases, median {row['per_second_median']:.0f}/s, "
        f"best {row['per_second_best']:.0f}/s (runs {row['per_second_all']}); CPU per case: "
        f"Python {row['client_cpu_ms_per_case']:.2f} ms, PostgreSQL "
        f"{row['db_cpu_ms_per_case']:.2f} ms; load average {loadavg()}",
        flush=True,
    )
    return row


def run_service_level(args: argparse.Namespace) -> list[dict]:
    from casework.models import Case

    n = args.cases
    submit_many(50, "warm-")
    results = []
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        service_level(n, 1)
        profiler.disable()
        print_profile(profiler, f"service level, {n} submit_case calls, 1 thread")
    splits: list[tuple[str, str, int, Callable[[int, int], Run]]] = [
        (f"{t} thread(s)", "threads", t, service_level) for t in args.threads_list
    ]
    splits += [
        (f"{p} processes", "processes", p, service_level_processes) for p in args.processes_list
    ]
    for label, key, count, measure in splits:
        runs = []
        for _repeat in range(args.repeat):
            wait_quiet(args.quiet_load, args.quiet_wait)
            before = Case.objects.count()
            runs.append(measure(n, count))
            created = Case.objects.count() - before
            assert created == n, (created, n)
        row = summarise(f"service level, {label}", runs, n)
        row[key] = count
        results.append(row)
    return results


def profile_http(args: argparse.Namespace) -> None:
    """cProfile POSTs through Django's test client in this process: middleware, DRF, the
    serializer and the service, without gunicorn and the network."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    body = json.dumps(SUBMISSION)

    def post() -> None:
        response = client.post(args.http_path, body, content_type="application/json")
        if response.status_code != 201:
            raise SystemExit(f"{args.http_path}: {response.status_code} {response.content[:300]!r}")

    for _i in range(50):
        post()
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _i in range(args.cases):
        post()
    profiler.disable()
    elapsed = time.perf_counter() - start
    print_profile(profiler, f"{args.cases} POST {args.http_path} through the test client")
    print(f"  (profiled: {args.cases / elapsed:.0f} requests/s in one thread)")


def print_profile(profiler: cProfile.Profile, title: str, limit: int = 35) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(20)
    print(f"\n===== profile: {title}\n{out.getvalue()}", flush=True)


# ----------------------------------------------------------------------------- HTTP


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, worker_class: str, threads: int
) -> subprocess.Popen:
    command = [
        GUNICORN,
        "config.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        worker_class,
        "--log-level",
        "warning",
    ]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    print("  $", " ".join(command), flush=True)
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(process)
    sys.exit("gunicorn did not start within 30 s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    sample_error: str = ""

    def summary(self) -> dict:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            if not lat:
                return float("nan")
            return lat[min(len(lat) - 1, round(p / 100 * (len(lat) - 1)))] * 1000

        return {
            "requests": self.requests,
            "seconds": self.seconds,
            "per_second": self.requests / self.seconds if self.seconds else 0.0,
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "p99_ms": pct(99),
            "max_ms": lat[-1] * 1000 if lat else float("nan"),
            "mean_ms": statistics.fmean(lat) * 1000 if lat else float("nan"),
            "errors": self.errors,
            "statuses": dict(self.statuses),
            "sample_error": self.sample_error,
        }


def load(
    port: int, total: int, concurrency: int, time_limit: float, path: str, body: bytes
) -> LoadResult:
    """POST ``body`` ``total`` times over ``concurrency`` connections, or until ``time_limit``
    seconds have passed, whichever comes first."""
    result = LoadResult()
    lock = threading.Lock()
    issued = 0
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    deadline = time.perf_counter() + time_limit

    def take() -> bool:
        nonlocal issued
        with lock:
            if issued >= total or time.perf_counter() > deadline:
                return False
            issued += 1
            return True

    def worker() -> None:
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        latencies: list[float] = []
        statuses: Counter = Counter()
        errors = 0
        sample = ""
        while take():
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                status = response.status
                if response.will_close:
                    conn.close()
            except OSError as exc:
                conn.close()
                errors += 1
                statuses["exception"] += 1
                sample = sample or repr(exc)
                continue
            latencies.append(time.perf_counter() - start)
            statuses[status] += 1
            if status != 201:
                errors += 1
                sample = sample or f"{status} {payload[:300]!r}"
        conn.close()
        with lock:
            result.latencies.extend(latencies)
            result.statuses.update(statuses)
            result.errors += errors
            result.sample_error = result.sample_error or sample

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    result.seconds = time.perf_counter() - start
    result.requests = sum(result.statuses.values())
    return result


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
"""


def run_wrk(port: int, path: str, body: bytes, concurrency: int, seconds: int) -> str:
    script = ROOT / "bench" / "results" / "post_case.lua.tmp"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(WRK_SCRIPT.format(body=json.dumps(body.decode())), encoding="utf-8")
    command = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(concurrency),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}{path}",
    ]
    print("  $", " ".join(command), flush=True)
    out = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 30)
    script.unlink(missing_ok=True)
    return out.stdout + out.stderr


def http_env(env: dict[str, str], settings_module: str) -> dict[str, str]:
    env = dict(env)
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(48))  # 64 characters, this run only
    env["SECURE_SSL_REDIRECT"] = "0"
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    # connections live through the whole run, so their backends' CPU time can be read
    env["DB_CONN_MAX_AGE"] = "3600"
    env["DEBUG"] = "0"
    # one client posts everything: the per-client submission limit stays in the path (one
    # cache round trip per request) but so high that it never answers 429
    env.setdefault("ASPIRASI_RATE_SUBMIT", "1000000/m")
    return env


def children(pid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                pids.append(int(entry.name))
    return pids


def run_http(args: argparse.Namespace, env: dict[str, str]) -> list[dict]:
    from casework.models import Case

    path = args.http_path
    body = json.dumps(SUBMISSION).encode()
    database = urlsplit(env["DATABASE_URL"]).path.lstrip("/")
    results: list[dict] = []
    for concurrency in args.http_concurrency:
        port = free_port()
        server = start_gunicorn(
            http_env(env, args.settings), port, args.workers, args.worker_class, args.threads
        )
        try:
            warm = load(port, 100, concurrency, 30, path, body)
            if not warm.statuses.get(201):
                print(f"  warm-up: {warm.summary()}")
                print(f"  {path} answers no 201; is the API there? (git log casework/api)")
                return results
            runs = []
            for _repeat in range(args.repeat):
                wait_quiet(args.quiet_load, args.quiet_wait)
                workers = children(server.pid)
                backends = {pid: proc_cpu(pid) for pid in backend_pids(database)}
                cpu = (sum(proc_cpu(p) for p in workers), time.process_time())
                before = Case.objects.count()
                result = load(
                    port, args.http_requests, concurrency, args.http_time_limit, path, body
                )
                created = Case.objects.count() - before
                summary = result.summary()
                n = max(summary["requests"], 1)
                # backends that served the whole run (a new one started during it is missed)
                db_cpu = sum(
                    max(proc_cpu(pid) - before_cpu, 0.0) for pid, before_cpu in backends.items()
                )
                summary.update(
                    concurrency=concurrency,
                    created=created,
                    generator="python",
                    server_cpu_ms_per_request=(sum(proc_cpu(p) for p in workers) - cpu[0])
                    / n
                    * 1000,
                    db_cpu_ms_per_request=db_cpu / n * 1000,
                    loadgen_cpu_ms_per_request=(time.process_time() - cpu[1]) / n * 1000,
                    load_average=loadavg(),
                )
                print(
                    f"  HTTP, {args.workers} {args.worker_class} workers, {concurrency} "
                    f"connections: {summary['requests']} requests in {summary['seconds']:.2f} s"
                    f" = {summary['per_second']:.0f}/s, p50 {summary['p50_ms']:.1f} ms, "
                    f"p95 {summary['p95_ms']:.1f} ms, p99 {summary['p99_ms']:.1f} ms, "
                    f"errors {summary['errors']}, cases created {created}; CPU per request: "
                    f"gunicorn {summary['server_cpu_ms_per_request']:.2f} ms, PostgreSQL "
                    f"{summary['db_cpu_ms_per_request']:.2f} ms, load generator "
                    f"{summary['loadgen_cpu_ms_per_request']:.2f} ms; "
                    f"load average {summary['load_average']}",
                    flush=True,
                )
                if summary["sample_error"]:
                    print(f"    first error: {summary['sample_error']}")
                runs.append(summary)
            best = max(runs, key=lambda r: r["per_second"])
            median = sorted(runs, key=lambda r: r["per_second"])[len(runs) // 2]
            print(
                f"  => median run {median['per_second']:.0f}/s (p50 {median['p50_ms']:.1f} ms, "
                f"p95 {median['p95_ms']:.1f} ms), best run {best['per_second']:.0f}/s",
                flush=True,
            )
            results.append({"concurrency": concurrency, "runs": runs, "median": median})
            if args.wrk and shutil.which("wrk"):
                wait_quiet(args.quiet_load, args.quiet_wait)
                before = Case.objects.count()
                output = run_wrk(port, path, body, concurrency, args.wrk_seconds)
                created = Case.objects.count() - before
                print(output)
                print(f"  wrk: cases created {created}")
                results.append(
                    {
                        "generator": "wrk",
                        "concurrency": concurrency,
                        "created": created,
                        "output": output,
                    }
                )
        finally:
            stop_gunicorn(server)
    return results


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--cases", type=int, default=2000, help="cases per service run")
    parser.add_argument("--threads-list", type=int, nargs="*", default=[1, 2, 4])
    parser.add_argument(
        "--processes-list",
        type=int,
        nargs="*",
        default=[2, 4],
        help="also split each service run over so many forked processes (one thread each)",
    )
    parser.add_argument("--no-service", action="store_true")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile a 1-thread run first")
    parser.add_argument(
        "--profile-http", action="store_true", help="cProfile POSTs through the test client"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument(
        "--quiet-load", type=float, default=0.7, help="wait for a 1-min load average below this"
    )
    parser.add_argument("--quiet-wait", type=float, default=120, help="... for at most so long")
    parser.add_argument("--reuse-db", action="store_true", help="do not drop/re-create the DB")
    parser.add_argument("--http-path", default="/api/v1/cases/")
    parser.add_argument("--http-requests", type=int, default=4000)
    parser.add_argument("--http-concurrency", type=int, nargs="+", default=[8])
    parser.add_argument("--http-time-limit", type=float, default=60.0)
    parser.add_argument("--settings", default="config.settings.production")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--worker-class",
        default="gthread",
        choices=["sync", "gthread"],
        help="gunicorn worker class (the Procfile's is gthread)",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--wrk", action="store_true", help="also drive the API with wrk")
    parser.add_argument("--wrk-seconds", type=int, default=15)
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument(
        "--officers",
        type=int,
        default=0,
        help="forum officers (with e-mail) to notify of each new case (default none)",
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    # as in production: committed messages reach the broker through the background hand-off
    os.environ.setdefault("ASPIRASI_NOTIFY_HANDOFF", "background")
    # one client submits everything (see http_env)
    os.environ.setdefault("ASPIRASI_RATE_SUBMIT", "1000000/m")
    env = dict(os.environ)
    if not args.reuse_db:
        prepare_database(env)

    from bench._setup import django_setup, require_postgresql

    django_setup()
    require_postgresql()
    info = machine()
    print("machine:", ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    provision_officers(args.officers)
    purge_broker()
    results: dict = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "machine": info}
    try:
        if args.profile_http:
            profile_http(args)
        if not args.no_service:
            results["service"] = run_service_level(args)
        if not args.no_http:
            results["http"] = run_http(args, env)
    finally:
        purged = purge_broker()
        print(f"broker: {purged} queued notification(s) purged")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
