"""The CSV exports: one date format in all of them (ISO 8601 in WIB, with its +07:00 offset),
and each offered a second time with ``;`` between fields and decimal commas for spreadsheets
set to Indonesian (``?sep=semicolon``, the link "CSV (Excel Indonesia)")."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import cast

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from tests import factories as f
from tests.web.test_review import escalate

pytestmark = pytest.mark.django_db

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$")
DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2} \w{3} \d{4}|\d{1,2}/\d{1,2}/\d{2,4}")

EXPORTS = {
    "forum": [
        "/petugas/laporan/?format=csv",
        "/petugas/tugas/?tab=queue&format=csv",
    ],
    "supervisor": [
        "/petugas/pengawasan/?format=csv",
        "/petugas/pengawasan/?tab=overdue&format=csv",
        "/petugas/dasbor/?export=status",
        "/petugas/dasbor/?export=overdue",
        "/petugas/dasbor/?export=opd",
        "/petugas/dasbor/?export=kecamatan",
        "/petugas/dasbor/?export=stages",
    ],
}


def body(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(cast(Iterable[bytes], response.streaming_content)).decode("utf-8-sig")


@pytest.fixture
def clients(officers):
    f.forwarded(officers, reporter_email="")
    f.forwarded(officers, reporter_email="")
    f.responded(officers)
    f.drive(officers, "closed")
    escalate()
    made = {}
    for who in EXPORTS:
        made[who] = Client()
        made[who].force_login(officers[who])
    return made


def test_every_export_writes_dates_one_way(clients):
    seen = 0
    for who, urls in EXPORTS.items():
        for url in urls:
            rows = list(csv.reader(io.StringIO(body(clients[who].get(url)))))
            for row in rows[1:]:
                for value in row:
                    if DATE_LIKE.search(value) and not re.fullmatch(r"\d{4}-\d{2}", value):
                        assert ISO.match(value), (url, value)
                        seen += 1
    assert seen > 10


def test_semicolon_exports_read_the_same(clients):
    for who, urls in EXPORTS.items():
        for url in urls:
            comma = list(csv.reader(io.StringIO(body(clients[who].get(url)))))
            text = body(clients[who].get(url + "&sep=semicolon"))
            semicolon = list(csv.reader(io.StringIO(text), delimiter=";"))
            assert len(semicolon) == len(comma) and semicolon[0] == comma[0], url
            for mine, theirs in zip(semicolon, comma, strict=True):
                # the same cells; decimals written with a comma
                assert mine == [re.sub(r"^(-?\d+)\.(\d+)$", r"\1,\2", v) for v in theirs], url


def test_semicolon_exports_write_decimal_commas(clients):
    text = body(clients["supervisor"].get("/petugas/dasbor/?export=stages&sep=semicolon"))
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    medians = [row[3] for row in rows[1:] if row[3]]
    assert medians and all(re.fullmatch(r"\d+,\d+", m) for m in medians), medians


def test_pages_offer_both_files(clients):
    pages = {
        "forum": ["/petugas/laporan/", "/petugas/tugas/?tab=queue"],
        "supervisor": [
            "/petugas/pengawasan/",
            "/petugas/pengawasan/?tab=overdue",
            "/petugas/dasbor/",
        ],
    }
    for who, urls in pages.items():
        for url in urls:
            html = clients[who].get(url, HTTP_ACCEPT_LANGUAGE="id").content.decode()
            plain = len(re.findall(r'href="[^"]*(?:format=csv|export=\w+)"', html))
            excel = re.findall(r'href="([^"]*sep=semicolon)"[^>]*>([^<]*)<', html)
            assert plain and len(excel) == plain, url
            assert all("CSV (Excel Indonesia)" in label for _href, label in excel), url
