"""Files go into the service: checked before anything is recorded, stored before the action's
transaction and recorded in it, removed again when the action fails."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from casework import services
from casework.errors import InvalidInput, PermissionDenied, Unavailable
from casework.models import Attachment, Case, CaseEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def png(name: str = "foto.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (10, 120, 10)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def stored(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_the_files_of_a_submission_are_recorded_with_its_event(officers, media):
    case = f.submit(attachments=[png(), png("dua.png")])
    event = CaseEvent.objects.get(case=case, action="submit")
    files = list(Attachment.objects.filter(case=case))
    assert [a.event_id for a in files] == [event.pk, event.pk]
    assert len(stored(media)) == 2 * 3  # each photo with its two small copies
    assert all(a.file.name is not None and a.file.storage.exists(a.file.name) for a in files)


def test_bad_files_are_refused_before_anything_is_recorded(officers, media):
    fake = SimpleUploadedFile("foto.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    with pytest.raises(InvalidInput) as refused:
        f.submit(attachments=[fake])
    assert set(refused.value.detail) == {"attachments"}
    assert not Case.objects.exists() and not stored(media)


def test_a_storage_error_records_no_case(officers, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = str(blocker / "media")
    with pytest.raises(Unavailable) as refused:
        f.submit(attachments=[png()])
    assert refused.value.status_code == 503
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_a_refused_action_leaves_no_file_behind(officers, media):
    case = f.in_progress(officers)
    with pytest.raises(PermissionDenied):  # the forum may not respond for an OPD
        services.respond_assignment(
            case=case, actor=officers["forum"], response="x", attachments=[png()]
        )
    assert not stored(media) and not Attachment.objects.exists()
    services.respond_assignment(
        case=case, actor=officers["pu"], response="Sudah ditambal.", attachments=[png()]
    )
    event = CaseEvent.objects.get(case=case, action="respond")
    assert Attachment.objects.get().event == event
    assert len(stored(media)) == 3  # the photo and its two small copies


def test_the_reporter_and_the_village_send_files_with_the_information(officers, media):
    case = services.request_info(
        case=f.in_triage(officers), actor=officers["forum"], question="Foto?"
    )
    services.provide_info(case=case, text="Ini fotonya.", attachments=[png()])
    event = CaseEvent.objects.get(case=case, action="provide_info")
    assert Attachment.objects.get().event == event and event.actor is None
