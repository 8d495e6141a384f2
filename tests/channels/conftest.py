"""Fixtures of the channel tests: a private cache per test, officers with e-mail addresses,
and a stand-in SMS/WhatsApp gateway on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture(autouse=True)
def _private_cache(settings, request):
    """Each test counts its own rate limits."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"channels-{request.node.nodeid}",
        }
    }


@pytest.fixture
def people(officers):
    """The officers of tests/conftest.py, each with an e-mail address."""
    for key, user in officers.items():
        user.email = f"{key}@lumajangkab.go.id"
        user.save(update_fields=["email"])
    return officers


@dataclass
class Gateway:
    """What the stand-in gateway received, and the statuses it answers with in turn (200
    once they are used up)."""

    url: str
    token: str
    received: list[dict] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else 200


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state: dict[str, Gateway] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            gw = state["gw"]
            with gw.lock:
                gw.received.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "content_type": self.headers.get("Content-Type"),
                        "body": json.loads(raw or b"null"),
                    }
                )
            status = gw.next_status()
            payload = json.dumps({"ok": status < 300}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    state["gw"] = Gateway(url=f"http://127.0.0.1:{port}/send", token="gw-token-123")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["gw"]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sms_gateway(settings, gateway):
    """SMS and WhatsApp messages go to the stand-in gateway."""
    options = {"url": gateway.url, "token": gateway.token}
    settings.ASPIRASI_NOTIFICATION_BACKENDS = {
        "email": "casework.notifications.backends.EmailBackend",
        "sms": {
            "BACKEND": "casework.notifications.backends.HttpGatewayBackend",
            "OPTIONS": options,
        },
        "whatsapp": {
            "BACKEND": "casework.notifications.backends.HttpGatewayBackend",
            "OPTIONS": options,
        },
    }
    return gateway
