"""Backends that deliver one message each: e-mail through Django's mailer, SMS and WhatsApp
through an HTTP gateway (:class:`HttpGatewayBackend`); :class:`FileBackend` and
:class:`ConsoleBackend` stand in for a gateway in development and tests.
``ASPIRASI_NOTIFICATION_BACKENDS`` maps a channel to a backend's dotted path and its options."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

GATEWAY_TIMEOUT = 10.0  # seconds


class Backend(Protocol):
    def send(self, *, recipient: str, subject: str, body: str) -> None:
        """Deliver one message or raise."""


class PermanentError(Exception):
    """A failure that trying again cannot fix (the gateway refused the message itself)."""


class EmailBackend:
    def send(self, *, recipient: str, subject: str, body: str) -> None:
        send_mail(subject, body, None, [recipient])


class ConsoleBackend:
    """Logs the message instead of sending it (development)."""

    def __init__(self, channel: str = "") -> None:
        self.channel = channel

    def send(self, *, recipient: str, subject: str, body: str) -> None:
        log.info("%s to %s: %s", self.channel or "message", recipient, body)


class FileBackend:
    """Appends each message as one JSON line to a file (development and tests), e.g.
    ``var/outbox/sms.jsonl``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def send(self, *, recipient: str, subject: str, body: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "at": timezone.now().isoformat(),
                "to": recipient,
                "subject": subject,
                "text": body,
            },
            ensure_ascii=False,
        )
        with self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET and lose the message: it is a failure."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


class HttpGatewayBackend:
    """An SMS or WhatsApp gateway reached over HTTPS: ``POST {"to": …, "text": …}`` with
    ``Authorization: Bearer <token>``; any answer other than 2xx is a failure (a 4xx other
    than 408 and 429 a permanent one: the gateway refused the message itself)."""

    def __init__(self, url: str, token: str = "", timeout: float = GATEWAY_TIMEOUT) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError("the gateway URL must be http(s)")
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, *, recipient: str, subject: str, body: str) -> None:
        data = json.dumps({"to": recipient, "text": body}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")  # noqa: S310  (scheme checked above)
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                status = response.status
                response.read(1024)
        except urllib.error.HTTPError as exc:
            detail = exc.read(200).decode("utf-8", "replace").strip()
            message = f"gateway answered {exc.code}: {detail}".strip(": ")
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PermanentError(message) from None
            raise RuntimeError(message) from None
        if not 200 <= status < 300:
            raise RuntimeError(f"gateway answered {status}")


def backend(channel: str) -> Backend:
    """The backend configured for a channel: ``ASPIRASI_NOTIFICATION_BACKENDS[channel]`` is a
    dotted path, or ``{"BACKEND": dotted path, "OPTIONS": {keyword arguments}}``."""
    configured = getattr(settings, "ASPIRASI_NOTIFICATION_BACKENDS", {}).get(channel)
    if configured is None:
        if channel == "email":
            return EmailBackend()
        raise LookupError(f"no notification backend for channel {channel!r}")
    if isinstance(configured, str):
        return import_string(configured)()
    return import_string(configured["BACKEND"])(**configured.get("OPTIONS", {}))
