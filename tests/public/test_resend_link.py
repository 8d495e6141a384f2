"""A case number typed where the tracking code belongs: the page explains where the code is
and offers to send the link again to the contact on file; the answer is the same whether or
not the number and the contact match, and the requests are rate-limited."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from casework import services
from casework.errors import InvalidInput
from casework.models import Case, CaseEvent, Notification
from casework.notifications import rendering
from tests import factories as f

from .helpers import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def worker(resend_worker):
    return resend_worker


def reporter_messages(case: Case) -> list[Notification]:
    return list(Notification.objects.filter(case=case, template="tracking_link"))


def main_text(response) -> str:
    html = response.content.decode()
    return text_of(html.split('<main id="content">')[1].split("</main>")[0])


def test_a_case_number_typed_into_lacak_gets_the_explanation_and_the_form(reference):
    case = f.submit()
    for typed in (case.number, case.number.lower().replace("-", " ")):
        response = Client().get("/lacak/", {"kode": typed})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="not-found"' not in html
        assert 'data-testid="number-given"' in html
        assert "bukan kode lacak" in main_text(response)
        assert 'data-testid="resend-form"' in html
        assert f'value="{case.number}"' in html  # the number carried into the form
    # the same page for a number no case has: nothing tells whether it exists
    unknown = Client().get("/lacak/", {"kode": "LMJ-2001-99999"})
    known = Client().get("/lacak/", {"kode": case.number})
    strip = lambda r: main_text(r).replace(case.number, "N").replace("LMJ-2001-99999", "N")  # noqa: E731
    assert strip(unknown) == strip(known)
    # the case page's address with a number
    assert 'data-testid="number-given"' in Client().get(f"/lacak/{case.number}/").content.decode()


def post(number: str, contact: str, client: Client | None = None):
    return (client or Client()).post("/lacak/kirim-ulang/", {"number": number, "contact": contact})


def test_a_matching_contact_gets_exactly_one_message_with_the_link(reference):
    case = f.submit(notify_channel="whatsapp")
    response = post(case.number.lower(), "+62 812-3456-7890")
    assert response.status_code == 302 and response["Location"] == "/lacak/"
    (message,) = reporter_messages(case)
    assert message.channel == "whatsapp"
    assert "81234567890" not in message.recipient  # the number stays on the case (masked)
    _subject, body = rendering.render(message)
    assert rendering.tracking_url(case.tracking_code) in body
    assert services.format_tracking_code(case.tracking_code) in body
    event = CaseEvent.objects.get(case=case, action="resend_link")
    assert event.actor is None and event.from_status == event.to_status == case.status
    # by e-mail, to the address on file
    other = f.submit(reporter_email="Siti.Aminah@Example.org", notify_channel="email")
    post(other.number, "siti.aminah@example.org")
    (mail,) = reporter_messages(other)
    assert (mail.channel, mail.recipient) == ("email", "Siti.Aminah@Example.org")
    subject, body = rendering.render(mail)
    assert other.number in subject and rendering.tracking_url(other.tracking_code) in body


def test_a_contact_that_does_not_match_gets_the_same_answer_and_nothing(reference, settings):
    settings.ASPIRASI_RATE_RESEND = "100/h"  # every client of the test has one address
    case = f.submit()
    matching = post(case.number, "081234567890", Client())
    for number, contact in (
        (case.number, "081299999999"),  # another phone
        (case.number, "orang.lain@example.org"),  # another address
        ("LMJ-2001-99999", "081234567890"),  # no such case
    ):
        response = post(number, contact, Client())
        assert response.status_code == matching.status_code == 302
        assert response["Location"] == matching["Location"]
    assert len(reporter_messages(case)) == 1  # the matching one only
    assert CaseEvent.objects.filter(case=case, action="resend_link").count() == 1
    # what the page says after the redirect is the same message in every case
    client = Client()
    post(case.number, "081299999999", client)
    after_miss = main_text(client.get("/lacak/"))
    client = Client()
    post(case.number, "081234567890", client)
    after_match = main_text(client.get("/lacak/"))
    assert after_miss == after_match
    assert "Jika nomor laporan dan kontak sesuai" in after_match


def test_one_message_per_case_and_hour_whatever_the_client(reference):
    case = f.submit()
    for _n in range(3):
        assert post(case.number, "081234567890", Client()).status_code == 302
    assert len(reporter_messages(case)) == 1


def test_requests_are_rate_limited_per_client(reference, settings):
    settings.ASPIRASI_RATE_RESEND = "2/h"
    case = f.submit()
    client = Client()
    assert post("LMJ-2001-99999", "081234567890", client).status_code == 302
    assert post("LMJ-2001-99998", "081234567890", client).status_code == 302
    response = post(case.number, "081234567890", client)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert reporter_messages(case) == []


def test_only_the_shape_is_refused(reference):
    response = post("12345", "bukan-kontak")
    assert response.status_code == 400
    html = response.content.decode()
    assert len(re.findall(r'class="errorlist', html)) == 2
    with pytest.raises(InvalidInput):
        services.resend_tracking_link(number="LMJ-2611-00001", contact="------")
    assert not Notification.objects.filter(template="tracking_link").exists()


def test_the_api_answers_the_same_and_queues_only_on_a_match(reference, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "resend": "3/h",
        },
    }
    case = f.submit()
    url = "/api/v1/track/resend/"
    miss = Client().post(url, {"number": case.number, "contact": "081299999999"})
    hit = Client().post(url, {"number": case.number, "contact": "0812 3456 7890"})
    assert miss.status_code == hit.status_code == 202
    assert miss.json() == hit.json()
    assert len(reporter_messages(case)) == 1
    assert Client().post(url, {"number": "x", "contact": ""}).status_code == 400
    # the fourth request of this client is over the limit, the page's included
    response = Client().post(url, {"number": case.number, "contact": "081234567890"})
    assert response.status_code == 429


def test_the_request_is_answered_before_anything_is_looked_up(reference, worker):
    """Matching is a worker's: the request only checks the shape and passes it on, so a
    match and a miss cost the asker the same."""
    case = f.submit()
    post(case.number, "0812 3456 7890")
    post("LMJ-2001-99999", "081234567890")
    assert [kwargs for _name, kwargs in worker.published] == [
        {"number": case.number, "email": None, "phone": "+6281234567890"},
        {"number": "LMJ-2001-99999", "email": None, "phone": "+6281234567890"},
    ]


def test_no_more_than_three_links_a_day_for_one_case(reference):
    from datetime import timedelta

    from django.utils import timezone

    case = f.submit()
    for hours_ago in (20, 10, 5, 1):
        assert services.send_tracking_link(number=case.number, email=None, phone="+6281234567890")
        Notification.objects.filter(case=case, template="tracking_link").filter(
            created_at__gte=timezone.now() - timedelta(minutes=1)
        ).update(created_at=timezone.now() - timedelta(hours=hours_ago), key=f"old-{hours_ago}")
        if hours_ago == 5:
            break
    # three in the last 24 hours: a fourth is not sent, even in a new hour
    assert not services.send_tracking_link(number=case.number, email=None, phone="+6281234567890")
    assert len(reporter_messages(case)) == 3


def test_a_broker_that_does_not_answer_gives_the_same_answer(reference, monkeypatch):
    from casework.services import citizen

    class Down:
        def send_task(self, name: str, kwargs: dict) -> None:
            raise ConnectionError("broker down")

    monkeypatch.setattr(citizen, "current_app", Down())
    case = f.submit()
    response = post(case.number, "081234567890")
    assert response.status_code == 302 and response["Location"] == "/lacak/"
    assert reporter_messages(case) == []
