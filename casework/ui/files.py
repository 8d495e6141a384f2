"""A case's file as an HTTP answer, the same for the officers' pages and the tracking page:
images shown inline, documents downloaded, nothing the browser may run or sniff, never kept
by a shared cache."""

from __future__ import annotations

from django.http import FileResponse, Http404

from .. import attachments
from ..models import Attachment


def file_response(found: Attachment, *, name: str = "") -> FileResponse:
    """The file's bytes, offered under ``name`` (default: its original name); 404 when the
    storage has lost it."""
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    is_pdf = found.content_type == attachments.PDF
    response = FileResponse(
        handle,
        content_type=found.content_type,
        as_attachment=is_pdf,
        filename=name
        or found.original_name
        or f"lampiran-{found.pk}.{attachments.EXTENSIONS.get(found.content_type, 'bin')}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
