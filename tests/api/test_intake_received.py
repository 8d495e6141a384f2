"""The API's officer intake: how and when the aspiration was received, shown in the case
detail; a KIM operator's intake is verified by its recording."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework.models import Case
from tests.conftest import DESA

from .helpers import url

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "title": "Lampu jalan mati",
    "description": "Lampu PJU di depan balai desa mati sejak seminggu.",
    "category": "infrastruktur",
    "desa": DESA,
    "channel": "kim",
}


def test_an_operator_records_how_and_when_through_the_api(officers, as_officer):
    day = timezone.localdate() - datetime.timedelta(days=3)
    kim = as_officer("kim")
    response = kim.post(
        url("cases"),
        {**SUBMISSION, "received_via": "phone", "received_on": day.isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "forwarded"
    case = Case.objects.get()
    assert (case.received_via, case.received_on) == ("phone", day)
    detail = as_officer("forum").get(url("case", number=case.number)).json()
    assert detail["received_via"] == "phone"
    assert detail["received_on"] == day.isoformat()
    assert [e["action"] for e in detail["events"]] == ["submit"]


def test_a_citizen_cannot_say_how_an_officer_received_it(reference, anon):
    response = anon.post(url("cases"), {**SUBMISSION, "received_via": "phone"}, format="json")
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_day_in_the_future_is_refused(officers, as_officer):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = as_officer("kim").post(
        url("cases"), {**SUBMISSION, "received_on": tomorrow.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert not Case.objects.exists()
