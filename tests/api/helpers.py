"""Helpers of the API tests."""

from django.urls import reverse


def url(name: str, **kwargs: str) -> str:
    return reverse(f"api:{name}", kwargs=kwargs or None)


def action_url(number: str, action: str) -> str:
    return f"/api/v1/cases/{number}/actions/{action}/"


def track_url(code: str, action: str | None = None) -> str:
    base = f"/api/v1/track/{code}/"
    return f"{base}actions/{action}/" if action else base


def assert_error(response, status: int, code: str | None = None) -> dict:
    """Every error is JSON {"code", "detail"} (plus "fields" for bad input)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) <= {"code", "detail", "fields"}
    assert isinstance(body["code"], str)
    assert body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body
