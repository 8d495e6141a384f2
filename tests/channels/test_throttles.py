"""The public API's limits per client: submissions, lookups by tracking code and the
citizen's actions answer 429 with Retry-After beyond them, and never fail for the limiter."""

from unittest import mock

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from casework.api import throttles
from casework.models import Case
from casework.ratelimit import retry_after
from tests import factories as f
from tests.api.helpers import assert_error, track_url

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "title": "Lampu jalan mati",
    "description": "Sejak seminggu.",
    "category": "infrastruktur",
    "desa": "35.08.01.2001",
    "channel": "api",
}


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **rates,
            },
        }

    return set_rates


def submit(client, **extra):
    return client.post("/api/v1/cases/", SUBMISSION, format="json", **extra)


def test_submissions_are_limited_per_client(reference, rates):
    rates(submit="2/m")
    client = APIClient()
    assert submit(client).status_code == 201
    assert client.post("/api/v1/cases/", {}, format="json").status_code == 400  # counts too
    response = submit(client)
    body = assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert body["detail"]
    assert Case.objects.count() == 1
    other = APIClient(REMOTE_ADDR="10.0.0.9")
    assert submit(other).status_code == 201


def test_the_officers_list_is_not_limited(officers, rates):
    rates(submit="1/m")
    forum = APIClient()
    forum.force_authenticate(officers["forum"])
    for _ in range(3):
        assert forum.get("/api/v1/cases/").status_code == 200
    assert submit(APIClient()).status_code == 201


def test_lookups_by_tracking_code_are_limited_wrong_codes_included(reference, rates):
    rates(track="3/m")
    case = f.submit()
    client = APIClient()
    assert client.get(track_url("ABCDEFGHJKMN")).status_code == 404
    assert client.get(track_url("ABCDEFGHJKMP")).status_code == 404
    assert client.get(track_url(case.tracking_code)).status_code == 200
    response = client.get(track_url(case.tracking_code))
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) >= 1


def test_citizen_actions_are_limited(reference, rates):
    rates(track_action="2/h")
    case = f.submit()
    client = APIClient()
    url = track_url(case.tracking_code, "confirm")
    for _ in range(2):
        assert client.post(url, {"rating": 5}, format="json").status_code == 409
    response = client.post(url, {"rating": 5}, format="json")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) >= 1


def test_the_api_and_the_pages_share_the_lookup_budget(reference, rates, settings):
    """A lookup counted by the pages' limiter (casework.ratelimit, group "track") uses up
    the same client's API budget."""
    rates(track="2/m")
    settings.ASPIRASI_RATE_TRACK = "2/m"
    case = f.submit()
    page_request = RequestFactory().get("/lacak/x/")
    assert retry_after(page_request, group="track", rate="2/m", method="GET") is None
    assert APIClient().get(track_url(case.tracking_code)).status_code == 200
    assert APIClient().get(track_url(case.tracking_code)).status_code == 429


def test_a_cache_that_is_down_lets_requests_through(reference, rates, settings):
    rates(submit="1/m", track="1/m")
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    client = APIClient()
    assert submit(client).status_code == 201
    assert submit(client).status_code == 201
    case = Case.objects.first()
    assert case is not None
    assert client.get(track_url(case.tracking_code)).status_code == 200
    assert client.get(track_url(case.tracking_code)).status_code == 200
    assert Case.objects.count() == 2


def test_a_limiter_that_raises_lets_requests_through(reference, rates):
    rates(submit="1/m")
    with mock.patch.object(throttles, "retry_after", side_effect=RuntimeError("boom")):
        assert submit(APIClient()).status_code == 201
        assert submit(APIClient()).status_code == 201


def test_a_cache_raising_inside_django_ratelimit_lets_requests_through(reference, rates):
    rates(submit="1/m")
    broken = mock.MagicMock()
    broken.add.side_effect = ConnectionError("cache down")
    broken.incr.side_effect = ConnectionError("cache down")
    broken.get.side_effect = ConnectionError("cache down")
    with mock.patch("django_ratelimit.core.caches", {"default": broken}):
        assert submit(APIClient()).status_code == 201
        assert submit(APIClient()).status_code == 201
    assert Case.objects.count() == 2


def test_without_a_rate_nothing_is_limited(reference, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    client = APIClient()
    for _ in range(3):
        assert submit(client).status_code == 201


def test_the_brute_force_arithmetic_holds():
    """The numbers of the module's docstring, from the code's own constants."""
    from casework.services import TRACKING_ALPHABET, TRACKING_LENGTH

    space = len(TRACKING_ALPHABET) ** TRACKING_LENGTH
    assert space == 2**60 and round(space / 1e18, 2) == 1.15
    per_day = 30 * 60 * 24
    live = 1_000_000
    expected_guesses = space / live
    years_one_client = expected_guesses / per_day / 365.25
    assert 70_000 < years_one_client < 75_000
    assert 7 < years_one_client / 10_000 < 7.5
    assert "73,000 years" in throttles.__doc__
