"""The outbox: messages written in the transaction of their cause, sent later by a worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cases import Case


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """Outbox: a message written in the transaction of its cause, sent later by a worker.

    A broker outage delays it, never loses it: the sweep hands pending ones to the workers
    again. ``key`` makes the message unique (one reminder per task, level and cycle)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=12, default="email")
    recipient = models.CharField(_("recipient"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    template = models.CharField(max_length=60)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # a failed message is tried again at this time (backing off), until MAX_ATTEMPTS
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="notification_pending",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["case", "created_at"], name="notification_case"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient} ({self.status})"
