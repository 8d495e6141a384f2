"""Units (village KIM, kecamatan forums, OPD, the supervising office), categories and their
routing to OPD."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .regions import Region, RegionLevel

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

    from .process import CaseTask


class UnitKind(models.TextChoices):
    KIM = "kim", _("KIM desa")
    FORUM = "forum", _("Forum KIM Kecamatan")
    OPD = "opd", _("OPD")
    SUPERVISOR = "supervisor", _("Supervising office")


class Unit(models.Model):
    """An organisational unit: a village KIM, a kecamatan forum, an OPD or the supervising office.

    ``code`` is the region code for KIM, forum and supervisor, and a short code (``dputr``) for OPD.
    """

    if TYPE_CHECKING:
        tasks: RelatedManager[CaseTask]

    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices)
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=150)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("region"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="unit_kind_code_uniq")]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class SlaClass(models.TextChoices):
    STANDARD = "standard", _("Standard")
    COMPLEX = "complex", _("Complex")
    INFORMATION = "information", _("Information request")


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    sla_class = models.CharField(
        _("service-level class"),
        max_length=12,
        choices=SlaClass.choices,
        default=SlaClass.STANDARD,
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Default OPD for a category, optionally narrowed to one kecamatan (the narrower rule wins)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing_rules")
    kecamatan = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": RegionLevel.KECAMATAN},
        verbose_name=_("kecamatan"),
    )
    opd = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": UnitKind.OPD},
        verbose_name=_("OPD"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["category", "kecamatan"], name="routing_category_kecamatan_uniq"
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(kecamatan__isnull=True),
                name="routing_category_default_uniq",
            ),
        ]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.category} → {self.opd}"
