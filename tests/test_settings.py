"""Production settings: check --deploy is clean with the required variables; no secret, no start."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(extra_env):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **extra_env})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_check_deploy_is_clean():
    result = run_check({"SECRET_KEY": "x7Gq2-" * 10, "ALLOWED_HOSTS": "aspirasi.lumajangkab.go.id"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check({})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


WRITER = """
import sys, time
import django
django.setup()
from django.db import connection, transaction

with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        (n,) = cursor.fetchone()
        time.sleep(0.5)
        cursor.execute("UPDATE counter SET n = %s", [n + 1])
print("ok")
"""


def test_embedded_database_serialises_workers_that_read_then_write(tmp_path):
    """`make run`'s workers share SQLite with the web process; a worker takes a message
    (read) and marks it sent (write). Two of them at once must both succeed, one after the
    other, not fail with "database is locked"."""
    import sqlite3

    database = tmp_path / "embedded.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE counter (n integer)")
        db.execute("INSERT INTO counter VALUES (0)")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "DATABASE_URL": f"sqlite:///{database}"}
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], results
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT n FROM counter").fetchone() == (2,)
