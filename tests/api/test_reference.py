"""Public reference data: categories, OPD and the region tree."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import DESA, KABUPATEN, KECAMATAN

from .helpers import assert_error, url

pytestmark = pytest.mark.django_db


def test_categories(reference, anon):
    response = anon.get(url("categories"))
    assert response.status_code == 200
    assert "max-age=300" in response["Cache-Control"]
    by_code = {c["code"]: c for c in response.json()}
    assert by_code["infrastruktur"] == {
        "code": "infrastruktur",
        "name": "Infrastruktur",
        "name_en": "Infrastructure",
        "sla_class": "complex",
    }


def test_opds(reference, anon):
    response = anon.get(url("opds"))
    assert response.status_code == 200
    by_code = {o["code"]: o["name"] for o in response.json()}
    assert by_code["dputr"] == "Dinas Pekerjaan Umum dan Tata Ruang"
    assert {"dinkes", "dinsos"} <= set(by_code)


def test_region_tree(reference, anon):
    top = anon.get(url("regions")).json()
    assert [(r["code"], r["level"], r["parent"]) for r in top] == [(KABUPATEN, "kabupaten", None)]
    kecamatan = anon.get(url("regions"), {"parent": KABUPATEN}).json()
    assert len(kecamatan) == 21
    assert {r["level"] for r in kecamatan} == {"kecamatan"}
    assert KECAMATAN in {r["code"] for r in kecamatan}
    desa = anon.get(url("regions"), {"parent": KECAMATAN}).json()
    assert DESA in {r["code"] for r in desa}
    assert {r["parent"] for r in desa} == {KECAMATAN}
    assert {r["level"] for r in desa} <= {"desa", "kelurahan"}
    assert anon.get(url("regions"), {"parent": DESA}).json() == []


def test_unknown_parent_region(reference, anon):
    assert_error(anon.get(url("regions"), {"parent": "99.99"}), 404, "not_found")


def test_reference_data_ignores_credentials(reference):
    # public endpoints do not authenticate: a stale token does not lock a citizen out
    client = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get(url("categories")).status_code == 200


def test_reference_data_costs_no_query_once_cached(reference, anon, django_assert_num_queries):
    anon.get(url("regions"))
    with django_assert_num_queries(0):
        assert anon.get(url("regions"), {"parent": KECAMATAN}).status_code == 200
        assert anon.get(url("categories")).status_code == 200
        assert anon.get(url("opds")).status_code == 200
