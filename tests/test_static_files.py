"""Static files as ``make run`` and deployments serve them: collectstatic writes hashed names
with gzip and Brotli copies, the pages name the hashed files, and whitenoise serves those with
a cache lifetime of years (``immutable``), compressed for a client that accepts it.

The rest of the suite serves static files straight from the apps under their own names (no
collectstatic: ``config.settings.test``); these tests collect them once, as ``make run`` does,
and then serve the collected files with the storage of ``config.settings.base``.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from config.settings import base

ROOT = Path(__file__).resolve().parent.parent
YEAR = 365 * 24 * 60 * 60
HASHED = r"[0-9a-f]{12}"
ASSETS = [
    "web/app.css",
    "public/public.css",
    "vendor/htmx-2.0.8.min.js",
    "web/favicon.svg",
    "web/favicon.ico",
    "web/icons/icon-192.png",
    "web/icons/icon-512.png",
    "web/icons/icon-maskable-512.png",
    "web/icons/apple-touch-icon.png",
]


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    """collectstatic as ``make run`` runs it (development settings, DEBUG off), into a folder
    of its own; the collected folder."""
    var = tmp_path_factory.mktemp("var")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DEBUG"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "0",
            "ASPIRASI_VAR_DIR": str(var),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return var / "static"


@pytest.fixture
def served(settings, collected):
    """The collected files, served as without DEBUG after collectstatic (no finders)."""
    settings.STATIC_ROOT = collected
    settings.STORAGES = base.STORAGES
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    return collected


def max_age(response) -> int:
    found = re.search(r"max-age=(\d+)", response["Cache-Control"])
    assert found, response["Cache-Control"]
    return int(found.group(1))


def manifest(collected: Path) -> dict[str, str]:
    return json.loads((collected / "staticfiles.json").read_text())["paths"]


def test_collectstatic_writes_hashed_names_with_gzip_and_brotli_copies(collected):
    paths = manifest(collected)
    for name in ASSETS:
        stem, _, ext = name.rpartition(".")
        assert re.fullmatch(rf"{re.escape(stem)}\.{HASHED}\.{ext}", paths[name]), name
        assert (collected / paths[name]).is_file()
    for name in ["web/app.css", "public/public.css", "vendor/htmx-2.0.8.min.js"]:
        hashed = collected / paths[name]
        brotli = Path(f"{hashed}.br")
        gzip = Path(f"{hashed}.gz")
        assert brotli.is_file() and gzip.is_file(), name
        assert brotli.stat().st_size < hashed.stat().st_size / 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "assets"),
    [
        ("/", ["public/public.css", "web/favicon.svg", "web/icons/apple-touch-icon.png"]),
        (
            "/masuk/",
            [
                "web/app.css",
                "vendor/htmx-2.0.8.min.js",
                "web/favicon.svg",
                "web/icons/apple-touch-icon.png",
            ],
        ),
    ],
)
def test_pages_name_the_hashed_files(served, reference, url, assets):
    html = Client().get(url).content.decode()
    paths = manifest(served)
    for name in assets:
        assert f'"/static/{paths[name]}"' in html, name
        assert f'"/static/{name}"' not in html, name


def test_a_hashed_file_is_cached_for_good(served):
    hashed = "/static/" + manifest(served)["vendor/htmx-2.0.8.min.js"]
    response = Client().get(hashed)
    assert response.status_code == 200
    control = response["Cache-Control"]
    assert "immutable" in control and "public" in control
    assert max_age(response) >= YEAR


def test_a_name_without_its_hash_is_revalidated_soon(served):
    response = Client().get("/static/vendor/htmx-2.0.8.min.js")
    assert response.status_code == 200
    control = response["Cache-Control"]
    assert "immutable" not in control
    assert max_age(response) <= 300


@pytest.mark.parametrize(("accepts", "encoding"), [("gzip, deflate, br", "br"), ("gzip", "gzip")])
def test_htmx_travels_compressed(served, accepts, encoding):
    hashed = "/static/" + manifest(served)["vendor/htmx-2.0.8.min.js"]
    response = Client().get(hashed, headers={"accept-encoding": accepts})
    assert response.status_code == 200
    assert response["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response["Vary"]
    assert int(response["Content-Length"]) < 25_000  # 51 KB as it is


def test_htmx_travels_plain_to_a_client_without_compression(served):
    hashed = "/static/" + manifest(served)["vendor/htmx-2.0.8.min.js"]
    response = Client().get(hashed)
    assert not response.has_header("Content-Encoding")
    assert int(response["Content-Length"]) > 50_000


@pytest.mark.django_db
def test_favicon_ico_points_to_the_hashed_icon(served):
    response = Client().get("/favicon.ico")
    assert response.status_code == 302
    location = response["Location"]
    assert location == "/static/" + manifest(served)["web/favicon.ico"]
    icon = Client().get(location)
    assert icon.status_code == 200
    assert "immutable" in icon["Cache-Control"]
