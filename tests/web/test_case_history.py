"""The officers' case history names the agencies (OPD) by name, never by code."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from casework import services
from tests import factories as f

from ..public.helpers import text_of

pytestmark = pytest.mark.django_db


def test_the_history_names_the_agencies(officers):
    case = f.dispatched(officers, opds=("dputr", "dinkes"))
    case = services.decline_assignment(
        case=case, actor=officers["dinkes"], reason="Bukan kewenangan", suggested_opd="dinsos"
    )
    case = services.accept_assignment(case=case, actor=officers["pu"])
    client = Client()
    client.force_login(officers["supervisor"])
    html = client.get(f"/petugas/laporan/{case.number}/").content.decode()
    timeline = re.search(r'data-testid="timeline">(.*?)</ol>', html, re.S)
    assert timeline
    items = dict(re.findall(r'<li data-action="([a-z_]+)">(.*?)</li>', timeline.group(1), re.S))
    dispatched = text_of(items["dispatch"])
    assert "Dinas Pekerjaan Umum dan Tata Ruang, Dinas Kesehatan" in dispatched
    declined = text_of(items["decline"])
    assert "Dinas Kesehatan" in declined and "Dinas Sosial" in declined
    assert "Dinas Pekerjaan Umum dan Tata Ruang" in text_of(items["accept"])
    details = re.findall(r"<dd[^>]*>(.*?)</dd>", timeline.group(1), re.S)
    for code in ("dputr", "dinkes", "dinsos"):
        assert not any(re.search(rf"\b{code}\b", text_of(d)) for d in details), code
