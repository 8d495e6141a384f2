"""The public form after a refusal: the error summary links each entry to its field, and the
photo attached is kept for the next try (the person unticks what they do not want)."""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from casework.models import Attachment, Case
from casework.ui.forms import HELD_DIR, HELD_FIELD, HELD_KEEP

from .test_submit import form as submitted_form
from .test_submit import photo

pytestmark = pytest.mark.django_db

SUBMIT = "/aspirasi/baru/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def form(**changes) -> dict:
    return submitted_form(address="", **{"website": "", **changes})


def held_token(html: str) -> str:
    found = re.search(rf'name="{HELD_FIELD}" value="([^"]+)"', html)
    assert found, "no kept files on the page"
    return found.group(1)


def held_paths() -> list[str]:
    try:
        return default_storage.listdir(HELD_DIR)[1]
    except FileNotFoundError:
        return []


def test_the_summary_links_each_error_to_its_field_and_takes_the_focus(reference):
    response = Client().post(SUBMIT, form(title="", category=""))
    assert response.status_code == 400
    html = response.content.decode()
    found = re.search(r'<div class="error-summary"([^>]*)>(.*?)</div>', html, re.S)
    assert found, "no error summary"
    attributes, summary = found.groups()
    assert 'href="#id_title"' in summary and 'href="#id_category"' in summary
    assert 'id="id_title"' in html and 'id="id_category"' in html
    # it takes the focus: focusable by script, autofocus
    assert 'tabindex="-1"' in attributes and "autofocus" in attributes
    assert 'role="alert"' in attributes


def test_a_radio_group_error_links_to_its_first_option(reference):
    html = Client().post(SUBMIT, form(confidentiality="rahasia-sekali")).content.decode()
    assert 'href="#id_confidentiality_0"' in html
    assert 'id="id_confidentiality_0"' in html


def test_the_photo_of_a_refused_form_is_kept_and_sent_with_the_next_try(reference):
    client = Client()
    refused = client.post(SUBMIT, form(title="", attachments=[photo("jembatan.jpg")]))
    assert refused.status_code == 400
    assert not Case.objects.exists()
    html = refused.content.decode()
    assert "jembatan.jpg" in html.split('data-testid="held-files"')[1].split("</div>")[0]
    assert len(held_paths()) == 1
    token = held_token(html)

    sent = client.post(SUBMIT, form(**{HELD_FIELD: token, HELD_KEEP: ["0"]}))
    assert sent.status_code == 302
    case = Case.objects.get()
    files = list(Attachment.objects.filter(case=case))
    assert [a.original_name for a in files] == ["jembatan.jpg"]
    assert files[0].content_type == "image/jpeg"
    assert held_paths() == []  # the kept copy is gone once recorded


def test_an_unticked_kept_file_is_left_out(reference):
    client = Client()
    html = client.post(SUBMIT, form(title="", attachments=[photo()])).content.decode()
    sent = client.post(SUBMIT, form(**{HELD_FIELD: held_token(html)}))  # box unticked
    assert sent.status_code == 302
    assert not Attachment.objects.exists()
    assert held_paths() == []


def test_kept_files_and_new_ones_go_together_within_the_limit(reference):
    client = Client()
    html = client.post(
        SUBMIT, form(title="", attachments=[photo("a.jpg"), photo("b.jpg")])
    ).content.decode()
    token = held_token(html)
    too_many = client.post(
        SUBMIT,
        form(**{HELD_FIELD: token, HELD_KEEP: ["0", "1"]}, attachments=[photo("c.jpg"), photo()]),
    )
    assert too_many.status_code == 400  # four files: refused, nothing recorded
    assert not Case.objects.exists()
    sent = client.post(
        SUBMIT,
        form(**{HELD_FIELD: token, HELD_KEEP: ["0", "1"]}, attachments=[photo("c.jpg")]),
    )
    assert sent.status_code == 302
    names = sorted(Attachment.objects.values_list("original_name", flat=True))
    assert names == ["a.jpg", "b.jpg", "c.jpg"]


def test_a_forged_token_attaches_nothing(reference):
    client = Client()
    html = client.post(SUBMIT, form(title="", attachments=[photo()])).content.decode()
    token = held_token(html)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    sent = client.post(SUBMIT, form(**{HELD_FIELD: forged, HELD_KEEP: ["0"]}))
    assert sent.status_code == 302
    assert not Attachment.objects.exists()


def test_files_kept_for_a_form_nobody_sent_again_are_removed_when_their_token_expires(
    reference,
):
    from datetime import timedelta

    from django.utils import timezone

    from casework.tasks import purge_refused_forms_files
    from casework.ui.forms import HELD_MAX_AGE, purge_held_files

    client = Client()
    client.post(SUBMIT, form(title="", attachments=[photo("jembatan.jpg")]))
    assert len(held_paths()) == 1
    assert purge_refused_forms_files() == 0  # still within the token's life: kept
    assert len(held_paths()) == 1
    later = timezone.now() + timedelta(seconds=HELD_MAX_AGE + 60)
    assert purge_held_files(now=later) == 1
    assert held_paths() == []
    assert purge_held_files(now=later) == 0
