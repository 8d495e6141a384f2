"""What an officer may do to a case now: the actions shown in the API and the web app.

The services enforce the same rules on their own; this answers the question without trying.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import selectors
from .models import MANAGER_ROLES, Case, CaseStatus, CaseTask, Role, Stage, User

S = CaseStatus
STAGE_ACTIONS = {
    Stage.VERIFICATION: ("verify", "request_info", "reject"),
    Stage.TRIAGE: ("dispatch", "resolve", "merge", "reject", "request_info"),
    Stage.OPD_ACCEPTANCE: ("accept", "decline"),
    Stage.OPD_RESPONSE: ("respond", "decline"),
}
STAGE_ROLES = {
    Stage.VERIFICATION: {Role.KIM_OPERATOR},
    Stage.TRIAGE: set(selectors.FORUM_ROLES),
    Stage.OPD_ACCEPTANCE: set(selectors.OPD_ROLES),
    Stage.OPD_RESPONSE: set(selectors.OPD_ROLES),
}
ORDER = (
    "claim",
    "release",
    "verify",
    "accept",
    "respond",
    "dispatch",
    "resolve",
    "request_info",
    "provide_info",
    "merge",
    "reject",
    "decline",
    "reassign",
)


def available_actions(
    user: User, case: Case, tasks: Iterable[CaseTask], *, in_scope: bool = True
) -> list[str]:
    """Officer actions ``user`` may take on ``case`` given its open ``tasks``."""
    if not in_scope or not selectors.is_officer(user):
        return []
    actions: set[str] = set()
    for task in tasks:
        if not task.stage or task.unit_id is None:
            continue
        mine = task.owner_id == user.pk
        if task.unit_id == user.unit_id and user.role in STAGE_ROLES.get(task.stage, ()):
            if task.owner_id is None:
                actions.add("claim")
            if mine:
                actions.add("release")
            if mine or task.owner_id is None:
                if case.status == S.NEEDS_INFO:
                    actions.add("reject")
                    if user.role == Role.KIM_OPERATOR:
                        actions.add("provide_info")
                else:
                    actions.update(STAGE_ACTIONS.get(task.stage, ()))
        if user.role in MANAGER_ROLES and (
            user.role == Role.SUPERVISOR or task.unit_id == user.unit_id
        ):
            actions.add("reassign")
    if (
        case.status == S.NEEDS_INFO
        and user.role == Role.KIM_OPERATOR
        and case.desa_id == selectors.unit_of(user).region_id
    ):
        actions.add("provide_info")
    return [action for action in ORDER if action in actions]
