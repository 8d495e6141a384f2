"""The installable app: the manifest, the service worker served at the root with what it needs
from the server, and the pages that carry them (the browser's side is tested in
tests/e2e/test_offline.py)."""

import io
import json
import re

import pytest
from django.test import Client
from PIL import Image

from config import pwa

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_for_the_whole_site():
    client = Client()
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    first, rest = body.split("\n", 1)
    declared = re.fullmatch(r"self\.ASPIRASI = (.*);", first)
    assert declared is not None
    config = json.loads(declared.group(1))
    assert rest.startswith("/* The service worker of Aspirasi")
    assert config["officer"] == ["/petugas/catat/"]
    assert config["forms"] == ["/", "/aspirasi/baru/"]
    assert config["login"] == "/masuk/"
    assert config["static"] == "/static/"
    # every file it imports or keeps is there, Workbox from the vendored copy
    assert all("/vendor/workbox-7.4.1/" in url for url in config["imports"])
    for url in config["imports"] + config["files"] + config["officer_files"]:
        assert client.get(url).status_code == 200, url
    # a citizen's first visit keeps no file only the officers' pages use
    officers_only = {"/static/web/app.css", "/static/vendor/htmx-2.0.8.min.js"}
    assert officers_only.isdisjoint(config["files"])
    assert officers_only == set(config["officer_files"])

    again = client.get("/sw.js", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_worker_changes_with_the_files_it_keeps(monkeypatch):
    client = Client()
    before = client.get("/sw.js")["ETag"]
    monkeypatch.setattr(pwa, "KEPT_FILES", (*pwa.KEPT_FILES[:-1], "web/favicon.ico"))
    assert client.get("/sw.js")["ETag"] != before


def test_the_manifest_names_the_app_in_indonesian():
    client = Client()
    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert (manifest["name"], manifest["lang"], manifest["display"]) == (
        "Aspirasi",
        "id",
        "standalone",
    )
    assert manifest["start_url"] == "/"
    assert manifest["theme_color"] == "#0b5c8e"
    assert manifest["description"].startswith("Aspirasi warga")
    assert [s["name"] for s in manifest["shortcuts"]] == [
        "Sampaikan aspirasi",
        "Catat aspirasi",
        "Lacak",
    ]
    for icon in manifest["icons"]:
        file = client.get(icon["src"])
        assert file.status_code == 200, icon["src"]
        with Image.open(io.BytesIO(file.getvalue())) as image:
            assert "{}x{}".format(*image.size) == icon["sizes"]
    assert {icon.get("purpose", "any") for icon in manifest["icons"]} == {"any", "maskable"}


@pytest.mark.parametrize("url", ["/", "/aspirasi/baru/", "/lacak/", "/masuk/"])
def test_pages_link_the_manifest_and_the_offline_script(reference, url):
    html = Client().get(url).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<script src="/static/web/offline.js" defer></script>' in html
    assert 'data-sw="/sw.js"' in html


def test_the_forms_say_how_many_wait_in_the_readers_language(reference, officers):
    public = Client().get("/aspirasi/baru/").content.decode()
    assert 'data-offline-form="public"' in public
    assert 'data-testid="offline-status" role="status"' in public
    assert "data-officer" not in public  # the public pages know no officer
    assert 'data-waiting-one="Menunggu sinyal: {n} aspirasi tersimpan di perangkat ini.' in public
    english = Client(headers={"Accept-Language": "en"})
    english.cookies["django_language"] = "en"
    html = english.get("/aspirasi/baru/").content.decode()
    assert 'data-waiting-one="Waiting for signal: {n} aspiration kept' in html
    assert 'data-waiting-other="Waiting for signal: {n} aspirations kept' in html

    operator = Client()
    operator.force_login(officers["kim"])
    intake = operator.get("/petugas/catat/").content.decode()
    assert 'data-offline-form="intake"' in intake
    assert f'data-officer="{officers["kim"].pk}"' in intake
    assert "data-offline-signout" in intake
    assert 'data-officer="none"' in Client().get("/masuk/").content.decode()
