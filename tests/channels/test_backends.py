"""The delivery backends: file and console for development, the HTTP gateway for SMS and
WhatsApp, and how settings choose one per channel."""

import json
import logging

import pytest

from casework.notifications import backends


def test_file_backend_appends_one_json_line_per_message(tmp_path):
    path = tmp_path / "outbox" / "sms.jsonl"
    backend = backends.FileBackend(path)
    backend.send(recipient="+6281234567890", subject="", body="Aspirasi LMJ-1: Diterima.")
    backend.send(recipient="+6281111111111", subject="s", body="kedua")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(m["to"], m["text"]) for m in lines] == [
        ("+6281234567890", "Aspirasi LMJ-1: Diterima."),
        ("+6281111111111", "kedua"),
    ]
    assert all(m["at"] for m in lines)


def test_console_backend_logs_the_message(caplog):
    with caplog.at_level(logging.INFO, logger="casework.notify"):
        backends.ConsoleBackend("sms").send(recipient="+62812", subject="", body="halo")
    assert "sms to +62812: halo" in caplog.text


def test_gateway_backend_posts_json_with_the_bearer_token(gateway):
    backends.HttpGatewayBackend(gateway.url, gateway.token).send(
        recipient="+6281234567890", subject="ignored", body="Kode: ABCD-EFGH-JKMN"
    )
    assert gateway.received == [
        {
            "path": "/send",
            "authorization": "Bearer gw-token-123",
            "content_type": "application/json",
            "body": {"to": "+6281234567890", "text": "Kode: ABCD-EFGH-JKMN"},
        }
    ]


def test_gateway_backend_raises_on_a_server_error(gateway):
    gateway.statuses = [500]
    with pytest.raises(RuntimeError, match="500"):
        backends.HttpGatewayBackend(gateway.url, gateway.token).send(
            recipient="+62812", subject="", body="x"
        )


@pytest.mark.parametrize("status", [400, 401, 422])
def test_gateway_refusing_the_message_is_a_permanent_error(gateway, status):
    gateway.statuses = [status]
    with pytest.raises(backends.PermanentError):
        backends.HttpGatewayBackend(gateway.url).send(recipient="+62812", subject="", body="x")


@pytest.mark.parametrize("status", [408, 429, 502, 503])
def test_gateway_busy_or_down_is_worth_another_try(gateway, status):
    gateway.statuses = [status]
    with pytest.raises(RuntimeError):
        backends.HttpGatewayBackend(gateway.url).send(recipient="+62812", subject="", body="x")


def test_gateway_unreachable_raises():
    with pytest.raises(OSError):
        backends.HttpGatewayBackend("http://127.0.0.1:9/send", timeout=1).send(
            recipient="+62812", subject="", body="x"
        )


def test_gateway_url_must_be_http():
    with pytest.raises(ValueError):
        backends.HttpGatewayBackend("file:///etc/passwd")


def test_settings_choose_the_backend_per_channel(settings, tmp_path):
    settings.ASPIRASI_NOTIFICATION_BACKENDS = {
        "email": "casework.notifications.backends.EmailBackend",
        "sms": {
            "BACKEND": "casework.notifications.backends.FileBackend",
            "OPTIONS": {"path": tmp_path / "s"},
        },
        "whatsapp": {
            "BACKEND": "casework.notifications.backends.HttpGatewayBackend",
            "OPTIONS": {"url": "https://gw.example/wa", "token": "t"},
        },
    }
    assert isinstance(backends.backend("email"), backends.EmailBackend)
    sms = backends.backend("sms")
    assert isinstance(sms, backends.FileBackend)
    assert sms.path == tmp_path / "s"
    wa = backends.backend("whatsapp")
    assert isinstance(wa, backends.HttpGatewayBackend)
    assert (wa.url, wa.token, wa.timeout) == ("https://gw.example/wa", "t", 10.0)
    settings.ASPIRASI_NOTIFICATION_BACKENDS = {}
    assert isinstance(backends.backend("email"), backends.EmailBackend)
    with pytest.raises(LookupError):
        backends.backend("sms")


def test_base_settings_use_the_gateway_when_its_url_is_set(monkeypatch):
    import importlib
    import sys

    monkeypatch.setenv("ASPIRASI_SMS_GATEWAY_URL", "https://sms.example/send")
    monkeypatch.setenv("ASPIRASI_SMS_GATEWAY_TOKEN", "secret-token")
    monkeypatch.delenv("ASPIRASI_WHATSAPP_GATEWAY_URL", raising=False)
    saved = sys.modules.pop("config.settings.base", None)
    try:
        base = importlib.import_module("config.settings.base")
        backends = base.ASPIRASI_NOTIFICATION_BACKENDS
        rates = base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    finally:
        sys.modules.pop("config.settings.base", None)
        if saved is not None:
            sys.modules["config.settings.base"] = saved
    assert backends["sms"] == {
        "BACKEND": "casework.notifications.backends.HttpGatewayBackend",
        "OPTIONS": {"url": "https://sms.example/send", "token": "secret-token"},
    }
    assert "whatsapp" not in backends  # no gateway: such messages fail visibly
    assert rates == {
        "submit": base.ASPIRASI_RATE_SUBMIT,
        "track": base.ASPIRASI_RATE_TRACK,
        "track_action": base.ASPIRASI_RATE_SUBMIT,
        "resend": base.ASPIRASI_RATE_RESEND,
    }


def test_a_redirect_from_the_gateway_is_a_failure_not_a_lost_message(gateway):
    gateway.statuses = [302]
    with pytest.raises(RuntimeError, match="302"):
        backends.HttpGatewayBackend(gateway.url).send(recipient="+62812", subject="", body="x")
    assert len(gateway.received) == 1  # not followed as a GET
