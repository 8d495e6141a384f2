"""One case driven over HTTP from an anonymous submission to its closing by the citizen."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import DESA
from tests.factories import PASSWORD

from .helpers import action_url, track_url, url

pytestmark = pytest.mark.django_db


def login(username: str) -> APIClient:
    token = APIClient().post(url("token"), {"username": username, "password": PASSWORD})
    assert token.status_code == 200
    return APIClient(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")


def test_submit_to_closed_over_http(officers):
    citizen = APIClient()
    kim, forum, pu, dinkes = (login(name) for name in ("kim", "forum", "pu", "dinkes"))

    submitted = citizen.post(
        url("cases"),
        {
            "title": "Jembatan bambu rusak",
            "description": "Jembatan penghubung dusun rusak, anak sekolah memutar jauh.",
            "category": "infrastruktur",
            "desa": DESA,
            "channel": "web",
            "reporter_name": "Ahmad",
            "reporter_phone": "081300000000",
            "contact_consent": True,
        },
        format="json",
    )
    assert submitted.status_code == 201
    number = submitted.json()["number"]
    code = submitted.json()["tracking_code"]
    assert submitted.json()["status"] == "received"

    def act(client: APIClient, action: str, body: dict | None = None) -> dict:
        response = client.post(action_url(number, action), body or {}, format="json")
        assert response.status_code == 200, response.content
        return response.json()

    assert kim.get(url("tasks"), {"scope": "queue"}).json()["count"] == 1
    assert act(kim, "verify")["status"] == "forwarded"
    assert [
        t["case"]["number"] for t in forum.get(url("tasks"), {"scope": "queue"}).json()["results"]
    ] == [number]

    detail = act(forum, "dispatch", {"opds": ["dputr", "dinkes"], "priority": "tinggi"})
    assert detail["status"] == "dispatched"
    assert {t["unit"]["code"] for t in detail["tasks"]} == {"dputr", "dinkes"}

    assert act(pu, "accept")["status"] == "in_progress"
    assert act(pu, "respond", {"response": "Jembatan diganti beton."})["status"] == "in_progress"
    detail = act(dinkes, "decline", {"reason": "Bukan wewenang Dinkes", "suggested_opd": "dputr"})
    assert detail["status"] == "responded"
    assert {a["opd"]: a["status"] for a in detail["assignments"]} == {
        "dputr": "responded",
        "dinkes": "declined",
    }

    tracked = citizen.get(track_url(code)).json()
    assert tracked["status"] == "responded"
    assert [a["response"] for a in tracked["answers"]] == ["Jembatan diganti beton."]
    assert tracked["allowed_actions"] == ["confirm", "dispute"]

    confirmed = citizen.post(track_url(code, "confirm"), {"rating": 5, "comment": "Terima kasih"})
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "closed"

    final = login("supervisor").get(url("case", number=number)).json()
    assert final["status"] == "closed"
    assert final["rating"] == 5
    assert final["tasks"] == []
    assert final["allowed_actions"] == []
    assert [
        (e["action"], e["actor"], e["from_status"], e["to_status"]) for e in final["events"]
    ] == [
        ("submit", None, "", "received"),
        ("claim", "kim", "received", "received"),
        ("verify", "kim", "received", "forwarded"),
        ("claim", "forum", "forwarded", "in_triage"),
        ("dispatch", "forum", "in_triage", "dispatched"),
        ("claim", "pu", "dispatched", "dispatched"),
        ("accept", "pu", "dispatched", "in_progress"),
        ("respond", "pu", "in_progress", "in_progress"),
        ("claim", "dinkes", "in_progress", "in_progress"),
        ("decline", "dinkes", "in_progress", "responded"),
        ("confirm", None, "responded", "closed"),
    ]
