"""``make run`` announces the address the web process really listens on: ``WEB_BIND`` from
the environment or the ``.env`` file honcho reads, the Procfile's default otherwise."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from config.address import DEFAULT_BIND, banner, web_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("", "http://127.0.0.1:8000"),
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000"),
        (":8001", "http://127.0.0.1:8001"),
        ("localhost", "http://localhost:8000"),
        ("192.168.1.20:8080", "http://192.168.1.20:8080"),
        ("tcp://10.0.0.5:8080", "http://10.0.0.5:8080"),
        ("[::]:8000", "http://[::1]:8000"),
        ("[::1]:8002", "http://[::1]:8002"),
        ("::1", "http://[::1]:8000"),
        ("unix:/run/aspirasi.sock", None),
    ],
)
def test_the_url_of_a_bind(bind, url):
    assert web_url(bind) == url


def test_the_banner_names_the_site_its_api_docs_and_every_address():
    assert banner("192.168.1.20:8080") == (
        "Aspirasi on http://192.168.1.20:8080/  (API docs: http://192.168.1.20:8080/api/v1/docs/)"
    )
    assert banner("0.0.0.0:9000").endswith("; listening on every address (0.0.0.0:9000)")
    assert "unix:/run/aspirasi.sock" in banner("unix:/run/aspirasi.sock")


def test_the_default_is_the_procfiles():
    procfile = (ROOT / "Procfile").read_text()
    assert f"--bind ${{WEB_BIND:-{DEFAULT_BIND}}}" in procfile


def _announcement() -> str:
    """The command ``make run`` runs just before it starts the processes."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dry = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()
    start = next(i for i, line in enumerate(dry) if "honcho start" in line)
    return dry[start - 1]


def _announce(**env: str) -> str:
    command = _announcement()
    clean = {k: v for k, v in os.environ.items() if k != "WEB_BIND"}
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


def test_make_run_prints_the_address_of_web_bind():
    out = _announce(WEB_BIND="127.0.0.2:9123")
    assert "Aspirasi on http://127.0.0.2:9123/" in out
    assert "8000" not in out
    assert re.search(r"Aspirasi on http://127\.0\.0\.1:8000/", _announce())
