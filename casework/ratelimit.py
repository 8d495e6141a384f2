"""Abuse limits per client, on the cache shared by all processes (django-ratelimit).

A limit that cannot be checked (the cache is down) lets the request through: a citizen's
submission is never lost to a limiter.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django_ratelimit import core as ratelimit_core
from django_ratelimit.core import get_usage

log = logging.getLogger(__name__)


def retry_after(request: HttpRequest, *, group: str, rate: str, method: str = "POST") -> int | None:
    """Count this request against the client's limit; seconds to wait when over it, else None."""
    if request.method != method and method != "ALL":
        return None
    try:
        cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
        if hasattr(cache, "count"):
            return _retry_after_counted(cache, request, group=group, rate=rate)
        usage = get_usage(request, group=group, key="ip", rate=rate, increment=True)
    except Exception:  # noqa: BLE001  (cache down: fail open)
        log.warning("rate limit %s not checked: cache unavailable", group)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))


def _retry_after_counted(cache: Any, request: HttpRequest, *, group: str, rate: str) -> int | None:
    """django-ratelimit's fixed window (its client key, window and counter key, so the pages
    and the API share a client's budget), counted in one round trip by the Redis cache's
    ``count`` instead of its ``add`` then ``incr``."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    limit, period = ratelimit_core._split_rate(rate)
    client = ratelimit_core._SIMPLE_KEYS["ip"](request)
    window = ratelimit_core._get_window(client, period)
    key = ratelimit_core._make_cache_key(group, window, rate, client, ratelimit_core.ALL)
    if cache.count(key, period + ratelimit_core.EXPIRATION_FUDGE) <= limit:
        return None
    return max(1, int(window - time.time()))


def limit(group: str, setting: str, method: str = "POST") -> Callable:
    """View decorator: over the limit the view answers 429 with Retry-After."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            wait = retry_after(request, group=group, rate=getattr(settings, setting), method=method)
            if wait is not None:
                response = TemplateResponse(
                    request, "rate_limited.html", {"retry_after": wait}, status=429
                )
                response["Retry-After"] = str(wait)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
