"""The Celery application: broker from REDIS_URL, or the embedded file-system broker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("aspirasi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
