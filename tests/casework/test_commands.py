"""Management commands: regions, reference data, officers, demo data."""

import io

import pytest
from django.core.management import CommandError, call_command

from casework.models import Case, Region, Unit, User

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_regions_loaded_with_units(reference):
    assert Region.objects.filter(level="kecamatan").count() == 21
    assert Region.objects.filter(level__in=["desa", "kelurahan"]).count() == 205
    assert Unit.objects.filter(kind="forum").count() == 21
    assert Unit.objects.filter(kind="kim").count() == 205
    assert Unit.objects.get(kind="supervisor").code == "35.08"
    assert Unit.objects.filter(kind="opd", code="dputr").exists()
    # loading twice changes nothing
    assert "0 new" in run("load_regions")


def test_load_regions_rejects_a_bad_file(reference, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n35.09,X\n")
    with pytest.raises(CommandError):
        run("load_regions", str(bad))


@pytest.mark.parametrize(
    ("role", "unit", "kind"),
    [
        ("kim_operator", "35.08.01.2001", "kim"),
        ("forum_officer", "35.08.01", "forum"),
        ("forum_coordinator", "35.08.01", "forum"),
        ("opd_officer", "dputr", "opd"),
        ("opd_head", "dputr", "opd"),
        ("supervisor", "35.08", "supervisor"),
    ],
)
def test_add_officer(reference, role, unit, kind):
    out = run("add_officer", "budi", "--role", role, "--unit", unit, "--password", "s3cret-pass")
    assert "created" in out
    user = User.objects.get(username="budi")
    assert user.unit is not None
    assert (user.role, user.unit.kind, user.unit.code) == (role, kind, unit)
    assert user.check_password("s3cret-pass")


def test_add_officer_refuses_a_unit_of_the_wrong_kind(reference):
    with pytest.raises(CommandError):
        run("add_officer", "budi", "--role", "forum_officer", "--unit", "dputr")
    assert not User.objects.filter(username="budi").exists()


def test_seed_demo_spreads_cases_over_every_state(reference):
    out = run("seed_demo", "--cases", "30")
    assert "30 demo cases" in out
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == {
        "received",
        "forwarded",
        "in_triage",
        "needs_info",
        "dispatched",
        "in_progress",
        "responded",
        "closed",
        "rejected",
        "merged",
    }
    assert "already present" in run("seed_demo", "--if-empty")
