"""A case's file as an HTTP answer, the same for the officers' pages and the tracking page:
images shown inline, documents downloaded, nothing the browser may run or sniff, kept only by
the reader's own browser.

A photo is also answered as one of its small copies (``?size=200`` or ``?size=800``, made on
first request for a photo stored without them). Answers carry a validator (``ETag``) and
private caching; the view checks the reader's scope before calling here, so a revalidation
(``If-None-Match`` answered 304) is checked like any other request.
"""

from __future__ import annotations

import hashlib

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers

from .. import attachments, services
from ..models import Attachment

# a file never changes under its URL (a new upload is a new attachment): the browser keeps
# it a day, a thumbnail a week, and asks again with its validator afterwards
ORIGINAL_MAX_AGE = 24 * 60 * 60
THUMBNAIL_MAX_AGE = 7 * 24 * 60 * 60


def requested_size(request: HttpRequest, found: Attachment) -> int | None:
    """The copy asked for (``?size=200`` or ``?size=800``), None for the file itself; 404
    for another size, for a document, or for a photo whose copies cannot be made."""
    raw = request.GET.get("size")
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) not in attachments.THUMBNAIL_SIZES or not found.is_image:
        raise Http404
    return int(raw)


def file_response(request: HttpRequest, found: Attachment, *, name: str = "") -> HttpResponseBase:
    """The file (or the copy ``?size=`` asks for), offered under ``name`` (default: its
    original name); 304 when the reader's validator still matches; 404 when the storage has
    lost it."""
    size = requested_size(request, found)
    etag = _etag(found, size)
    if etag in _validators(request):
        response: HttpResponseBase = HttpResponse(status=304)
        return _headers(response, etag, size)
    if size is None:
        stored = found.file
        content_type = found.content_type
    else:
        try:
            made = services.ensure_thumbnails(found)
        except OSError:
            raise Http404 from None
        if not made:
            raise Http404
        stored = found.thumbnail(size)
        content_type = attachments.JPEG
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    is_pdf = content_type == attachments.PDF
    filename = (
        name
        or found.original_name
        or f"lampiran-{found.pk}.{attachments.EXTENSIONS.get(found.content_type, 'bin')}"
    )
    if size is not None:
        filename = f"{filename.rsplit('.', 1)[0]}-{size}.jpg"
    response = FileResponse(
        handle, content_type=content_type, as_attachment=is_pdf, filename=filename
    )
    return _headers(response, etag, size)


def _etag(found: Attachment, size: int | None) -> str:
    """A validator of the bytes answered: the stored name is random and never reused."""
    key = f"{found.pk}:{found.file.name}:{found.size}:{size or 0}"
    if size is not None:
        key += f":{attachments.THUMBNAIL_VERSION}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _validators(request: HttpRequest) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
    return tags


def _headers(response: HttpResponseBase, etag: str, size: int | None) -> HttpResponseBase:
    max_age = ORIGINAL_MAX_AGE if size is None else THUMBNAIL_MAX_AGE
    response["ETag"] = etag
    response["Cache-Control"] = f"private, max-age={max_age}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    patch_vary_headers(response, ("Cookie",))
    return response
