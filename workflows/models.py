"""Service-level configuration an administrator manages: holiday changes and policies."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Category, Priority, Stage


class SlaStage(models.TextChoices):
    VERIFICATION = Stage.VERIFICATION.value, Stage.VERIFICATION.label
    TRIAGE = Stage.TRIAGE.value, Stage.TRIAGE.label
    OPD_ACCEPTANCE = Stage.OPD_ACCEPTANCE.value, Stage.OPD_ACCEPTANCE.label
    OPD_RESPONSE = Stage.OPD_RESPONSE.value, Stage.OPD_RESPONSE.label
    CONFIRMATION = Stage.CONFIRMATION.value, Stage.CONFIRMATION.label
    END_TO_END = "end_to_end", _("End to end")


class HolidayChange(models.Model):
    """A day an administrator adds as a holiday (a decree at short notice) or removes from the
    national calendar (a holiday worked in this kabupaten)."""

    date = models.DateField(_("date"), unique=True)
    is_holiday = models.BooleanField(
        _("holiday"),
        default=True,
        help_text=_("Checked: the day is a holiday. Unchecked: the day is a working day."),
    )
    name = models.CharField(_("name or decree"), max_length=150)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday change")
        verbose_name_plural = _("holiday changes")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(models.Model):
    """Working days allowed for a stage, optionally for one category and/or priority.
    The most specific policy wins: category and priority, category, priority, stage."""

    stage = models.CharField(_("stage"), max_length=16, choices=SlaStage.choices)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("category")
    )
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, blank=True)
    working_days = models.PositiveSmallIntegerField(
        _("time allowed"),
        help_text=_("Working days; for the end-to-end target, calendar days."),
    )

    class Meta:
        ordering = ["stage", "category", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "category", "priority"], name="sla_policy_uniq"
            ),
            models.UniqueConstraint(
                fields=["stage", "priority"],
                condition=Q(category__isnull=True),
                name="sla_policy_no_category_uniq",
            ),
        ]
        verbose_name = _("service-level policy")
        verbose_name_plural = _("service-level policies")

    def __str__(self) -> str:
        scope = " / ".join(str(x) for x in (self.category, self.get_priority_display()) if x)
        return f"{self.get_stage_display()} {scope}: {self.working_days}"
