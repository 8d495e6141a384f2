"""Every action of the lifecycle, declared once, in the order the pages offer them.

Each declaration is read by: the API (its endpoint, input serializer and OpenAPI operation),
the officers' case page and the public tracking page (the form, its button and what the page
says afterwards), :func:`casework.actions.allowed` (what is offered), the service's own
permission check (what is accepted), the audit timelines (officers' and public), the outbox
(who is told) and ``manage.py lifecycle_docs`` (docs/lifecycle.md). Its outcome for the case
status and the process is its rows in :data:`casework.lifecycle.OUTCOMES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils.translation import gettext_lazy as _

from ..lifecycle import CaseStatus, Stage
from ..models import (
    FORUM_ROLES,
    OPD_ROLES,
    CaseEvent,
    Channel,
    Confidentiality,
    NotifyChannel,
    Priority,
    ReceivedVia,
    Role,
)
from . import schema as sc
from .policy import (
    Anyone,
    ClaimTask,
    InScope,
    Nobody,
    OnTask,
    ReassignTask,
    ReleaseTask,
    Reporter,
    SupervisorOnly,
)
from .registry import ESCALATION, INTAKE, RECORDED, Action, Notify, Public, declare

S = CaseStatus
KIM = Role.KIM_OPERATOR


def _roles(roles: Iterable[str], stages: Sequence[str]) -> dict[str, Sequence[str]]:
    """These roles work on tasks of these stages."""
    return dict.fromkeys(roles, stages)


VILLAGE = (Stage.VERIFICATION,)
TRIAGE = (Stage.TRIAGE,)
# the village KIM verifies; the forum triages
VILLAGE_OR_TRIAGE: dict[str, Sequence[str]] = {KIM: VILLAGE, **_roles(FORUM_ROLES, TRIAGE)}
# the forum works on a case from its queue (claimed on the way) or in triage
TRIAGE_STATUSES = frozenset({S.FORWARDED, S.IN_TRIAGE})
OPD_STATUSES = frozenset({S.DISPATCHED, S.IN_PROGRESS})
REPLIED_CHANNELS = frozenset({Channel.SMS, Channel.WHATSAPP})


def _answered(event: CaseEvent) -> bool:
    """An OPD's response or decline that leaves the case answered."""
    return event.to_status == S.RESPONDED


def _submission_heard(event: CaseEvent) -> bool:
    """A submission by SMS or WhatsApp is acknowledged in the reply to the message itself."""
    case = event.case
    return not (case.channel in REPLIED_CHANNELS and case.notify_channel == case.channel)


def _new_case_stage(event: CaseEvent) -> str:
    return Stage.VERIFICATION if event.to_status == S.RECEIVED else Stage.TRIAGE


def _back_to_triage(event: CaseEvent) -> str | None:
    return Stage.TRIAGE if event.to_status == S.IN_TRIAGE else None


# ----------------------------------------------------------------------------- queue work

CLAIM = declare(
    Action(
        "claim",
        event=_("Task claimed"),
        policy=ClaimTask(),
        label=_("Claim"),
        summary=_("Take the case's open task of my unit"),
        done=_("Task claimed."),
        effect="takes the current task; a forum claim moves `forwarded` → `in_triage`",
    )
)
RELEASE = declare(
    Action(
        "release",
        event=_("Task released"),
        policy=ReleaseTask(),
        label=_("Release"),
        tone="secondary",
        summary=_("Give my task of the case back to the unit's queue"),
        done=_("Task released."),
        effect="gives back the current task; a forum release moves `in_triage` → `forwarded`",
    )
)

# ----------------------------------------------------------------------------- the work

VERIFY = declare(
    Action(
        "verify",
        event=_("Verified by the village KIM"),
        policy=OnTask({KIM: VILLAGE}, frozenset({S.RECEIVED})),
        label=_("Verify and forward to the forum"),
        summary=_("Verify a case of my desa and forward it to the forum"),
        done=_("Verified and forwarded to the kecamatan forum."),
        public=Public(_("Verified by the village KIM")),
        notify=Notify(reporter=True, new_work=Stage.TRIAGE),
        effect="`received` → `forwarded`",
    )
)
ACCEPT = declare(
    Action(
        "accept",
        event=_("Accepted by an OPD"),
        policy=OnTask(_roles(OPD_ROLES, (Stage.OPD_ACCEPTANCE,)), OPD_STATUSES),
        label=_("Accept"),
        summary=_("Accept my OPD's assignment"),
        done=_("Accepted."),
        public=Public(_("Accepted by an agency (OPD)")),
        effect="the OPD's assignment accepted; case `dispatched` → `in_progress`",
    )
)
RESPOND = declare(
    Action(
        "respond",
        event=_("Follow-up recorded by an OPD"),
        policy=OnTask(_roles(OPD_ROLES, (Stage.OPD_RESPONSE,)), frozenset({S.IN_PROGRESS})),
        input=sc.Schema((sc.text("response", _("answer")), sc.files())),
        label=_("Record the follow-up"),
        summary=_("Record my OPD's follow-up"),
        done=_("Follow-up recorded."),
        public=Public(_("Follow-up recorded by an agency (OPD)"), payload=("response",)),
        notify=Notify(reporter=_answered, payload=("response",)),
        effect="the OPD's follow-up recorded; when every assignment has responded, "
        "case → `responded`",
    )
)
DISPATCH = declare(
    Action(
        "dispatch",
        event=_("Dispatched to OPD"),
        policy=OnTask(_roles(FORUM_ROLES, TRIAGE), TRIAGE_STATUSES),
        input=sc.Schema(
            (
                sc.Field("opds", "codes", _("OPD"), max_length=32, min_items=1, max_items=20),
                sc.Field("category", "slug", _("category"), required=False, max_length=40),
                sc.Field("priority", "choice", _("priority"), required=False, choices=Priority),
                sc.text("note", _("dispatch note"), required=False),
            )
        ),
        label=_("Dispatch to OPD"),
        summary=_("Dispatch to one or more OPD"),
        done=_("Dispatched."),
        public=Public(_("Forwarded to the agencies (OPD)")),
        notify=Notify(reporter=True, new_work=Stage.OPD_ACCEPTANCE),
        effect="`in_triage` → `dispatched`, to one or more OPD, with category and priority",
    )
)
RESOLVE = declare(
    Action(
        "resolve",
        event=_("Answered by the forum"),
        policy=OnTask(_roles(FORUM_ROLES, TRIAGE), TRIAGE_STATUSES),
        input=sc.Schema((sc.text("response", _("answer")),)),
        label=_("Answer at forum level"),
        summary=_("Answer at forum level"),
        done=_("Answer recorded; the reporter is asked to confirm."),
        public=Public(_("Answered by the Forum KIM Kecamatan"), payload=("response",)),
        notify=Notify(reporter=True, payload=("response",)),
        effect="`in_triage` → `responded`: answered at forum level (information requests)",
    )
)
REQUEST_INFO = declare(
    Action(
        "request_info",
        event=_("More information requested"),
        policy=OnTask(VILLAGE_OR_TRIAGE, frozenset({S.RECEIVED, *TRIAGE_STATUSES})),
        input=sc.Schema((sc.text("question", _("question")),)),
        label=_("Ask for more information"),
        summary=_("Ask the reporter for more information"),
        done=_("The question was sent; the case waits for the answer."),
        public=Public(_("More information requested"), payload=("question",)),
        notify=Notify(reporter=True, payload=("question",)),
        effect="→ `needs_info`, with a question for the citizen; the stage's clock stops",
    )
)
PROVIDE_INFO = declare(
    Action(
        "provide_info",
        event=_("Information supplied"),
        policy=InScope(frozenset({KIM}), frozenset({S.NEEDS_INFO})),
        reporter=Reporter(
            frozenset({S.NEEDS_INFO}),
            summary=_("Supply the information the case waits for"),
            done=_("Thank you: your information was sent to the officers."),
        ),
        input=sc.Schema((sc.text("text", _("information")), sc.files())),
        label=_("Supply the requested information"),
        summary=_("Supply the requested information (KIM operator)"),
        done=_("Information recorded; the case is back in its queue."),
        public=Public(_("Information supplied")),
        effect="`needs_info` → back to the stage that asked, whose clock starts again",
    )
)
MERGE = declare(
    Action(
        "merge",
        event=_("Merged"),
        policy=OnTask(_roles(FORUM_ROLES, TRIAGE), TRIAGE_STATUSES),
        input=sc.Schema((sc.Field("into", "line", _("case number to merge into"), max_length=20),)),
        label=_("Merge into another case"),
        summary=_("Merge into another open case of the kecamatan"),
        done=_("Merged."),
        public=Public(_("Merged with a similar aspiration")),
        # the merged case's reporter; the target's hears nothing new
        notify=Notify(reporter=lambda event: "into" in event.payload, payload=("into",)),
        effect="`in_triage` → `merged` into another open case of the same kecamatan; "
        "the target counts one more supporter",
    )
)
REJECT = declare(
    Action(
        "reject",
        event=_("Rejected"),
        policy=OnTask(VILLAGE_OR_TRIAGE, frozenset({S.RECEIVED, *TRIAGE_STATUSES, S.NEEDS_INFO})),
        input=sc.Schema((sc.text("reason", _("reason")),)),
        label=_("Reject"),
        tone="danger",
        summary=_("Reject, with a reason"),
        done=_("Rejected."),
        public=Public(_("Rejected"), payload=("reason",)),
        notify=Notify(reporter=True, payload=("reason",)),
        effect="→ `rejected`, with a reason",
    )
)
DECLINE = declare(
    Action(
        "decline",
        event=_("Declined by an OPD (not its authority)"),
        policy=OnTask(_roles(OPD_ROLES, (Stage.OPD_ACCEPTANCE, Stage.OPD_RESPONSE)), OPD_STATUSES),
        input=sc.Schema(
            (
                sc.text("reason", _("reason")),
                sc.Field(
                    "suggested_opd", "code", _("suggested OPD"), required=False, max_length=32
                ),
            )
        ),
        label=_("Decline: not our authority"),
        tone="danger",
        summary=_("Decline my OPD's assignment as not its authority"),
        done=_("Declined."),
        public=Public(_("Returned by an agency (not its authority)")),
        # the reason is internal: the reporter hears only that the case is answered
        notify=Notify(reporter=_answered, new_work=_back_to_triage, work_payload=("reason",)),
        effect="the OPD's assignment declined as bukan wewenang, with a reason; when no OPD "
        "remains, the case returns to the forum (`in_triage`)",
    )
)
REASSIGN = declare(
    Action(
        "reassign",
        event=_("Task reassigned"),
        policy=ReassignTask(),
        input=sc.Schema(
            (
                sc.Field("to", "code", _("officer's username"), max_length=150),
                sc.Field(
                    "task",
                    "int",
                    _("task"),
                    required=False,
                    arg="task_id",
                    help_text=_("Needed only when several tasks of the case are open."),
                ),
            )
        ),
        label=_("Reassign"),
        summary=_("Give an open task to a named officer of its unit"),
        done=_("Task reassigned."),
        effect="gives the current task to a named officer of the same unit",
    )
)

# ----------------------------------------------------------------------------- the reporter

CONFIRM = declare(
    Action(
        "confirm",
        event=_("Confirmed by the reporter"),
        reporter=Reporter(
            frozenset({S.RESPONDED}),
            summary=_("Confirm the answer, with a rating from 1 to 5"),
            done=_("Thank you: you confirmed the answer and the case is closed."),
        ),
        input=sc.Schema(
            (
                sc.Field("rating", "int", _("rating"), min_value=1, max_value=5),
                sc.text("comment", _("comment"), required=False),
            )
        ),
        public=Public(_("Confirmed by the reporter")),
        effect="`responded` → `closed`, with a 1–5 rating and comment",
    )
)
DISPUTE = declare(
    Action(
        "dispute",
        event=_("Disputed by the reporter"),
        reporter=Reporter(
            frozenset({S.RESPONDED}),
            opd_answer=True,
            summary=_("Dispute the answer: the case reopens for the same OPD"),
            done=_("Your objection was recorded; the agency works on it again."),
        ),
        input=sc.Schema((sc.text("reason", _("reason")),)),
        public=Public(_("Disputed by the reporter")),
        notify=Notify(new_work=Stage.OPD_RESPONSE, work_payload=("reason",)),
        effect="`responded` → `in_progress`, reopened for the officer of each OPD who answered "
        "(the OPD's queue if they have left it)",
    )
)

# ----------------------------------------------------------------------------- intake

SUBMIT = declare(
    Action(
        "submit",
        event=_("Aspiration received"),
        where=INTAKE,
        policy=Anyone(),
        input=sc.Schema(
            (
                sc.Field("title", "line", _("title"), max_length=200),
                sc.Field("description", "text", _("description"), max_length=10000),
                sc.Field("category", "slug", _("category"), max_length=40),
                sc.Field(
                    "desa",
                    "code",
                    _("desa/kelurahan"),
                    max_length=13,
                    help_text=_("Kemendagri region code."),
                ),
                sc.Field("priority", "choice", _("priority"), required=False, choices=Priority),
                sc.Field(
                    "channel",
                    "choice",
                    _("channel"),
                    required=False,
                    choices=Channel,
                    default=Channel.API,
                ),
                sc.Field(
                    "confidentiality",
                    "choice",
                    _("confidentiality"),
                    required=False,
                    choices=Confidentiality,
                ),
                sc.Field(
                    "reporter_name", "line", _("reporter name"), required=False, max_length=150
                ),
                sc.Field(
                    "reporter_phone",
                    "phone",
                    _("reporter phone"),
                    required=False,
                    max_length=32,
                    help_text=_("E.g. 0812 3456 7890; a number abroad with its country code."),
                ),
                sc.Field("reporter_email", "email", _("reporter email"), required=False),
                sc.Field(
                    "reporter_nik",
                    "regex",
                    _("reporter NIK"),
                    required=False,
                    max_length=16,
                    regex=r"^\d{16}$",
                    errors={"invalid": _("A NIK has 16 digits.")},
                ),
                sc.Field(
                    "contact_consent",
                    "bool",
                    _("consents to be contacted"),
                    required=False,
                    help_text=_(
                        "The reporter agreed that their contact details are recorded and that "
                        "they may be contacted about this aspiration. Needed with any of them."
                    ),
                ),
                sc.Field(
                    "notify_channel",
                    "choice",
                    _("updates by"),
                    required=False,
                    choices=NotifyChannel,
                    blank=True,
                    help_text=_(
                        "Where the reporter hears about the case; empty: nowhere. Absent: "
                        "e-mail when given, else SMS."
                    ),
                ),
                sc.Field(
                    "received_via",
                    "choice",
                    _("received"),
                    required=False,
                    choices=ReceivedVia,
                    blank=True,
                    help_text=_(
                        "Officers only: how the aspiration reached the officer who records it."
                    ),
                ),
                sc.Field(
                    "received_on",
                    "date",
                    _("received on"),
                    required=False,
                    help_text=_(
                        "Officers only: the day the aspiration reached the officer who records "
                        "it; not in the future."
                    ),
                ),
                sc.Field("address", "line", _("address"), required=False, max_length=255),
                sc.Field("latitude", "coordinate", _("latitude"), required=False),
                sc.Field("longitude", "coordinate", _("longitude"), required=False),
                sc.files(),
            )
        ),
        summary=_("Submit an aspiration"),
        public=Public(_("Aspiration received")),
        notify=Notify(reporter=_submission_heard, new_work=_new_case_stage),
        effect="creates a case in `received`; straight to `forwarded` when the desa's KIM is "
        "inactive, or when a KIM operator of the desa records it (recorded and verified in "
        "one event)",
    )
)

# ----------------------------------------------------------------------------- the system

CLOSE = declare(
    Action(
        "close",
        event=_("Closed"),
        where=RECORDED,
        policy=Nobody(),
        public=Public(_("Closed")),
        notify=Notify(reporter=True),
        effect="`responded` → `closed` when the confirmation window ends",
    )
)
REMIND = declare(
    Action(
        "remind",
        event=_("Deadline reminder"),
        where=RECORDED,
        policy=Nobody(),
        effect="a task's reminder at 75 % of its stage's time (no change of status)",
    )
)
ESCALATE = declare(
    Action(
        "escalate",
        event=_("Deadline missed: escalated"),
        where=RECORDED,
        policy=Nobody(),
        effect="a missed deadline escalated to level 1, then 2 (no change of status)",
    )
)
RESEND_LINK = declare(
    Action(
        "resend_link",
        event=_("Tracking link sent again to the reporter"),
        where=RECORDED,
        policy=Nobody(),
        effect="the tracking link sent again to the reporter's contact on file, asked for "
        "with the case number and that contact (no change of status)",
    )
)
ACKNOWLEDGE = declare(
    Action(
        "acknowledge",
        event=_("Escalation acknowledged"),
        where=ESCALATION,
        policy=SupervisorOnly(),
        input=sc.Schema((sc.text("comment", _("comment")),)),
        summary=_("Acknowledge an escalation with a comment (supervisor)"),
        effect="an escalation seen, with what is done about it (no change of status)",
    )
)

__all__ = [
    "ACCEPT",
    "ACKNOWLEDGE",
    "CLAIM",
    "CLOSE",
    "CONFIRM",
    "DECLINE",
    "DISPATCH",
    "DISPUTE",
    "ESCALATE",
    "MERGE",
    "PROVIDE_INFO",
    "REASSIGN",
    "REJECT",
    "RELEASE",
    "REMIND",
    "REQUEST_INFO",
    "RESEND_LINK",
    "RESOLVE",
    "RESPOND",
    "SUBMIT",
    "VERIFY",
]
