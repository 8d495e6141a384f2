"""The supervisor's acknowledgement of an escalation."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..actions import declarations as d
from ..actions import implements
from ..errors import Conflict, NotFound, PermissionDenied
from ..models import Escalation, User
from . import kernel


@implements(d.ACKNOWLEDGE)
def acknowledge_escalation(*, escalation_id: int, actor: User, comment: str) -> Escalation:
    """A supervisor has seen an escalation and says what is being done about it."""
    policy = d.ACKNOWLEDGE.policy
    assert policy is not None and hasattr(policy, "allows")
    if not policy.allows(actor):
        raise PermissionDenied(_("Your role may not take this action."))
    comment = kernel.text(comment, "comment")
    with transaction.atomic():
        escalation = (
            selectors.escalations_for(actor)
            .select_for_update(of=("self",))
            .filter(pk=escalation_id)
            .first()
        )
        if escalation is None:
            raise NotFound(_("No such escalation."))
        if escalation.acknowledged_at is not None:
            raise Conflict(_("This escalation was already acknowledged."), code="acknowledged")
        escalation.acknowledged_at = timezone.now()
        escalation.acknowledged_by = actor
        escalation.comment = comment
        escalation.save(update_fields=["acknowledged_at", "acknowledged_by", "comment"])
        case = escalation.case
        audit = kernel.Audit(case, actor)
        audit.add(
            "acknowledge",
            case.status,
            case.status,
            escalation=escalation.pk,
            stage=escalation.stage,
            level=escalation.level,
            comment=comment,
        )
        audit.write()
    return escalation
