"""Officers: one unit, one role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .units import Unit, UnitKind

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

    from .process import CaseTask


class Role(models.TextChoices):
    KIM_OPERATOR = "kim_operator", _("KIM desa operator")
    FORUM_OFFICER = "forum_officer", _("Forum officer")
    FORUM_COORDINATOR = "forum_coordinator", _("Forum coordinator")
    OPD_OFFICER = "opd_officer", _("OPD officer")
    OPD_HEAD = "opd_head", _("OPD head")
    SUPERVISOR = "supervisor", _("Supervisor")


ROLE_UNIT_KIND = {
    Role.KIM_OPERATOR: UnitKind.KIM,
    Role.FORUM_OFFICER: UnitKind.FORUM,
    Role.FORUM_COORDINATOR: UnitKind.FORUM,
    Role.OPD_OFFICER: UnitKind.OPD,
    Role.OPD_HEAD: UnitKind.OPD,
    Role.SUPERVISOR: UnitKind.SUPERVISOR,
}
MANAGER_ROLES = frozenset({Role.FORUM_COORDINATOR, Role.OPD_HEAD, Role.SUPERVISOR})
FORUM_ROLES = frozenset({Role.FORUM_OFFICER, Role.FORUM_COORDINATOR})
OPD_ROLES = frozenset({Role.OPD_OFFICER, Role.OPD_HEAD})


class User(AbstractUser):
    """An officer belongs to one unit with one role; an administrator may have neither."""

    if TYPE_CHECKING:
        casetask_set: RelatedManager[CaseTask]

    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("unit"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.CheckConstraint(
                condition=Q(role="", unit__isnull=True) | (~Q(role="") & Q(unit__isnull=False)),
                name="user_role_needs_unit",
            )
        ]
