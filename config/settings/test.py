"""Test settings: PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set (make test sets them)."""

import os

from .base import *  # noqa: F403
from .base import SECRET_KEY as _SECRET_KEY

DEBUG = False
SECRET_KEY = _SECRET_KEY or "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
if os.environ.get("EMAIL_BACKEND"):
    # worker processes started by the integration tests write their mail to files
    MAILERS = {
        "default": {
            "BACKEND": os.environ["EMAIL_BACKEND"],
            "OPTIONS": {"file_path": os.environ["EMAIL_FILE_PATH"]},
        }
    }
ALLOWED_HOSTS = ["*"]
# messages handed to the workers in the committing thread, so that a test sees the hand-over
# at once (casework.notifications.handoff.HandOff has its own tests)
ASPIRASI_NOTIFY_HANDOFF = os.environ.get("ASPIRASI_NOTIFY_HANDOFF", "direct")

# Each test process counts its own rate limits (a shared Redis would carry counts across tests).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Static files straight from the apps (no collectstatic before the browser tests), under their
# own names: the hashed names need collectstatic's manifest (tests/test_static_files.py runs
# collectstatic and checks the hashed names, their compressed copies and their caching).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
