"""The models of casework, one module per part of the domain: the region tree
(:mod:`.regions`), units, categories and routing (:mod:`.units`), officers (:mod:`.people`),
the case and its OPD assignments (:mod:`.cases`), the audit trail (:mod:`.audit`), the process
engine's tables (:mod:`.process`), the outbox (:mod:`.outbox`), reminders and escalations
(:mod:`.escalations`) and attachments (:mod:`.attachments`). The lifecycle's choices live in
:mod:`casework.lifecycle`; they are exported here too."""

from ..lifecycle import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    OPEN_TASK_STATUSES,
    AssignmentStatus,
    CaseStatus,
    Stage,
)
from .attachments import Attachment
from .audit import CaseEvent
from .cases import (
    Assignment,
    Case,
    CaseNumberCounter,
    Channel,
    Confidentiality,
    NotifyChannel,
    Priority,
    ReceivedVia,
)
from .escalations import Escalation, EscalationKind
from .idempotency import IdempotencyKey
from .outbox import Notification, NotificationStatus
from .people import FORUM_ROLES, MANAGER_ROLES, OPD_ROLES, ROLE_UNIT_KIND, Role, User
from .process import CaseProcess, CaseTask
from .regions import Region, RegionLevel
from .units import Category, RoutingRule, SlaClass, Unit, UnitKind

__all__ = [
    "FINAL_STATUSES",
    "FORUM_ROLES",
    "MANAGER_ROLES",
    "OPD_ROLES",
    "OPEN_STATUSES",
    "OPEN_TASK_STATUSES",
    "ROLE_UNIT_KIND",
    "Assignment",
    "AssignmentStatus",
    "Attachment",
    "Case",
    "CaseEvent",
    "CaseNumberCounter",
    "CaseProcess",
    "CaseStatus",
    "CaseTask",
    "Category",
    "Channel",
    "Confidentiality",
    "Escalation",
    "EscalationKind",
    "IdempotencyKey",
    "Notification",
    "NotificationStatus",
    "NotifyChannel",
    "Priority",
    "ReceivedVia",
    "Region",
    "RegionLevel",
    "Role",
    "RoutingRule",
    "SlaClass",
    "Stage",
    "Unit",
    "UnitKind",
    "User",
]
