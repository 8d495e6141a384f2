"""Idempotency keys: a client's key for one submission, and the case it created."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .cases import Case


class IdempotencyKey(models.Model):
    """A submission's key, written in the transaction of the case it created: the same key
    again answers with that case (and the answer stored here), never a second case.

    ``scope`` is the client the key belongs to (an officer, the anonymous public, a
    gateway's channel); ``fingerprint`` the SHA-256 of the request that used it first, so the
    key cannot be used again for another request. Rows are purged after their retention."""

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
