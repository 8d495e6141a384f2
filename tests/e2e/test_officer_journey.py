"""The officers' web app in a real browser, against a live server.

One journey, the way the people of docs/architecture.md work a case: a village KIM operator records
an aspiration collected offline, verified by its recording; a forum officer claims it from the
unit queue straight into the case, sees the similar cases of the kecamatan and dispatches it to two OPD; each OPD officer
accepts and responds (one with a photo), leaving the case waiting for the citizen; the
supervisor acknowledges an escalated case and gives its task to another forum officer.

Along the way: the page language (Indonesian by default, English through the header's
switch), the phone width (360 px) of the queue and the case page, and the skip link as the
first stop of the keyboard. With ``ASPIRASI_SCREENSHOTS`` set, the main pages are saved as
PNG for the documentation (``make screenshots``).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from casework import services
from casework.models import Case, CaseTask, Escalation, Stage
from tests import factories as f
from tests.conftest import DESA, DESA_2, KABUPATEN, KECAMATAN, ensure_reference
from workflows.sweep import sweep

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = re.compile(r"^[A-Z]+-\d{4}-\d{5}$")
OPEN = ("NEW", "ASSIGNED", "STARTED")


# ----------------------------------------------------------------------------- helpers


def sign_in(page: Any, username: str, path: str = "/petugas/") -> None:
    """Open ``path`` signed out, follow the redirect to the sign-in form, sign in, and land
    back on ``path``."""
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/masuk/\?next="))
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(path.split("?")[0]) + r"(\?|$)"))


def html_lang(page: Any) -> str:
    return page.evaluate("document.documentElement.lang")


def assert_fits_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways at 360 px ({width} px wide)"


def status_of(number: str) -> str:
    return Case.objects.values_list("status", flat=True).get(number=number)


def success(page: Any) -> Any:
    return page.locator(".messages li.success")


def similar_cases() -> list[str]:
    """Two open cases of another desa of the same kecamatan, same category, telling of the
    same kind of damage, verified by that desa's KIM."""
    kim = f.make_officer("kim_operator", DESA_2, "kim2")
    numbers = []
    for title in ("Jalan desa berlubang di depan sekolah", "Jalan berlubang dekat pasar desa"):
        case = f.submit(
            desa=DESA_2,
            title=title,
            description="Lubang besar di jalan desa, membahayakan pengendara motor.",
            reporter_email="",
        )
        numbers.append(services.verify_case(case=case, actor=kim).number)
    return numbers


def escalated_case(kim: Any) -> Case:
    """Another forwarded case whose triage deadline passed ten days ago, swept: escalated to
    the forum coordinator (level 1) and to the supervisor (level 2)."""
    case = f.submit(title="Lampu penerangan jalan mati", reporter_email="")
    case = services.verify_case(case=case, actor=kim)
    past = timezone.now() - timedelta(days=10)
    moved = CaseTask.objects.filter(case=case, stage=Stage.TRIAGE, status__in=OPEN).update(
        due_at=past, sla_next_at=past
    )
    assert moved == 1
    result = sweep()
    assert result.escalations >= 2, result
    return case


# ----------------------------------------------------------------------------- the journey


def test_officer_journey(new_page, shot, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_reference()
    kim = f.make_officer("kim_operator", DESA, "kim")
    f.make_officer("forum_officer", KECAMATAN, "forum")
    f.make_officer("opd_officer", "dputr", "pu")
    f.make_officer("opd_officer", "dinkes", "dinkes")
    f.make_officer("supervisor", KABUPATEN, "supervisor")
    similar = similar_cases()

    # --- a. the KIM operator records an aspiration --------------------------------------
    page = new_page()
    page.goto("/petugas/")
    expect(page).to_have_url(re.compile(r"/masuk/\?next=/petugas/"))
    assert html_lang(page) == "id"
    expect(page.locator("h1")).to_have_text("Masuk")
    # the sign-in form puts the focus in its username field (Django's autofocus)
    expect(page.locator("#id_username")).to_be_focused()
    shot(page, "login.png")

    sign_in(page, "kim")
    # keyboard: the first Tab on a fresh page stops at "skip to content"
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Langsung ke konten")
    expect(skip).to_have_attribute("href", "#content")
    page.locator("nav.main").get_by_role("link", name="Catat aspirasi").click()
    expect(page).to_have_url(re.compile(r"/petugas/catat/$"))
    expect(page.locator("[data-testid=desa]")).to_contain_text(DESA)
    page.select_option("#id_category", "infrastruktur")
    page.fill("#id_title", "Jalan desa berlubang dekat balai desa")
    page.fill(
        "#id_description",
        "Lubang besar di jalan desa depan balai desa, membahayakan pengendara motor "
        "terutama malam hari.",
    )
    page.fill("#id_address", "Dusun Krajan RT 02 RW 01")
    page.fill("#id_reporter_name", "Pak Sutrisno")
    page.fill("#id_reporter_phone", "0812 3456 7890")
    page.check("#id_contact_consent")
    shot(page, "intake.png")
    page.locator("form.intake button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/petugas/catat/[^/]+/selesai/$"))
    number = page.locator("[data-testid=number]").inner_text().strip()
    tracking = page.locator("[data-testid=tracking-code]").inner_text().strip()
    assert NUMBER.match(number), number
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{1,4})+", tracking), tracking
    case = Case.objects.get(number=number)
    assert case.reporter_name == "Pak Sutrisno"
    assert case.channel == "kim"
    shot(page, "intake-receipt.png")

    # --- b. ... verified by its recording: on its way to the forum -------------------------
    page.locator(f"a[href='/petugas/laporan/{number}/']").click()
    expect(page.locator("[data-testid=status]")).to_have_text("Diteruskan ke forum kecamatan")
    expect(page.locator("button[data-action=verify]")).to_have_count(0)
    assert status_of(number) == "forwarded"

    # --- c. the forum officer claims, sees similar cases, dispatches to two OPD ----------
    page = new_page()
    sign_in(page, "forum")
    expect(page.locator("[data-testid=queue-count]")).to_have_text("3")
    shot(page, "home-forum.png")
    page.locator("nav.main").get_by_role("link", name="Tugas").click()
    page.locator("nav.tabs").get_by_role("link", name=re.compile("Antrean unit")).click()
    expect(page).to_have_url(re.compile(r"tab=queue"))
    row = page.locator("tr[data-testid=task-row]", has_text=number)
    expect(row).to_have_count(1)
    for other in similar:
        expect(page.locator("tr[data-testid=task-row]", has_text=other)).to_have_count(1)
    shot(page, "tasks-queue.png")

    # the queue and the case page on a 360-px phone
    page.set_viewport_size(PHONE)
    page.reload()
    expect(row).to_be_visible()
    assert_fits_phone(page)
    shot(page, "tasks-queue-360.png")
    page.goto(f"/petugas/laporan/{number}/")
    expect(page.locator("[data-testid=status]")).to_be_visible()
    assert_fits_phone(page)
    shot(page, "case-360.png")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.go_back()

    row.locator("button[formaction$='/ambil/']").click()  # one click, from the queue
    expect(success(page)).to_have_count(1)
    expect(page).to_have_url(re.compile(rf"/petugas/laporan/{number}/$"))  # and it is open
    assert CaseTask.objects.get(case=case, stage=Stage.TRIAGE).owner.username == "forum"
    assert status_of(number) == "in_triage"
    expect(page.locator("[data-testid=status]")).to_have_text("Ditelaah")

    page.locator("#act-merge > summary").click()
    candidates = page.locator("[data-testid=merge-candidates]")
    for other in similar:
        expect(candidates).to_contain_text(other)

    page.locator("#act-dispatch > summary").click()
    dispatch = page.locator("#act-dispatch form")
    expect(dispatch).to_contain_text("Dinas Pekerjaan Umum")  # the routing rule's suggestion
    expect(dispatch.locator("input[name=opds][value=dputr]")).to_be_checked()
    expect(dispatch.locator("input[name=opds][value=dinkes]")).not_to_be_checked()
    dispatch.locator("input[name=opds][value=dinkes]").check()
    page.locator("#act-merge > summary").click()  # folded again for the picture
    shot(page, "case-forum.png")
    dispatch.locator("button[type=submit]").click()
    expect(success(page)).to_have_count(1)
    assert status_of(number) == "dispatched"
    assert sorted(case.assignments.values_list("opd__code", flat=True)) == ["dinkes", "dputr"]

    # --- d. each OPD officer accepts and responds --------------------------------------
    photo = tmp_path / "jalan-sudah-ditambal.png"
    Image.new("RGB", (64, 48), (170, 90, 40)).save(photo)
    for username, text, files in (
        ("pu", "Lubang sudah ditambal dengan aspal oleh tim UPT jalan.", [photo]),
        ("dinkes", "Puskesmas Tempursari sudah mendata korban kecelakaan di lokasi.", []),
    ):
        page = new_page()
        sign_in(page, username, "/petugas/tugas/?tab=queue")
        page.locator("tr[data-testid=task-row]", has_text=number).get_by_role(
            "link", name=number
        ).click()
        expect(page.locator("[data-testid=actions]")).to_be_visible()
        page.locator("button[data-action=accept]").click()
        expect(success(page)).to_have_count(1)
        assert status_of(number) == "in_progress"

        page.locator("#act-respond > summary").click()
        respond = page.locator("#act-respond form")
        respond.locator("textarea[name=response]").fill(text)
        if files:
            respond.locator("input[type=file][name=attachments]").set_input_files(
                [str(p) for p in files]
            )
            shot(page, "case-opd.png")
        respond.locator("button[type=submit]").click()
        expect(success(page)).to_have_count(1)

    assert status_of(number) == "responded"
    case.refresh_from_db()
    assert sorted(case.assignments.values_list("status", flat=True)) == ["responded"] * 2
    assert case.attachments.count() == 1

    page.goto(f"/petugas/laporan/{number}/")
    expect(page.locator("[data-testid=status]")).to_have_text("Menunggu konfirmasi warga")
    expect(page.locator("[data-testid=attachments] img")).to_have_count(1)
    expect(page.locator("[data-testid=assignments]")).to_contain_text("Lubang sudah ditambal")

    # --- e. the supervisor acknowledges an escalation and reassigns its task ------------
    f.make_officer("forum_officer", KECAMATAN, "forum2")
    late = escalated_case(kim)
    level_2 = Escalation.objects.get(case=late, kind="escalation", level=2)
    task = CaseTask.objects.get(case=late, stage=Stage.TRIAGE, status__in=OPEN)
    assert task.owner_id is None

    page = new_page()
    sign_in(page, "supervisor", "/petugas/pengawasan/")
    expect(page.locator("[data-testid=count-escalations]")).to_have_text("1")
    rows = page.locator("tr[data-testid=escalation-row]", has_text=late.number)
    expect(rows).to_have_count(1)  # one row per task, at its highest level
    page.locator("nav.tabs").get_by_role("link", name=re.compile("Lewat tenggat")).click()
    expect(page.locator("tr[data-testid=overdue-row]", has_text=late.number)).to_have_count(1)
    page.locator("nav.tabs").get_by_role("link", name=re.compile("Eskalasi")).click()

    row = page.locator(f"#e{level_2.pk}")
    row.locator("details.row-actions > summary").click()
    row.locator("[data-testid=acknowledge-form] textarea[name=comment]").fill(
        "Koordinator forum diminta menelaah hari ini."
    )
    row.locator("[data-testid=acknowledge-form] button[type=submit]").click()
    expect(success(page)).to_contain_text(late.number)
    expect(row).to_contain_text("Koordinator forum diminta menelaah hari ini.")
    expect(row.locator("[data-testid=acknowledge-form]")).to_have_count(0)
    level_2.refresh_from_db()
    assert level_2.acknowledged_by is not None
    assert level_2.acknowledged_by.username == "supervisor"

    row.locator("details.row-actions > summary").click()
    row.locator("[data-testid=reassign-form] select[name=to]").select_option("forum2")
    row.locator("[data-testid=reassign-form] button[type=submit]").click()
    expect(success(page)).to_contain_text("forum2")
    owner = CaseTask.objects.get(case=late, stage=Stage.TRIAGE, status__in=OPEN).owner
    assert owner is not None and owner.username == "forum2"
    expect(row).to_contain_text("forum2")
    shot(page, "review.png")

    page.locator("nav.main").get_by_role("link", name="Dasbor").click()
    expect(page).to_have_url(re.compile(r"/petugas/dasbor/$"))
    expect(page.locator("h1")).to_be_visible()
    shot(page, "dashboard.png")

    # the language switch in the header
    page.goto("/petugas/pengawasan/")
    assert html_lang(page) == "id"
    page.select_option("select[name=language]", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    expect(page).to_have_url(re.compile(r"/petugas/pengawasan/$"))
    expect(page.locator("h1")).to_have_text("Escalations and overdue work")
    expect(page.locator("nav.main")).to_contain_text("Dashboard")


def test_sign_in_form_without_next_lands_on_the_home_page(new_page):
    """Signing in straight at /masuk/ (a bookmark, the address on a poster) opens the
    officer's home page."""
    ensure_reference()
    f.make_officer("forum_officer", KECAMATAN, "forum")
    page = new_page()
    page.goto("/masuk/")
    page.fill("#id_username", "forum")
    page.fill("#id_password", f.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/petugas/$"))
    expect(page.locator("[data-testid=queue-count]")).to_be_visible()
