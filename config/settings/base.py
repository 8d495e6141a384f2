"""Settings shared by every environment, read from the environment with embedded defaults.

Nothing set: SQLite under ``var/``, an embedded Celery broker on the file system.
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("ASPIRASI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Salt of the keys that encrypt reporters' phone numbers and NIK at rest (with SECRET_KEY and
# SECRET_KEY_FALLBACKS: rotate SECRET_KEY by moving the old one to the fallbacks).
SALT_KEY = os.environ.get("ASPIRASI_SALT_KEY", "aspirasi-reporter-data").split(",")
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k]
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "config.apps.StaticFiles",
    "config.apps.LocalFolders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    # casework first: its templates override viewflow's chart template
    "casework",
    "workflows",
    "viewflow",
    "viewflow.workflow",
]
# viewflow's own site and its Turbo form handling are not used (the officers' app is
# casework.web): don't let viewflow add their middleware to every request
VIEWFLOW = {"AUTOREGISTER": False}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # pages and JSON gzipped, pages with validators (config.middleware)
    "config.middleware.CompressText",
    "config.middleware.PageValidators",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'aspirasi.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Waiting on a row lock longer than this is a conflict, not a hang.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "options", f"-c lock_timeout={os.environ.get('DB_LOCK_TIMEOUT_MS', '5000')}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and two worker processes share the embedded database. A transaction
    # that reads before it writes (a worker taking a message, then marking it sent) must
    # take the write lock at BEGIN: two deferred ones that both read first cannot both
    # upgrade, and SQLite fails one at once with "database is locked" instead of waiting.
    # WAL lets the pages read while a worker writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "casework.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# collectstatic writes each file under a name carrying a hash of its content, with a gzip and a
# Brotli copy; pages name the hashed files, which whitenoise serves with a cache lifetime of
# years ("immutable"): a changed file gets a new name. Without DEBUG, the pages need the
# manifest that collectstatic writes (`make run` and deployments run it).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Aspirasi -----------------------------------------------------------------
# Short code of the kabupaten used in public case numbers (LMJ-2611-00042).
ASPIRASI_CASE_PREFIX = os.environ.get("ASPIRASI_CASE_PREFIX", "LMJ")
# Kemendagri code of the kabupaten this deployment serves.
ASPIRASI_KABUPATEN_CODE = os.environ.get("ASPIRASI_KABUPATEN_CODE", "35.08")
# Close of business in WIB: deadlines fall at this time of their working day.
ASPIRASI_CLOSE_OF_BUSINESS = os.environ.get("ASPIRASI_CLOSE_OF_BUSINESS", "16:00")
# Largest file accepted as an attachment (three at most per submission).
ASPIRASI_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("ASPIRASI_ATTACHMENT_MAX_BYTES", str(5 * 1024 * 1024))
)
# Due tasks handled per sweep transaction.
ASPIRASI_SWEEP_BATCH = int(os.environ.get("ASPIRASI_SWEEP_BATCH", "1000"))

# --- REST API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "casework.api.pagination.CasePagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "casework.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Aspirasi API",
    "DESCRIPTION": "Case management for community aspirations (KIM, Forum KIM Kecamatan, OPD).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "LICENSE": {"name": "AGPL-3.0-or-later"},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "casework.models.CaseStatus.choices",
        "PriorityEnum": "casework.models.Priority.choices",
        "ChannelEnum": "casework.models.Channel.choices",
        "ConfidentialityEnum": "casework.models.Confidentiality.choices",
    },
}

# --- Cache (rate limits, shared by all processes) ------------------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": os.environ.get("CACHE_REDIS_URL", os.environ["REDIS_URL"]),
            "KEY_PREFIX": "aspirasi",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# Abuse limits per client (rate strings "N/s|m|h|d"). A limit that cannot be checked (cache
# down) lets the request through: a citizen's submission is never lost to a limiter.
ASPIRASI_RATE_SUBMIT = os.environ.get("ASPIRASI_RATE_SUBMIT", "10/h")
ASPIRASI_RATE_TRACK = os.environ.get("ASPIRASI_RATE_TRACK", "30/m")
# requests to send the tracking link again (by case number and contact), per client
ASPIRASI_RATE_RESEND = os.environ.get("ASPIRASI_RATE_RESEND", "5/h")
RATELIMIT_FAIL_OPEN = True
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None

# --- Notification channels, inbound messages and API throttles (casework.notify, -----------
# casework.inbound, casework.api.throttles)
# SMS and WhatsApp go through an HTTP gateway when its URL is set (POST {"to", "text"} with
# "Authorization: Bearer <token>"); without one, messages on that channel fail and are kept
# in the outbox with the error (config.settings.dev writes them to var/outbox/ instead).
ASPIRASI_SMS_GATEWAY_URL = os.environ.get("ASPIRASI_SMS_GATEWAY_URL", "")
ASPIRASI_SMS_GATEWAY_TOKEN = os.environ.get("ASPIRASI_SMS_GATEWAY_TOKEN", "")
ASPIRASI_WHATSAPP_GATEWAY_URL = os.environ.get("ASPIRASI_WHATSAPP_GATEWAY_URL", "")
ASPIRASI_WHATSAPP_GATEWAY_TOKEN = os.environ.get("ASPIRASI_WHATSAPP_GATEWAY_TOKEN", "")
# The site's public address, as citizens reach it: the links in their messages point there
# (https://aspirasi.example.go.id; production's default is https:// and the first of
# ALLOWED_HOSTS).
ASPIRASI_PUBLIC_URL = os.environ.get("ASPIRASI_PUBLIC_URL", "").rstrip("/")
if not ASPIRASI_PUBLIC_URL:
    ASPIRASI_PUBLIC_URL = "http://127.0.0.1:8000"
# Parts of a concatenated SMS the gateway sends as one message (160 characters alone, 153 each
# when several); longer text is shortened between words.
ASPIRASI_SMS_MAX_PARTS = int(os.environ.get("ASPIRASI_SMS_MAX_PARTS", "2"))
# How committed messages reach the workers: "background" (a thread per process publishes
# them, every commit of a 20 ms window in one task message) or "direct" (each commit publishes
# its own, in the request's thread)
ASPIRASI_NOTIFY_HANDOFF = os.environ.get("ASPIRASI_NOTIFY_HANDOFF", "background")
# channel -> "dotted.path.Backend" or {"BACKEND": dotted path, "OPTIONS": {keyword arguments}}
ASPIRASI_NOTIFICATION_BACKENDS: dict = {
    "email": {"BACKEND": "casework.notifications.backends.EmailBackend"}
}
for _channel, _url, _token in (
    ("sms", ASPIRASI_SMS_GATEWAY_URL, ASPIRASI_SMS_GATEWAY_TOKEN),
    ("whatsapp", ASPIRASI_WHATSAPP_GATEWAY_URL, ASPIRASI_WHATSAPP_GATEWAY_TOKEN),
):
    if _url:
        ASPIRASI_NOTIFICATION_BACKENDS[_channel] = {
            "BACKEND": "casework.notifications.backends.HttpGatewayBackend",
            "OPTIONS": {"url": _url, "token": _token},
        }
# Shared secret the gateways sign inbound messages with (HMAC-SHA256); unset: the inbound
# webhook answers 503.
ASPIRASI_INBOUND_SECRET = os.environ.get("ASPIRASI_INBOUND_SECRET", "")
# Messages one phone number may send to the inbound webhook.
ASPIRASI_RATE_INBOUND = os.environ.get("ASPIRASI_RATE_INBOUND", "20/h")
# The API's public endpoints share the pages' limits (casework.api.throttles).
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "submit": ASPIRASI_RATE_SUBMIT,
    "track": ASPIRASI_RATE_TRACK,
    "track_action": ASPIRASI_RATE_SUBMIT,
    "resend": ASPIRASI_RATE_RESEND,
}
# --- end of notification channels, inbound messages and API throttles -----------------------

# --- Celery -----------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_DATA_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # an unacknowledged task (its worker died) is delivered again after this many seconds
    # (checked every interval × throttle seconds)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
        "unacked_restore_interval": int(os.environ.get("CELERY_RESTORE_INTERVAL", "10")),
        "unacked_restore_throttle": int(os.environ.get("CELERY_RESTORE_THROTTLE", "10")),
    }
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_LOCK_TIMEOUT = 300
else:
    # Embedded broker: messages are files under var/celery, shared by web, worker and beat.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "out"),
        "data_folder_out": str(CELERY_DATA_DIR / "out"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
    CELERY_BEAT_SCHEDULER = "celery.beat:PersistentScheduler"
    CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DATA_DIR / "beat-schedule")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = False
# A web request must not hang on a broker outage: one quick try, then the outbox and the
# next sweep take over.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("CELERY_BROKER_CONNECTION_TIMEOUT", "2"))
CELERY_BEAT_SCHEDULE = {
    "sweep-due-work": {
        "task": "workflows.tasks.sweep_due_work",
        "schedule": float(os.environ.get("ASPIRASI_SWEEP_SECONDS", "60")),
        "options": {"expires": 55},
    },
    "purge-idempotency-keys": {
        "task": "casework.tasks.purge_idempotency_keys",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "purge-held-files": {
        "task": "casework.tasks.purge_held_files",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}

MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": os.environ.get("EMAIL_HOST"),
                "port": int(os.environ["EMAIL_PORT"]) if os.environ.get("EMAIL_PORT") else None,
                "username": os.environ.get("EMAIL_HOST_USER"),
                "password": os.environ.get("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False) or None,
            }.items()
            if value is not None
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "aspirasi@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Folders of this machine the configuration above writes to, created when Django starts
# (config.apps.LocalFolders), never when the settings are read: the SQLite database's, the
# collected static files', and the embedded broker's.
LOCAL_FOLDERS = [STATIC_ROOT]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    LOCAL_FOLDERS.append(Path(DATABASES["default"]["NAME"]).parent)
if not REDIS_URL:
    LOCAL_FOLDERS += [CELERY_DATA_DIR / sub for sub in ("out", "processed", "control")]
