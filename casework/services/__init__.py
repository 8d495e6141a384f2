"""One service per lifecycle action, in modules by stage: :mod:`.intake` (submit, verify),
:mod:`.queue` (claim, release, reassign), :mod:`.triage` (request_info, dispatch, resolve,
merge, reject), :mod:`.opd` (accept, decline, respond), :mod:`.citizen` (provide_info,
confirm, dispute, close, and the tracking link sent again), :mod:`.supervision`
(acknowledge), on a small :mod:`.kernel`.

Each service is keyword-only and owns its transaction; it carries out the action its
declaration (:mod:`casework.actions.declarations`) describes, and is bound to it with
``@implements``. A refusal raises a :class:`~casework.errors.DomainError` and changes nothing.
"""

from .citizen import (
    RESEND_ANSWER,
    close_case,
    confirm_case,
    dispute_case,
    provide_info,
    resend_tracking_link,
    send_tracking_link,
)
from .intake import new_tracking_code, submit_case, verify_case
from .kernel import TRACKING_ALPHABET, TRACKING_LENGTH, ensure_thumbnails, format_tracking_code
from .opd import accept_assignment, decline_assignment, respond_assignment
from .queue import claim_task, reassign_task, release_task
from .supervision import acknowledge_escalation
from .triage import dispatch_case, merge_case, reject_case, request_info, resolve_case

__all__ = [
    "RESEND_ANSWER",
    "TRACKING_ALPHABET",
    "TRACKING_LENGTH",
    "accept_assignment",
    "acknowledge_escalation",
    "claim_task",
    "close_case",
    "confirm_case",
    "decline_assignment",
    "dispatch_case",
    "dispute_case",
    "ensure_thumbnails",
    "format_tracking_code",
    "merge_case",
    "new_tracking_code",
    "provide_info",
    "reassign_task",
    "reject_case",
    "release_task",
    "request_info",
    "resend_tracking_link",
    "resolve_case",
    "respond_assignment",
    "send_tracking_link",
    "submit_case",
    "verify_case",
]
