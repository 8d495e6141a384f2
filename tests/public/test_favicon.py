"""Browsers ask every site for /favicon.ico and the pages name their icon: neither costs a
404 page."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_favicon_ico_answers_with_the_static_icon():
    client = Client()
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/web/favicon.ico"
    assert "max-age=86400" in response["Cache-Control"]
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    body = icon.getvalue()
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert len(body) < 4096
    svg = client.get("/static/web/favicon.svg")
    assert svg.status_code == 200


@pytest.mark.parametrize("url", ["/", "/lacak/", "/transparansi/", "/masuk/"])
def test_pages_link_the_icon(reference, url):
    html = Client().get(url).content.decode()
    assert '<link rel="icon" href="/static/web/favicon.svg" type="image/svg+xml">' in html
