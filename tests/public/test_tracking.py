"""The tracking page: the code is the key; the page shows the public view of the case
(disclosure's rules), who holds it by unit, and the citizen's actions; it never names the
reporter or an officer."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import services
from casework.models import Case, CaseTask, Stage
from tests import factories as f
from tests.factories import make_officer

from .helpers import REPORTER, english, matched, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(reference):
    """Officers whose usernames and names appear in no other text, to search the page."""
    people = {
        "kim": make_officer("kim_operator", "35.08.01.2001", "usr-kim-7q"),
        "forum": make_officer("forum_officer", "35.08.01", "usr-forum-7q"),
        "pu": make_officer("opd_officer", "dputr", "usr-pu-7q"),
        "dinkes": make_officer("opd_officer", "dinkes", "usr-dinkes-7q"),
    }
    for n, user in enumerate(people.values()):
        user.first_name, user.last_name = f"Petugas{n}", "Rahasiawan"
        user.save(update_fields=["first_name", "last_name"])
    return people


def page(case: Case, client: Client | None = None):
    return (client or Client()).get(f"/lacak/{case.tracking_code}/")


def a_full_story(who: dict, confidentiality: str) -> Case:
    """Information requested and supplied, two OPD, a decline, a dispute, answered again."""
    case = f.submit(confidentiality=confidentiality)
    case = services.verify_case(case=case, actor=who["kim"])
    case = services.request_info(case=case, actor=who["forum"], question="Di RT berapa?")
    case = services.provide_info(case=case, text="RT 03, rumah Siti Aminah 081234567890")
    case = services.dispatch_case(
        case=case, actor=who["forum"], opds=["dputr", "dinkes"], note="catatan internal"
    )
    case = services.accept_assignment(case=case, actor=who["pu"])
    case = services.decline_assignment(
        case=case, actor=who["dinkes"], reason="Internal: bukan dinkes"
    )
    case = services.respond_assignment(case=case, actor=who["pu"], response="Sudah ditambal.")
    case = services.dispute_case(case=case, reason="Siti Aminah: belum rapi")
    return services.respond_assignment(case=case, actor=who["pu"], response="Sudah dicor ulang.")


@pytest.mark.parametrize("confidentiality", ["biasa", "anonim", "rahasia"])
def test_the_page_never_names_the_reporter_or_an_officer(who, confidentiality):
    case = a_full_story(who, confidentiality)
    for response in (page(case), english().get(f"/lacak/{case.tracking_code}/")):
        assert response.status_code == 200
        html = response.content.decode()
        for secret in (*REPORTER, "3508****"):
            assert secret not in html
        for officer in who.values():
            assert officer.username not in html
            assert officer.first_name not in html
        assert "Rahasiawan" not in html
        assert "Internal: bukan dinkes" not in html  # decline reasons are internal
        assert "catatan internal" not in html  # so are dispatch notes
        assert re.search(
            r'data-testid="status">(Menunggu konfirmasi warga|Waiting for the citizen)', html
        )
        # the holder of the code is the reporter: their case in full, a rahasia one included
        assert case.title in html
        assert "Sudah dicor ulang." in html
        assert "Dinas Pekerjaan Umum dan Tata Ruang" in html  # the answering OPD, by name
        assert "Di RT berapa?" in html  # the question is in the timeline
        assert "Tegalrejo" in html and "Tempursari" in html
        assert ('data-testid="rahasia"' in html) == (confidentiality == "rahasia")


def test_rahasia_shows_the_reporter_their_case_and_the_answer_they_confirm(who):
    case = a_full_story(who, "rahasia")
    html = page(case).content.decode()
    answers = text_of(matched(r'data-testid="answers">(.*?)</section>', html, re.S))
    assert "Dinas Pekerjaan Umum dan Tata Ruang" in answers and "Sudah dicor ulang." in answers
    assert case.description in html
    assert 'data-testid="timeline"' in html and 'data-testid="holders"' in html
    # the code holder confirms or disputes the answer shown above the forms
    assert html.index('data-testid="answers"') < html.index('data-action="confirm"')
    assert 'data-action="confirm"' in html and 'data-action="dispute"' in html
    response = Client().post(
        f"/lacak/{case.tracking_code}/aksi/confirm/", {"rating": "4", "comment": "Terima kasih"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.rating == 4


def test_unknown_and_malformed_codes_get_the_same_answer(who):
    case = f.submit()
    wrong = ("0" if case.tracking_code[0] != "0" else "1") + case.tracking_code[1:]
    bodies = set()
    for url in (
        f"/lacak/{wrong}/",
        "/lacak/abc/",
        f"/lacak/?kode={wrong}",
        "/lacak/?kode=%3Cscript%3E",
    ):
        response = Client().get(url)
        assert response.status_code == 404, url
        html = response.content.decode()
        assert 'data-testid="not-found"' in html
        assert case.number not in text_of(html)
        bodies.add(matched(r'data-testid="not-found">([^<]+)<', html))
    assert len(bodies) == 1  # no hint of what was wrong


def test_codes_with_dashes_and_lower_case_work(who):
    case = f.submit()
    code = case.tracking_code
    for typed in (
        f"{code[:4]}-{code[4:8]}-{code[8:]}".lower(),
        f" {code[:4]} {code[4:8]} {code[8:]} ",
        code.lower(),
    ):
        response = Client().get("/lacak/", {"kode": typed})
        assert response.status_code == 200, typed
        assert case.number in response.content.decode()
    dashed = f"{code[:4]}-{code[4:8]}-{code[8:]}".lower()
    assert Client().get(f"/lacak/{dashed}/").status_code == 200


def test_the_tracking_form_alone(reference):
    response = Client().get("/lacak/")
    assert response.status_code == 200
    assert 'data-testid="not-found"' not in response.content.decode()
    assert Client().get("/lacak/", {"kode": ""}).status_code == 400


def test_who_holds_the_case_is_a_unit_with_its_deadline(who):
    case = f.submit()
    html = page(case).content.decode()
    holders = matched(r'data-testid="holders">(.*?)</section>', html, re.S)
    assert "KIM Desa Tegalrejo" in holders
    due = CaseTask.objects.get(case=case, stage=Stage.VERIFICATION).due_at
    assert f'datetime="{timezone.localtime(due).isoformat()}"' in holders

    case = services.verify_case(case=case, actor=who["kim"])
    case = services.dispatch_case(case=case, actor=who["forum"], opds=["dputr", "dinkes"])
    holders = matched(r'data-testid="holders">(.*?)</section>', page(case).content.decode(), re.S)
    assert "Dinas Pekerjaan Umum dan Tata Ruang" in holders and "Dinas Kesehatan" in holders
    assert "Forum KIM" not in holders


def test_supplying_the_requested_information(who):
    case = services.verify_case(case=f.submit(), actor=who["kim"])
    case = services.request_info(case=case, actor=who["forum"], question="Di RT berapa?")
    client = english()
    html = page(case, client).content.decode()
    assert 'data-testid="question">Di RT berapa?<' in html
    assert 'data-action="provide_info"' in html
    assert "waits until your information arrives" in html
    assert 'data-action="confirm"' not in html

    url = f"/lacak/{case.tracking_code}/aksi/provide_info/"
    response = client.post(url, {"text": ""})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == "needs_info"

    response = client.post(url, {"text": "RT 03 RW 01"}, follow=True)
    assert response.redirect_chain == [(f"/lacak/{case.tracking_code}/", 302)]
    assert "your information was sent" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "in_triage"
    assert case.events.filter(action="provide_info", actor__isnull=True).exists()


def test_confirming_the_answer_with_a_rating(who):
    case = f.responded({**who, "pu": who["pu"]})
    client = Client()
    html = page(case, client).content.decode()
    assert 'data-action="confirm"' in html and 'data-action="dispute"' in html
    url = f"/lacak/{case.tracking_code}/aksi/confirm/"
    assert client.post(url, {"comment": "tanpa nilai"}).status_code == 400
    assert client.post(url, {"rating": "9"}).status_code == 400
    response = client.post(url, {"rating": "5", "comment": "Cepat sekali"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.rating, case.rating_comment) == ("closed", 5, "Cepat sekali")
    html = page(case, client).content.decode()
    assert 'data-testid="actions"' not in html
    assert 'class="success"' in html


def test_disputing_the_answer(who):
    case = f.responded(who)
    client = Client()
    url = f"/lacak/{case.tracking_code}/aksi/dispute/"
    assert client.post(url, {"reason": " "}).status_code == 400
    assert client.post(url, {"reason": "Lubangnya masih ada"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_a_refused_action_is_shown_as_a_message(who):
    case = f.submit()  # received: nothing to confirm yet
    client = Client()
    response = client.post(
        f"/lacak/{case.tracking_code}/aksi/confirm/", {"rating": "3"}, follow=True
    )
    assert response.status_code == 200
    assert re.search(r'<li class="error">[^<]+</li>', response.content.decode())
    case.refresh_from_db()
    assert case.status == "received"


def test_an_invalid_form_for_a_case_that_moved_on(who):
    case = f.submit()
    response = english().post(f"/lacak/{case.tracking_code}/aksi/dispute/", {"reason": ""})
    assert response.status_code == 400
    assert "the case has moved on" in response.content.decode()


def test_the_forum_answer_cannot_be_disputed_so_only_confirm_is_offered(who):
    case = services.verify_case(case=f.submit(), actor=who["kim"])
    case = services.claim_task(case=case, actor=who["forum"])
    case = services.resolve_case(case=case, actor=who["forum"], response="Jadwal posyandu: Senin.")
    html = page(case).content.decode()
    assert 'data-action="confirm"' in html
    assert 'data-action="dispute"' not in html
    assert "Forum KIM Kecamatan Tempursari" in html


def test_actions_need_the_code_and_a_known_action(who):
    case = f.responded(who)
    assert Client().post("/lacak/ABCDEFGHJKMN/aksi/confirm/", {"rating": "5"}).status_code == 404
    assert (
        Client().post(f"/lacak/{case.tracking_code}/aksi/close/", {"rating": "5"}).status_code
        == 404
    )
    assert Client().get(f"/lacak/{case.tracking_code}/aksi/confirm/").status_code == 405
    csrf = Client(enforce_csrf_checks=True)
    assert (
        csrf.post(f"/lacak/{case.tracking_code}/aksi/confirm/", {"rating": "5"}).status_code == 403
    )
    case.refresh_from_db()
    assert case.status == "responded"


def test_lookups_are_rate_limited_failed_ones_included(reference, settings):
    settings.ASPIRASI_RATE_TRACK = "3/m"
    case = f.submit()
    client = Client()
    assert client.get("/lacak/", {"kode": "ZZZZZZZZZZZZ"}).status_code == 404
    assert client.get("/lacak/ZZZZZZZZZZZY/").status_code == 404
    assert client.get(f"/lacak/{case.tracking_code}/").status_code == 200
    response = client.get(f"/lacak/{case.tracking_code}/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert case.number not in response.content.decode()


def test_citizen_actions_are_rate_limited(who, settings):
    settings.ASPIRASI_RATE_SUBMIT = "2/m"
    case = f.responded(who)
    client = Client()
    url = f"/lacak/{case.tracking_code}/aksi/confirm/"
    assert client.post(url, {"rating": "x"}).status_code == 400
    assert client.post(url, {"rating": "y"}).status_code == 400
    assert client.post(url, {"rating": "5"}).status_code == 429
    case.refresh_from_db()
    assert case.status == "responded"


def test_the_deadline_is_hidden_while_waiting_for_information(who):
    case = services.verify_case(case=f.submit(), actor=who["kim"])
    case = services.request_info(case=case, actor=who["forum"], question="Foto?")
    CaseTask.objects.filter(case=case, stage=Stage.TRIAGE).update(
        due_at=timezone.now() + timedelta(days=3)
    )
    holders = matched(r'data-testid="holders">(.*?)</section>', page(case).content.decode(), re.S)
    assert "Forum KIM Kecamatan Tempursari" in holders
    assert "<time" not in holders


def test_the_tracking_page_has_a_constant_number_of_queries(who):
    short = f.submit()
    long = a_full_story(who, "biasa")
    page(short)  # reference data loaded once per process
    counts = []
    for case in (short, long):
        with CaptureQueriesContext(connection) as queries:
            assert page(case).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 4, counts  # the case, its events, its files, its open tasks
