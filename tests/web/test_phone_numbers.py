"""The KIM desa intake shows a phone number that is no number at its field and records
nothing; a valid one is stored in E.164 form."""

from __future__ import annotations

import pytest

from casework.models import Case

from .test_intake import INTAKE, form, login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["081234", "------"])
def test_the_intake_shows_the_error_at_the_phone_field(officers, typed):
    response = login(officers["kim"]).post(INTAKE, form(reporter_phone=typed, contact_consent="on"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_reporter_phone_error"' in html
    assert "Nomor telepon tidak valid" in html
    assert not Case.objects.exists()


def test_the_intake_stores_the_normalised_number(officers):
    response = login(officers["kim"]).post(
        INTAKE, form(reporter_phone="+62 812 3456 7890", contact_consent="on")
    )
    assert response.status_code == 302
    assert Case.objects.get().reporter_phone == "+6281234567890"
