"""``POST /api/v1/cases/`` with an ``Idempotency-Key``: a request sent again after a lost reply
answers the first result and creates nothing; the key cannot be used for another request."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from casework import idempotency
from casework.models import Case, IdempotencyKey, Notification
from tests.conftest import DESA

from .helpers import assert_error, url

pytestmark = pytest.mark.django_db

SUBMISSION = {
    "title": "Lampu jalan mati",
    "description": "Lampu PJU di depan balai desa mati sejak seminggu.",
    "category": "infrastruktur",
    "desa": DESA,
    "reporter_email": "budi@example.org",
    "contact_consent": True,
}
KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png_upload(color=(255, 0, 0)):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, format="PNG")
    return SimpleUploadedFile("jalan.png", buffer.getvalue(), content_type="image/png")


def submit(client, body=None, key=KEY, **kwargs):
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(url("cases"), body or SUBMISSION, format="json", headers=headers, **kwargs)


def test_the_same_key_and_request_answer_the_first_result_again(reference, anon):
    first = submit(anon)
    assert first.status_code == 201, first.content
    again = submit(anon)
    assert again.status_code == 201, again.content
    assert again.json() == first.json()
    case = Case.objects.get()
    assert first.json()["number"] == case.number
    assert first.json()["tracking_code"].replace("-", "") == case.tracking_code
    assert case.events.count() == 1
    assert Notification.objects.filter(case=case, recipient="budi@example.org").count() == 1
    assert Notification.objects.count() == Notification.objects.filter(case=case).count()
    row = IdempotencyKey.objects.get()
    assert (row.scope, row.key, row.case_id) == ("anonymous", KEY, case.pk)
    assert row.response_status == 201 and row.response_body == first.json()


def test_the_answer_kept_is_the_first_even_after_the_case_moved_on(reference, anon, officers):
    from casework import services

    first = submit(anon)
    case = Case.objects.get()
    services.verify_case(case=case, actor=officers["kim"])
    again = submit(anon)
    assert again.json() == first.json()
    assert again.json()["status"] == "received"


def test_a_quoted_key_is_the_same_key(reference, anon):
    first = submit(anon)
    again = submit(anon, key=f'"{KEY}"')
    assert again.json() == first.json()
    assert Case.objects.count() == 1


def test_the_same_key_with_another_request_is_refused(reference, anon):
    submit(anon)
    other = submit(anon, {**SUBMISSION, "title": "Jembatan putus"})
    body = assert_error(other, 422, "idempotency_key_reused")
    assert "detail" in body
    assert Case.objects.count() == 1
    assert (
        Notification.objects.count() == Notification.objects.filter(case=Case.objects.get()).count()
    )


def test_without_a_key_each_request_is_a_new_case(reference, anon):
    submit(anon, key=None)
    submit(anon, key=None)
    assert Case.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_refused_request_records_no_key(reference, anon):
    response = submit(anon, {**SUBMISSION, "desa": "99.99.99.9999"})
    assert response.status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert submit(anon).status_code == 201  # the key is still free for the corrected request
    assert Case.objects.count() == 1


@pytest.mark.parametrize("key", ["", '""', "x" * 256, "kunci\u00e9"])
def test_a_malformed_key_is_refused(reference, anon, key):
    response = submit(anon, key=key)
    assert_error(response, 400, "invalid_idempotency_key")
    assert not Case.objects.exists()


def test_keys_of_different_clients_do_not_collide(reference, anon, client_for, officers):
    citizen = submit(anon)
    # the same key from an officer: their own, a case of its own
    officer = submit(client_for(officers["forum"]))
    assert officer.status_code == 201, officer.content
    assert officer.json()["number"] != citizen.json()["number"]
    # another officer with the same key and another request: no refusal either
    other = submit(client_for(officers["supervisor"]), {**SUBMISSION, "title": "Lain"})
    assert other.status_code == 201, other.content
    assert Case.objects.count() == 3
    assert set(IdempotencyKey.objects.values_list("scope", flat=True)) == {
        "anonymous",
        f"user:{officers['forum'].pk}",
        f"user:{officers['supervisor'].pk}",
    }


def test_a_file_is_part_of_the_request(reference, anon):
    body = {**SUBMISSION, "contact_consent": "true"}
    first = anon.post(
        url("cases"),
        {**body, "attachments": png_upload()},
        format="multipart",
        headers={"Idempotency-Key": KEY},
    )
    assert first.status_code == 201, first.content
    again = anon.post(
        url("cases"),
        {**body, "attachments": png_upload()},
        format="multipart",
        headers={"Idempotency-Key": KEY},
    )
    assert again.json() == first.json()
    other = anon.post(
        url("cases"),
        {**body, "attachments": png_upload(color=(0, 0, 255))},
        format="multipart",
        headers={"Idempotency-Key": KEY},
    )
    assert_error(other, 422, "idempotency_key_reused")
    assert Case.objects.count() == 1


def test_expired_keys_are_purged(reference, anon):
    submit(anon)
    submit(anon, key="another-key")
    old = IdempotencyKey.objects.get(key=KEY)
    IdempotencyKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - idempotency.RETENTION - timedelta(minutes=1)
    )
    assert idempotency.purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["another-key"]
    assert Case.objects.count() == 2  # the cases stay


def test_the_purge_runs_from_beat(settings):
    from casework.tasks import purge_idempotency_keys

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert any(entry["task"] == purge_idempotency_keys.name for entry in schedule.values()), (
        schedule
    )


def test_the_schema_documents_the_header(anon):
    response = anon.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    create = schema["paths"]["/api/v1/cases/"]["post"]
    headers = [p for p in create["parameters"] if p["in"] == "header"]
    assert [p["name"] for p in headers] == ["Idempotency-Key"]
    assert not headers[0].get("required", False)
    assert {"201", "409", "422"} <= set(create["responses"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the pipeline needs PostgreSQL")
def test_statements_of_a_keyed_submission(reference, anon):
    submit(anon, key="warm-up")  # caches filled as in a running process
    with CaptureQueriesContext(connection) as plain:
        submit(anon, key=None)
    with CaptureQueriesContext(connection) as keyed:
        submit(anon)
    with CaptureQueriesContext(connection) as replayed:
        submit(anon)
    # a key costs its look-up before the work, its lock and look-up in the transaction; its
    # row goes with the case's in the pipeline; a replay is one look-up
    assert len(keyed) == len(plain) + 3, [q["sql"] for q in keyed.captured_queries]
    assert len(replayed) == 1, [q["sql"] for q in replayed.captured_queries]


def test_the_sweep_command_purges_expired_keys_for_cron(reference, anon):
    from io import StringIO

    from django.core.management import call_command

    submit(anon)
    IdempotencyKey.objects.update(created_at=timezone.now() - idempotency.RETENTION * 2)
    out = StringIO()
    call_command("sweep", stdout=out)
    assert "idempotency keys purged 1" in out.getvalue()
    assert not IdempotencyKey.objects.exists()
