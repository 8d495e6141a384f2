"""Reminders and escalations of task deadlines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..lifecycle import Stage
from .cases import Case
from .process import CaseTask
from .units import Unit


class EscalationKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalation")


class Escalation(models.Model):
    """A reminder (level 0) or an escalation (level 1: coordinator or OPD head; level 2:
    supervisor) of one task's deadline. One per task, kind, level and clock cycle."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    task = models.ForeignKey(CaseTask, on_delete=models.CASCADE, related_name="escalations")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=EscalationKind.choices)
    level = models.PositiveSmallIntegerField(_("level"))
    cycle = models.PositiveSmallIntegerField(default=0)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    due_at = models.DateTimeField(_("deadline"))
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "level", "cycle"], name="escalation_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["-created_at"],
                name="escalation_open",
                condition=Q(kind="escalation", acknowledged_at__isnull=True),
            ),
            models.Index(fields=["case", "created_at"], name="escalation_case"),
        ]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage} {self.kind} {self.level}"
