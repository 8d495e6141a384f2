"""A disputed case's page opens with the reporter's objection, above the actions."""

import pytest
from django.test import Client

from casework import services
from tests import factories as f

pytestmark = pytest.mark.django_db


def page(user, case) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/petugas/laporan/{case.number}/", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    return response.content.decode()


def test_the_objection_comes_first_on_the_case_page(officers):
    case = f.responded(officers)
    case = services.dispute_case(case=case, reason="Lubang di depan masjid belum ditambal")
    html = page(officers["pu"], case)
    main = html.split('class="case-main"', 1)[1]
    assert 'data-testid="objection"' in main
    objection = main.index('data-testid="objection"')
    assert objection < main.index('data-testid="actions"')
    assert objection < main.index("h-desc")
    block = main[objection : main.index("</section>", objection)]
    assert "Lubang di depan masjid belum ditambal" in block
    assert "Keberatan pelapor atas jawaban" in block
    assert "Sudah ditambal." in block  # the answer disputed, for comparison
    assert "WIB" in block


def test_no_objection_block_without_a_dispute(officers):
    case = f.responded(officers)
    assert 'data-testid="objection"' not in page(officers["pu"], case)


def test_the_objection_leaves_once_answered_again(officers):
    case = f.responded(officers)
    case = services.dispute_case(case=case, reason="Belum")
    services.respond_assignment(case=case, actor=officers["pu"], response="Sudah dicor.")
    assert 'data-testid="objection"' not in page(officers["pu"], case)
