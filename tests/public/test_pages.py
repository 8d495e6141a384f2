"""Every public page renders for a visitor without an account: Indonesian first, English
after the header's switch, light (one small stylesheet, no script files, nothing from
elsewhere)."""

import re

import pytest
from django.test import Client

from tests import factories as f

from .helpers import english, html_lang, matched

pytestmark = pytest.mark.django_db

PAGES = ("/", "/aspirasi/baru/", "/lacak/", "/transparansi/", "/transparansi/kecamatan/35.08.01/")


@pytest.mark.parametrize("url", PAGES)
def test_page_renders_in_indonesian_first(reference, url):
    response = Client().get(url)
    assert response.status_code == 200
    assert html_lang(response) == "id"
    html = response.content.decode()
    # light: our one stylesheet, the icons and the app manifest, our own small scripts (what
    # works without signal on every page), nothing loaded from another host
    assert re.findall(r'<link [^>]*href="([^"]+)"', html) == [
        "/static/web/favicon.svg",
        "/manifest.webmanifest",
        "/static/web/icons/apple-touch-icon.png",
        "/static/public/public.css",
    ]
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert "/static/web/offline.js" in scripts
    assert all(script.startswith("/static/web/") for script in scripts)
    assert not re.search(r'(src|href|action)="(https?:)?//', html)
    # the language switch works without JavaScript: a button per other language
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="en"' in html


@pytest.mark.parametrize("url", PAGES)
def test_page_in_english_after_switching(reference, url):
    response = english().get(url)
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert 'name="language" value="id"' in response.content.decode()


def test_home_page_links_everywhere_a_citizen_goes(reference):
    html = english().get("/").content.decode()
    for testid, href in (
        ("go-submit", "/aspirasi/baru/"),
        ("go-track", "/lacak/"),
        ("go-transparency", "/transparansi/"),
        ("go-login", "/masuk/"),
    ):
        assert re.search(rf'href="{href}" data-testid="{testid}"', html), testid
    assert "Submit an aspiration" in html
    assert "Track a report" in html
    # a quick tracking form straight on the home page
    assert 'action="/lacak/"' in html and 'name="kode"' in html


def test_submit_form_works_without_javascript(reference):
    html = Client().get("/aspirasi/baru/").content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # the desa picker: every desa under its kecamatan, in one plain <select>
    select = matched(r'<select name="desa"[^>]*>(.*?)</select>', html, re.S)
    assert select.count("<optgroup") == 21
    assert select.count("<option") == 1 + 205
    assert '<optgroup label="Tempursari">' in select
    assert '<option value="35.08.01.2001">Tegalrejo</option>' in select
    # the kecamatan filter and the location button only appear with the script
    assert re.search(r'id="kecamatan-field" hidden', html)
    assert re.search(r'id="locate" hidden', html)
    # the honeypot is out of sight, out of the tab order and out of screen readers
    assert re.search(r'<div class="hp" aria-hidden="true">', html)
    assert re.search(r'name="website" id="id_website" value="" tabindex="-1"', html)
    for value in ("biasa", "anonim", "rahasia"):
        assert f'name="confidentiality" value="{value}"' in html
    for value in ("", "email", "sms", "whatsapp"):
        assert f'name="notify_channel" value="{value}"' in html
    for name in ("title", "description", "address", "latitude", "longitude", "attachments"):
        assert f'name="{name}"' in html


def test_confidentiality_is_explained_next_to_each_choice(reference):
    html = english().get("/aspirasi/baru/").content.decode()
    block = matched(r'data-testid="confidentiality">(.*?)</fieldset>', html, re.S)
    biasa, anonim, rahasia = re.split(r'name="confidentiality"', block)[1:]
    assert "officers handling your aspiration see your name" in biasa
    assert "without your name" in biasa
    assert "KIM operators of your desa and the supervisor" in anonim
    assert "Nothing of it is public" in rahasia and "identity is protected" in rahasia


def test_categories_follow_the_language(reference):
    assert ">Infrastruktur</option>" in Client().get("/aspirasi/baru/").content.decode()
    assert ">Infrastructure</option>" in english().get("/aspirasi/baru/").content.decode()


def test_the_old_root_redirect_is_replaced_by_the_home_page(reference):
    response = Client().get("/")
    assert response.status_code == 200
    assert response.templates[0].name == "public/home.html"


def test_stylesheet_is_small():
    from pathlib import Path

    import casework

    css = Path(casework.__file__).parent / "static" / "public" / "public.css"
    assert css.stat().st_size < 10_000


def test_case_pages_are_not_cached_or_indexed(reference):
    case = f.submit()
    response = Client().get(f"/lacak/{case.tracking_code}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in response.content.decode()
