"""The KIM intake form names each recording with its hidden ``submission_key``: sent again
after a lost reply it lands on the first case's receipt, and records nothing new."""

import re

import pytest

from casework.models import Case, IdempotencyKey
from tests import factories as f
from tests.conftest import DESA

from .test_intake import INTAKE, _media, form, login  # noqa: F401  (_media: a fixture)

pytestmark = pytest.mark.django_db

KEY_FIELD = re.compile(r'<input type="hidden" name="submission_key" value="([^"]+)">')


def key_of(response) -> str:
    found = KEY_FIELD.search(response.content.decode())
    assert found, "the form carries its submission_key"
    return found.group(1)


def test_sent_again_after_a_lost_reply_it_lands_on_the_first_receipt(officers):
    client = login(officers["kim"])
    key = key_of(client.get(INTAKE))
    first = client.post(INTAKE, form(submission_key=key))
    assert first.status_code == 302, first.content
    again = client.post(INTAKE, form(submission_key=key))
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    case = Case.objects.get()
    assert first["Location"] == f"/petugas/catat/{case.number}/selesai/"
    assert case.events.filter(action="submit").count() == 1
    assert client.get(again["Location"]).status_code == 200


def test_a_refused_form_keeps_its_key(officers):
    client = login(officers["kim"])
    key = key_of(client.get(INTAKE))
    refused = client.post(INTAKE, form(title="", submission_key=key))
    assert refused.status_code == 400
    assert key_of(refused) == key
    assert client.post(INTAKE, form(submission_key=key)).status_code == 302
    assert Case.objects.count() == 1


def test_two_operators_keys_do_not_collide(officers):
    other = f.make_officer("kim_operator", DESA, "kim_second")
    key = key_of(login(officers["kim"]).get(INTAKE))
    login(officers["kim"]).post(INTAKE, form(submission_key=key))
    second = login(other).post(INTAKE, form(submission_key=key))
    assert second.status_code == 302
    assert Case.objects.count() == 2
    assert IdempotencyKey.objects.count() == 2


def test_changed_after_it_was_sent_it_shows_the_first_and_a_new_key(officers):
    client = login(officers["kim"])
    key = key_of(client.get(INTAKE))
    client.post(INTAKE, form(submission_key=key))
    changed = client.post(INTAKE, form(submission_key=key, title="Saluran jebol"))
    assert changed.status_code == 422
    html = changed.content.decode()
    case = Case.objects.get()
    assert f"/petugas/catat/{case.number}/selesai/" in html
    assert key_of(changed) != key
