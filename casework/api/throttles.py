"""Abuse limits of the public API, per client IP: ``submit`` (new aspirations), ``track``
(lookups by tracking code), ``track_action`` (the citizen's actions by tracking code) and
``resend`` (the tracking link sent again, ``ASPIRASI_RATE_RESEND``).

The rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (``ASPIRASI_RATE_SUBMIT`` for
``submit`` and ``track_action``, ``ASPIRASI_RATE_TRACK`` for ``track``), read at each
request. Counting is django-ratelimit's, on the shared
cache, with the groups and client key of the web pages' limiter (:mod:`casework.ratelimit`):
a client has one budget for the pages and the API together when the pages use the same group
names. Over the limit DRF answers 429 with ``Retry-After`` and the API's error shape
``{"code": "throttled", "detail": …}``. A limit that cannot be checked (the cache is down)
lets the request through: a submission is never lost to the limiter.

Guessing a tracking code
------------------------
A tracking code is 12 symbols of Crockford base32 drawn by ``secrets``: 32**12 = 2**60
≈ 1.15e18 codes. With the default ``ASPIRASI_RATE_TRACK`` of 30/m, one client may try
30 × 60 × 24 = 43,200 codes a day. Against N = 1e6 live codes a guess hits one of them with
probability N / 32**12 ≈ 8.7e-13, so a hit takes 32**12 / N ≈ 1.15e12 guesses on average:
≈ 2.7e7 days ≈ 73,000 years for one client at the limit, and still ≈ 7 years for a botnet of
10,000 addresses each at the limit. A wrong code and a right one cost the same (a lookup
either way), and the web pages and the API share the budget (same groups, same key). Probing
through the citizen's actions is slower still: ``track_action`` runs at the submission rate
(10/h: 240 a day).
By SMS or WhatsApp a ``CEK`` counts against the sender's limit (``ASPIRASI_RATE_INBOUND``,
20/h by default), 480 a day per number.
"""

from __future__ import annotations

import logging
from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from casework.ratelimit import retry_after

log = logging.getLogger(__name__)


class ScopeThrottle(BaseThrottle):
    """Counts every request it is given against the client's limit for ``scope``."""

    scope = ""

    def __init__(self) -> None:
        self._wait: int | None = None

    def rate(self) -> str | None:
        found = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        return str(found) if found else None

    def allow_request(self, request: Request, view: Any) -> bool:
        rate = self.rate()
        if not rate:
            return True
        try:
            self._wait = retry_after(request._request, group=self.scope, rate=rate, method="ALL")
        except Exception:  # the limiter failing must not fail the request
            log.warning("API limit %s not checked", self.scope, exc_info=True)
            return True
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class SubmitThrottle(ScopeThrottle):
    scope = "submit"


class TrackThrottle(ScopeThrottle):
    scope = "track"


class CitizenActionThrottle(ScopeThrottle):
    """The citizen's actions by tracking code (as the pages: at the submission rate)."""

    scope = "track_action"


class ResendThrottle(ScopeThrottle):
    """Requests to send the tracking link again (as the page: the same group and budget)."""

    scope = "resend"
