"""Token authentication, the OpenAPI schema and its docs page, and the JSON error shape of
paths the API does not know."""

import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from casework.models import User
from tests.factories import PASSWORD

from .helpers import assert_error, url

pytestmark = pytest.mark.django_db


def test_token_for_good_credentials_authenticates_later_calls(officers, anon):
    response = anon.post(url("token"), {"username": "forum", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) == 40

    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    listed = client.get(url("cases"))
    assert listed.status_code == 200
    assert listed.json()["count"] == 0
    # the same token again
    again = anon.post(url("token"), {"username": "forum", "password": PASSWORD}, format="json")
    assert again.json()["token"] == token


def test_token_refused_for_bad_credentials(officers, anon):
    response = anon.post(url("token"), {"username": "forum", "password": "salah"}, format="json")
    body = assert_error(response, 400, "invalid_credentials")
    assert "fields" not in body
    assert "token" not in body


def test_token_needs_username_and_password(anon):
    response = anon.post(url("token"), {"username": "forum"}, format="json")
    body = assert_error(response, 400, "invalid")
    assert set(body["fields"]) == {"password"}


def test_inactive_user_gets_no_token(officers, anon):
    User.objects.filter(username="forum").update(is_active=False)
    response = anon.post(url("token"), {"username": "forum", "password": PASSWORD}, format="json")
    assert_error(response, 400, "invalid_credentials")


def test_token_revoked_by_delete(officers, anon):
    token = anon.post(url("token"), {"username": "pu", "password": PASSWORD}).json()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.delete(url("token")).status_code == 204
    assert_error(client.get(url("cases")), 401, "authentication_failed")


def test_officer_endpoints_need_a_login_and_an_officer(reference, anon, client_for):
    assert_error(anon.get(url("cases")), 401, "not_authenticated")
    assert_error(anon.get(url("tasks")), 401, "not_authenticated")
    admin = User.objects.create_user("admin", password=PASSWORD)  # no unit, no role
    assert_error(client_for(admin).get(url("cases")), 403, "not_an_officer")
    bad = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert_error(bad.get(url("cases")), 401, "authentication_failed")


def test_session_login_works_too(officers):
    client = APIClient()
    assert client.login(username="supervisor", password=PASSWORD)
    assert client.get(url("cases")).status_code == 200


def test_schema_endpoint_and_docs_page(anon):
    response = anon.get(url("schema"), {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/cases/",
        "/api/v1/cases/{number}/",
        "/api/v1/cases/{number}/actions/dispatch/",
        "/api/v1/tasks/",
        "/api/v1/track/{code}/",
        "/api/v1/track/{code}/actions/confirm/",
        "/api/v1/categories/",
        "/api/v1/opds/",
        "/api/v1/regions/",
    ):
        assert path in paths, path
    dispatch = paths["/api/v1/cases/{number}/actions/dispatch/"]["post"]
    assert set(dispatch["responses"]) >= {"200", "400", "401", "403", "404", "409"}

    docs = anon.get(url("docs"))
    assert docs.status_code == 200
    assert docs["Content-Type"].startswith("text/html")


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.read_text().startswith("openapi: 3")


def test_unknown_paths_and_methods_answer_json(officers, anon, as_officer):
    assert_error(anon.get("/api/v1/nothing-here/"), 404, "not_found")
    assert_error(as_officer("forum").post("/api/v1/cases/X/actions/explode/"), 404, "not_found")
    assert_error(anon.put(url("categories")), 405, "method_not_allowed")
    assert_error(
        anon.post(url("cases"), "{not json", content_type="application/json"), 400, "parse_error"
    )
