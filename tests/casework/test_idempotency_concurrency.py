"""Races on PostgreSQL: requests with one idempotency key at the same moment make one case."""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from casework import idempotency
from casework.models import Case, IdempotencyKey
from tests.conftest import DESA, ensure_reference

from .test_concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks: PostgreSQL"),
]

SUBMISSION = {
    "title": "Lampu jalan mati",
    "description": "Lampu PJU di depan balai desa mati sejak seminggu.",
    "category": "infrastruktur",
    "desa": DESA,
}
KEY = "0f6f4f3e-0a4e-4d8b-9c55-5d2f7c3e9a10"


def post():
    return APIClient().post(
        "/api/v1/cases/", SUBMISSION, format="json", headers={"Idempotency-Key": KEY}
    )


def test_several_requests_with_one_key_make_one_case():
    ensure_reference()
    results = race(4, lambda i: post())
    answers = [result for kind, result in results if kind == "ok"]
    assert len(answers) == 4, results
    assert Case.objects.count() == 1
    case = Case.objects.get()
    created = [r for r in answers if r.status_code == 201]
    assert created, [r.content for r in answers]
    assert all(r.json()["number"] == case.number for r in created)
    refused = [r for r in answers if r.status_code != 201]
    assert all(
        r.status_code == 409 and r.json()["code"] == "idempotency_key_in_flight" for r in refused
    ), [r.content for r in refused]
    assert IdempotencyKey.objects.count() == 1


def test_a_request_while_the_first_is_in_flight_is_refused_then_answered(monkeypatch):
    ensure_reference()
    inside, go_on = threading.Event(), threading.Event()
    record = idempotency.Claim.record

    def held_record(self, case, rows):
        inside.set()
        assert go_on.wait(timeout=30)
        return record(self, case, rows)

    monkeypatch.setattr(idempotency.Claim, "record", held_record)
    first: list = []

    def run():
        try:
            first.append(post())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert inside.wait(timeout=30)
        during = post()
        assert during.status_code == 409, during.content
        assert during.json()["code"] == "idempotency_key_in_flight"
        assert during.json()["detail"]
    finally:
        go_on.set()
        thread.join(timeout=30)
    assert first[0].status_code == 201, first[0].content
    after = post()
    assert after.status_code == 201
    assert after.json() == first[0].json()
    assert Case.objects.count() == 1
