"""What every page's response carries for a phone on a weak link: compressed text, and
validators that let the browser keep a page and ask whether it changed.

* :class:`CompressText` gzips text (pages, JSON, CSV, scripts) for a client that accepts it;
  images and other files pass as they are (whitenoise serves the static files, already
  compressed by collectstatic, before this middleware).
* :class:`PageValidators` gives each page of HTML that sets no caching of its own
  ``Cache-Control: private, no-cache`` (only the reader's browser keeps it, and asks before
  using it again: the pages name people and cases) and an ETag, and answers 304 Not Modified
  when the page the browser holds is the one it would send. The CSRF token a page carries is
  masked afresh every time it is rendered (Django's protection against BREACH); the ETag
  leaves the mask out and counts the secret under it, so a page that did not change keeps its
  ETag, and a page whose token would no longer be accepted (a new secret after signing in)
  does not.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import get_conditional_response, patch_cache_control

COMPRESSED_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/manifest+json",
    "application/vnd.oai.openapi",
    "image/svg+xml",
)
MASKED_TOKEN = re.compile(
    rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % (2 * CSRF_SECRET_LENGTH)
)


class CompressText(GZipMiddleware):
    """Django's gzip (with its BREACH mitigation), for text only."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith(COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)


def _unmask(token: bytes) -> str:
    """The CSRF secret under a masked token (as ``django.middleware.csrf`` unmasks it)."""
    chars = CSRF_ALLOWED_CHARS
    text = token.decode("ascii")
    mask, cipher = text[:CSRF_SECRET_LENGTH], text[CSRF_SECRET_LENGTH:]
    return "".join(
        chars[chars.index(c) - chars.index(m)] for c, m in zip(cipher, mask, strict=True)
    )


def page_etag(content: bytes, csrf_secret: str | None) -> str:
    """The ETag of a page: its content with the masks of its CSRF tokens left out, and the
    secret under them."""
    digest = hashlib.sha256()
    if csrf_secret:
        content = MASKED_TOKEN.sub(
            lambda found: b"{csrf}" if _unmask(found.group()) == csrf_secret else found.group(),
            content,
        )
        digest.update(csrf_secret.encode())
    digest.update(content)
    return f'"{digest.hexdigest()[:32]}"'


class PageValidators:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code != 200
            or response.streaming
            or not isinstance(response, HttpResponse)
            or not response.get("Content-Type", "").startswith("text/html")
            or response.has_header("Cache-Control")
            or response.has_header("ETag")
        ):
            return response
        patch_cache_control(response, private=True, no_cache=True)
        etag = page_etag(response.content, request.META.get("CSRF_COOKIE"))
        response.headers["ETag"] = etag
        return get_conditional_response(request, etag=etag, response=response) or response
