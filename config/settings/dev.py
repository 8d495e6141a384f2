"""Development settings: the embedded default used by ``make run``."""

import os

from .base import *  # noqa: F403
from .base import SECRET_KEY as _SECRET_KEY
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = _SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = ["*"]

if not os.environ.get("EMAIL_BACKEND"):
    # mail is printed by the worker instead of sent
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# SMS and WhatsApp without a gateway: one JSON line per message in var/outbox/<channel>.jsonl
for _channel in ("sms", "whatsapp"):
    ASPIRASI_NOTIFICATION_BACKENDS.setdefault(
        _channel,
        {
            "BACKEND": "casework.notifications.backends.FileBackend",
            "OPTIONS": {"path": str(VAR_DIR / "outbox" / f"{_channel}.jsonl")},
        },
    )
# the inbound webhook works out of the box in development (never in production)
ASPIRASI_INBOUND_SECRET = os.environ.get("ASPIRASI_INBOUND_SECRET", "dev-inbound-secret")
