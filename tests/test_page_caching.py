"""Pages on a weak link: only the reader's browser keeps a page, asks before using it again,
and gets 304 Not Modified while it did not change, although its CSRF token is masked afresh
each time; pages and JSON travel gzipped, files as they are."""

import gzip
import re

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from config.middleware import CompressText, page_etag

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def signed_in(officer) -> Client:
    client = Client()
    client.force_login(officer)
    return client


def test_an_officer_page_is_private_and_asks_before_use(officers):
    response = signed_in(officers["forum"]).get("/petugas/tugas/")
    assert response.status_code == 200
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= control
    assert "public" not in control
    assert response["ETag"]


def test_an_unchanged_officer_page_answers_304_although_its_token_is_masked_anew(officers):
    client = signed_in(officers["forum"])
    first = client.get("/petugas/tugas/")
    second = client.get("/petugas/tugas/")
    tokens = TOKEN.findall(first.content.decode()), TOKEN.findall(second.content.decode())
    assert tokens[0] and tokens[1] and tokens[0] != tokens[1]  # a fresh mask per render
    assert first["ETag"] == second["ETag"]
    again = client.get("/petugas/tugas/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_the_etag_follows_the_csrf_secret_and_the_content():
    secret, other = "a" * 32, "b" * 32
    from django.middleware.csrf import _mask_cipher_secret  # type: ignore[attr-defined]

    page = '<form><input name="csrfmiddlewaretoken" value="{}"></form>'
    one = page.format(_mask_cipher_secret(secret)).encode()
    two = page.format(_mask_cipher_secret(secret)).encode()
    assert one != two
    assert page_etag(one, secret) == page_etag(two, secret)
    # after a new secret (signing in again) the page held would send a token refused
    assert page_etag(one, secret) != page_etag(
        page.format(_mask_cipher_secret(other)).encode(), other
    )
    assert page_etag(one, secret) != page_etag(one.replace(b"<form>", b"<form >"), secret)


def test_another_officer_never_gets_304_for_a_page_held_by_someone_else(officers):
    held = signed_in(officers["forum"]).get("/petugas/tugas/")
    response = signed_in(officers["forum2"]).get(
        "/petugas/tugas/", headers={"if-none-match": held["ETag"]}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/", "/transparansi/"])
def test_public_pages_with_a_form_token_are_not_kept_by_shared_caches(reference, url):
    response = Client().get(url)
    assert response.status_code == 200
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= control
    assert "public" not in control


def test_pages_that_must_not_be_kept_stay_so(reference):
    response = Client().get("/lacak/")
    assert "no-store" in response["Cache-Control"]
    assert not response.has_header("ETag")


def test_pages_travel_gzipped(officers):
    response = signed_in(officers["forum"]).get(
        "/petugas/tugas/", headers={"accept-encoding": "gzip, deflate, br"}
    )
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"</html>" in gzip.decompress(response.content)


def test_files_other_than_text_are_not_gzipped_again():
    request = RequestFactory().get("/", headers={"accept-encoding": "gzip"})
    photo = HttpResponse(b"\xff\xd8" + b"\x00" * 5000, content_type="image/jpeg")
    middleware = CompressText(lambda request: photo)
    assert not middleware.process_response(request, photo).has_header("Content-Encoding")
    page = HttpResponse(b"<p>" + b"a" * 5000, content_type="text/html; charset=utf-8")
    assert middleware.process_response(request, page)["Content-Encoding"] == "gzip"
