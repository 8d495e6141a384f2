"""Latency of the officers' pages on a large database, through gunicorn, as a browser sees it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aspirasi_scale \
        .venv/bin/python bench/web_pages.py [--requests 200] [--json out.json]

Needs the database `bench/generate.py` fills (1,000,000 cases and its ``gen_*`` officers).
Starts gunicorn (``config.wsgi``, 2 sync workers, production settings) on a free port of
127.0.0.1, signs in as a forum officer of Kec. Lumajang, an OPD officer of Dinas PUTR (the
busiest queue) and the supervisor, then for each page makes a bounded number of sequential
requests (after a warm-up) and reports p50/p95/p99 and the statements each page runs. Case
pages are requested for many different cases of the officer's queue, so no cache helps.
Nothing is written but the sessions of these sign-ins.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-only-pass-1"
OFFICERS = {
    "forum": "gen_forum_officer_35.08.10_1",
    "opd": "gen_opd_officer_dputr_1",
    "supervisor": "gen_supervisor_35.08_1",
}


class Browser:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "127.0.0.1", "Accept-Language": "id"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/masuk/"
        started = time.perf_counter()
        conn.request(method, path, data, headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = time.perf_counter() - started
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        conn.close()
        return response.status, text, elapsed

    def sign_in(self, username: str) -> None:
        _status, page, _t = self.request("GET", "/masuk/")
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found is not None, "no CSRF token on the sign-in page"
        token = found.group(1)
        status, _text, _t = self.request(
            "POST",
            "/masuk/",
            {
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": PASSWORD,
                "next": "/petugas/",
            },
        )
        if status != 302:
            raise SystemExit(f"sign-in of {username} failed ({status})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(browser: Browser, paths: list[str], warmup: int) -> dict:
    for path in paths[:warmup]:
        browser.request("GET", path)
    times, statuses = [], set()
    for path in paths:
        status, _text, elapsed = browser.request("GET", path)
        statuses.add(status)
        times.append(elapsed * 1000)
    return {
        "requests": len(times),
        "statuses": sorted(statuses),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "max_ms": round(max(times), 1),
    }


def statements(database_url: str) -> dict[str, int]:
    """Statements per page, counted in-process on the same database (Django test client)."""
    code = r"""
import os, json, django
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from casework.models import User, CaseTask
out = {}
for key, username in OFFICERS.items():
    user = User.objects.get(username=username)
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    task = CaseTask.objects.filter(unit_id=user.unit_id, status="NEW").order_by("due_at").first()
    pages = {"home": "/petugas/", "queue": "/petugas/tugas/?tab=queue",
             "mine": "/petugas/tugas/?tab=mine"}
    if task is not None:
        pages["case"] = f"/petugas/laporan/{task.case.number}/"
    if key == "supervisor":
        pages = {"review": "/petugas/pengawasan/", "overdue": "/petugas/pengawasan/?tab=overdue"}
    for name, path in pages.items():
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, secure=True)
        out[f"{key} {name}"] = [response.status_code, len(ctx.captured_queries)]
print(json.dumps(out))
"""
    env = bench_env(database_url)
    result = subprocess.run(
        [sys.executable, "-c", f"OFFICERS = {OFFICERS!r}\n" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DB_CONN_MAX_AGE": "60",
            "REDIS_URL": env.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6"),
        }
    )
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--json")
    args = parser.parse_args()
    database_url = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aspirasi_scale"
    )
    env = bench_env(database_url)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    # the sign-in officers get the password hashed as production hashes it
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from casework.models import User\n"
            f"for u in User.objects.filter(username__in={list(OFFICERS.values())!r}):\n"
            f"    u.set_password({PASSWORD!r}); u.save(update_fields=['password'])",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    results: dict[str, dict] = {}
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for key, username in OFFICERS.items():
            browser = Browser(port)
            browser.sign_in(username)
            if key == "supervisor":
                pages = {
                    "review (escalations)": ["/petugas/pengawasan/"] * args.requests,
                    "review (overdue)": ["/petugas/pengawasan/?tab=overdue"] * args.requests,
                }
            else:
                numbers: list[str] = []
                for page in range(1, 9):
                    _s, text, _t = browser.request("GET", f"/petugas/tugas/?tab=queue&page={page}")
                    numbers += re.findall(r"/petugas/laporan/(LMJ-[0-9-]+)/", text)
                numbers = list(dict.fromkeys(numbers))
                cases = [
                    f"/petugas/laporan/{numbers[i % len(numbers)]}/" for i in range(args.requests)
                ]
                pages = {
                    "queue (unit, page 1)": ["/petugas/tugas/?tab=queue"] * args.requests,
                    "queue (unit, page 40)": ["/petugas/tugas/?tab=queue&page=40"] * args.requests,
                    "my tasks": ["/petugas/tugas/?tab=mine"] * args.requests,
                    "queue filtered (overdue, text)": [
                        "/petugas/tugas/?tab=queue&overdue=0&q=jalan"
                    ]
                    * args.requests,
                    "case page": cases,
                }
            for name, paths in pages.items():
                results[f"{key}: {name}"] = measure(browser, paths, args.warmup)
                print(f"{key}: {name}", results[f"{key}: {name}"], flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)
    counted = statements(database_url)
    print(json.dumps(counted, indent=1))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"latency": results, "statements": counted}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
