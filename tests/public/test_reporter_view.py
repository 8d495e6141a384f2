"""The holder of the tracking code is the reporter: the tracking page and the tracking API show
them their own case in full, a confidential (rahasia) one included (what they sent: the
description, the place, their photos; the questions; the answers with the answering agency's
name and its photos), while every public page keeps a rahasia case out of view."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from casework import services
from casework.models import Attachment, Case
from tests import factories as f
from tests.factories import make_officer

from .helpers import REPORTER, matched, text_of

pytestmark = pytest.mark.django_db


def png(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (30, 120, 60)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def who(reference):
    return {
        "kim": make_officer("kim_operator", "35.08.01.2001", "usr-kim-r1"),
        "forum": make_officer("forum_officer", "35.08.01", "usr-forum-r1"),
        "pu": make_officer("opd_officer", "dputr", "usr-pu-r1"),
        "dinkes": make_officer("opd_officer", "dinkes", "usr-dinkes-r1"),
    }


def answered(who: dict, confidentiality: str = "rahasia") -> Case:
    """Sent with a photo and a place; one OPD returns it, the other answers with a photo."""
    case = f.submit(
        confidentiality=confidentiality,
        description="Tanggul sungai di belakang balai desa retak sepanjang lima meter.",
        address="Dusun Krajan RT 02",
        latitude=Decimal("-8.123456"),
        longitude=Decimal("113.223344"),
        attachments=[png("tanggul-retak.png")],
    )
    case = services.verify_case(case=case, actor=who["kim"])
    case = services.dispatch_case(case=case, actor=who["forum"], opds=["dputr", "dinkes"])
    case = services.accept_assignment(case=case, actor=who["pu"])
    case = services.decline_assignment(case=case, actor=who["dinkes"], reason="Bukan dinkes")
    return services.respond_assignment(
        case=case,
        actor=who["pu"],
        response="Tanggul sudah diperbaiki dengan bronjong.",
        attachments=[png("sesudah-perbaikan.png")],
    )


def file_links(html: str) -> list[str]:
    return re.findall(r'href="(/lacak/[^"]+/lampiran/\d+/)"', html)


@pytest.mark.parametrize("confidentiality", ["rahasia", "biasa"])
def test_the_tracking_page_shows_the_reporter_their_material_and_the_answer(who, confidentiality):
    case = answered(who, confidentiality)
    html = Client().get(f"/lacak/{case.tracking_code}/").content.decode()
    sent = text_of(matched(r'data-testid="sent">(.*?)</section>', html, re.S))
    assert case.description in sent
    assert "Dusun Krajan RT 02" in sent
    assert "tanggul-retak.png" in sent
    assert "mlat=-8.123456&amp;mlon=113.223344" in html  # the place, as a map link
    answers = text_of(matched(r'data-testid="answers">(.*?)</section>', html, re.S))
    assert "Dinas Pekerjaan Umum dan Tata Ruang" in answers
    assert "Tanggul sudah diperbaiki dengan bronjong." in answers
    assert "lampiran-" in answers  # an agency's file under a neutral name
    assert "sesudah-perbaikan.png" not in html
    # the confirmation asked for concerns the answer shown
    assert 'data-action="confirm"' in html
    # the timeline names the agencies, the one that returned it included
    timeline = matched(r'data-testid="timeline">(.*?)</ol>', html, re.S)
    declined = text_of(matched(r'<li data-action="decline">(.*?)</li>', timeline, re.S))
    assert "Dinas Kesehatan" in declined and "Bukan dinkes" not in declined
    accepted = text_of(matched(r'<li data-action="accept">(.*?)</li>', timeline, re.S))
    assert "Dinas Pekerjaan Umum dan Tata Ruang" in accepted
    assert "dputr" not in text_of(timeline) and "dinkes" not in text_of(timeline)
    assert "WIB" in text_of(timeline)
    for secret in REPORTER:
        assert secret not in html
    # every file shown opens with the code
    links = file_links(html)
    assert len(links) == 3  # the reporter's photo; the reply photo in the answer and timeline
    names = set()
    for link in set(links):
        response = Client().get(link)
        assert response.status_code == 200, link
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"].startswith("private")
        names.add(matched(r'filename="([^"]+)"', response["Content-Disposition"])[:9])
    assert names == {"tanggul-r", "lampiran-"}  # the agency's file under a neutral name


def test_the_tracking_api_shows_a_rahasia_case_in_full_to_the_code_holder(who):
    case = answered(who)
    body = Client().get(f"/api/v1/track/{case.tracking_code}/").json()
    assert body["title"] == case.title
    assert body["description"] == case.description
    assert body["address"] == "Dusun Krajan RT 02"
    assert (body["latitude"], body["longitude"]) == (-8.123456, 113.223344)
    assert [a["name"] for a in body["attachments"]] == ["tanggul-retak.png"]
    (answer,) = body["answers"]
    assert answer["name"] == "Dinas Pekerjaan Umum dan Tata Ruang"
    assert answer["response"] == "Tanggul sudah diperbaiki dengan bronjong."
    assert [a["name"][:9] for a in answer["attachments"]] == ["lampiran-"]
    assert body["allowed_actions"] == ["confirm", "dispute"]
    decline = next(e for e in body["timeline"] if e["action"] == "decline")
    assert decline["opd"] == {"code": "dinkes", "name": "Dinas Kesehatan"}
    for item in [*body["attachments"], *answer["attachments"]]:
        response = Client().get(item["url"])
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
    for secret in REPORTER:
        assert secret not in str(body)


def test_a_file_opens_only_with_the_code_of_its_case(who):
    case = answered(who)
    other = f.submit()
    mine = Attachment.objects.filter(case=case).first()
    assert mine is not None
    for url in (
        f"/lacak/{other.tracking_code}/lampiran/{mine.pk}/",  # another case's code
        f"/lacak/ZZZZZZZZZZZZ/lampiran/{mine.pk}/",  # no case's code
        f"/lacak/{case.number}/lampiran/{mine.pk}/",  # the case number is no key
        f"/lacak/{case.tracking_code}/lampiran/{mine.pk + 1000}/",  # no such file
    ):
        assert Client().get(url).status_code == 404, url


def test_public_pages_keep_a_rahasia_case_out_of_view(who):
    case = answered(who)
    ordinary = answered(who, "biasa")
    public = Client()
    for url in ("/", "/transparansi/", "/transparansi/?kecamatan=35.08.01", "/lacak/"):
        html = public.get(url).content.decode()
        assert case.number not in html, url
        assert "Tanggul sudah diperbaiki" not in html or ordinary.number in html, url
    listed = public.get("/transparansi/?kecamatan=35.08.01").content.decode()
    assert ordinary.number in listed  # the list is not vacuous
    assert Client().get(f"/lacak/{case.number}/").status_code == 404
