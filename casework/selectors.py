"""Scoped queries: every read of cases and tasks by an officer goes through here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import TypeGuard

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    Field,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import refdata
from .errors import InvalidInput, NotFound
from .models import (
    OPEN_STATUSES,
    OPEN_TASK_STATUSES,
    Assignment,
    AssignmentStatus,
    Attachment,
    Case,
    CaseEvent,
    CaseTask,
    Escalation,
    EscalationKind,
    Role,
    Unit,
    UnitKind,
    User,
)

# whoever a request carries: an officer, an administrator, an anonymous visitor
Reader = User | AnonymousUser | AbstractBaseUser | None


def is_officer(user: Reader | object) -> TypeGuard[User]:
    """A signed-in user with a role in a unit."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", "")
        and getattr(user, "unit_id", None)
    )


def unit_of(user: User) -> Unit:
    """The officer's unit from the reference data cached per process (a unit's kind, region
    and code never change), so that scoping an action reads no row."""
    assert user.unit_id is not None, "an officer has a unit"
    unit = refdata.unit_by_id(user.unit_id) or user.unit
    assert unit is not None
    return unit


def scope_q(user: Reader) -> Q:
    """The cases an officer may see: their desa, kecamatan, OPD's cases, or the kabupaten."""
    if not is_officer(user):
        return Q(pk__in=[])
    unit = unit_of(user)
    if unit.kind == UnitKind.SUPERVISOR:
        return Q()
    if unit.kind == UnitKind.FORUM:
        return Q(kecamatan_id=unit.region_id)
    if unit.kind == UnitKind.KIM:
        return Q(desa_id=unit.region_id)
    if unit.kind == UnitKind.OPD:
        return Q(Exists(Assignment.objects.filter(case_id=OuterRef("pk"), opd_id=unit.pk)))
    return Q(pk__in=[])


def in_scope(user: Reader, case: Case) -> bool:
    if not is_officer(user):
        return False
    unit = unit_of(user)
    if unit.kind == UnitKind.SUPERVISOR:
        return True
    if unit.kind == UnitKind.FORUM:
        return case.kecamatan_id == unit.region_id
    if unit.kind == UnitKind.KIM:
        return case.desa_id == unit.region_id
    if unit.kind == UnitKind.OPD:
        return Assignment.objects.filter(case_id=case.pk, opd_id=unit.pk).exists()
    return False


def cases_for(user: Reader) -> QuerySet[Case]:
    return Case.objects.filter(scope_q(user)).select_related(
        "category", "desa", "kecamatan", "merged_into"
    )


def case_for(user: Reader, number: str) -> Case:
    """The case with this public number, if the user may see it; otherwise NotFound."""
    try:
        return cases_for(user).get(number=number)
    except Case.DoesNotExist:
        raise NotFound(_("No such case.")) from None


def case_by_tracking_code(code: str) -> Case:
    normalised = normalise_tracking_code(code)
    try:
        return Case.objects.select_related("category", "desa", "kecamatan").get(
            tracking_code=normalised
        )
    except Case.DoesNotExist:
        raise NotFound(_("No case with this tracking code.")) from None


def case_for_resend(number: str) -> Case | None:
    """The case with this public number, for sending its tracking link again to the contact
    on file; the caller tells no one whether it exists."""
    return Case.objects.filter(number=number).first()


# Crockford: letters easily misread are read as the digits they look like
MISREAD = str.maketrans("OIL", "011")


def normalise_tracking_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.translate(MISREAD)


def open_tasks(case: Case) -> QuerySet[CaseTask]:
    return (
        CaseTask.objects.filter(case=case, status__in=OPEN_TASK_STATUSES)
        .exclude(stage="")
        .select_related("unit", "owner", "process")
        .order_by("created")
    )


def case_detail(user: Reader, number: str) -> Case:
    """A case with what its page shows, in a fixed number of queries."""
    case = case_for(user, number)
    case.open_task_list = list(open_tasks(case))
    case.event_list = list(case_events(case))
    case.escalation_list = list(
        Escalation.objects.filter(case=case, kind=EscalationKind.ESCALATION)
        .select_related("unit", "acknowledged_by")
        .order_by("created_at", "id")
    )
    case.assignment_list = list(
        case.assignments.select_related("opd", "suggested_opd").order_by("dispatched_at", "id")
    )
    return case


def escalations_for(user: Reader) -> QuerySet[Escalation]:
    """Escalations (not reminders) an officer reviews: the supervisor sees the kabupaten's, a
    forum coordinator the kecamatan's, an OPD head the OPD's."""
    base = Escalation.objects.filter(kind=EscalationKind.ESCALATION).select_related(
        "case", "case__category", "case__kecamatan", "unit", "task__owner", "acknowledged_by"
    )
    if not is_officer(user):
        return base.none()
    if user.role == Role.SUPERVISOR:
        return base
    if user.role == Role.FORUM_COORDINATOR:
        return base.filter(case__kecamatan_id=unit_of(user).region_id)
    if user.role == Role.OPD_HEAD:
        return base.filter(unit_id=unit_of(user).pk)
    return base.none()


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("created_at", "id")


def tasks_for(user: Reader, scope: str) -> QuerySet[CaseTask]:
    """``mine``: the user's open tasks; ``queue``: unclaimed tasks of the user's unit."""
    base = CaseTask.objects.select_related(
        "case", "case__category", "case__desa", "unit", "owner"
    ).exclude(stage="")
    if not is_officer(user):
        return base.none()
    if scope == "mine":
        return base.filter(owner=user, status__in=("ASSIGNED", "STARTED")).order_by("due_at", "id")
    if scope != "queue":
        raise InvalidInput({"scope": [_("Use “mine” or “queue”.")]}, fields={"scope": "invalid"})
    if unit_of(user).kind == UnitKind.SUPERVISOR:
        return base.filter(status="NEW", unit__isnull=False).order_by("due_at", "id")
    return base.filter(unit_id=user.unit_id, status="NEW").order_by("due_at", "id")


def users_of_unit(unit_id: int) -> QuerySet[User]:
    return User.objects.filter(unit_id=unit_id, is_active=True)


# a case's text as PostgreSQL's ``indonesian`` configuration reads it (indexed: migration 0012)
CASE_TEXT_VECTOR = (
    "to_tsvector('indonesian'::regconfig, coalesce(casework_case.title, '') || ' ' || "
    "coalesce(casework_case.description, ''))"
)
SIMILAR_FIELDS = (
    "number",
    "title",
    "description",
    "status",
    "supporters",
    "created_at",
    "desa_id",
    "category_id",
    "latitude",
    "longitude",
    "confidentiality",
    "created_by_id",
)
STEM = re.compile(r"^\w+$")


def similar_open_cases(user: Reader, case: Case, stems: Iterable[str], limit: int) -> list[Case]:
    """The open cases of ``case``'s kecamatan that ``user`` may see, other than ``case``.

    On PostgreSQL, those whose text shares a stem with ``stems`` (``indonesian`` text search)
    or whose title is trigram-similar to ``case``'s, best text rank first; each carries its
    text's stems (``lexemes``, space-separated) and its title's trigram similarity
    (``title_similarity``). Elsewhere the newest ``limit`` cases, for the caller to score."""
    pool = (
        cases_for(user)
        .select_related(None)
        .filter(kecamatan_id=case.kecamatan_id, status__in=OPEN_STATUSES)
        .exclude(pk=case.pk)
        .only(*SIMILAR_FIELDS)
    )
    if connection.vendor != "postgresql":
        return list(pool.order_by("-created_at", "-id")[:limit])
    query = " | ".join(sorted({s for s in stems if STEM.match(s)}))
    close = _sql("casework_case.title %% %s", [case.title], BooleanField())
    if query:
        matches = _sql(f"{CASE_TEXT_VECTOR} @@ to_tsquery('simple', %s)", [query], BooleanField())
        pool = pool.filter(Q(matches) | Q(close))
        rank = _sql(f"ts_rank({CASE_TEXT_VECTOR}, to_tsquery('simple', %s))", [query], FloatField())
    else:
        pool = pool.filter(close)
        rank = _sql("0", [], FloatField())
    return list(
        pool.annotate(
            text_rank=rank,
            lexemes=_sql(
                f"array_to_string(tsvector_to_array({CASE_TEXT_VECTOR}), ' ')", [], CharField()
            ),
            title_similarity=_sql(
                "similarity(casework_case.title, %s)", [case.title], FloatField()
            ),
        ).order_by("-text_rank", "-created_at", "-id")[:limit]
    )


def _sql(sql: str, params: list[object], field: Field) -> RawSQL:
    """An expression of constant SQL text; every value is a parameter."""
    return RawSQL(sql, params, output_field=field)  # noqa: S611  (constant SQL, parameters)


def stems_of(words: Iterable[str]) -> dict[str, str]:
    """PostgreSQL's ``indonesian`` stem of each word (stop words left out)."""
    listed = sorted(set(words))
    if not listed:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w, (ts_lexize('indonesian_stem', w))[1] FROM unnest(%s::text[]) AS w",
            [listed],
        )
        return {word: stem for word, stem in cursor.fetchall() if stem}


def prefetch_open_tasks() -> Prefetch:
    return Prefetch(
        "tasks",
        queryset=CaseTask.objects.filter(status__in=OPEN_TASK_STATUSES)
        .exclude(stage="")
        .select_related("unit", "owner"),
        to_attr="open_task_list",
    )


def filter_tasks(
    tasks: QuerySet[CaseTask],
    *,
    status: str = "",
    category: str = "",
    priority: str = "",
    desa: str = "",
    stage: str = "",
    overdue: bool | None = None,
    q: str = "",
    now: datetime | None = None,
) -> QuerySet[CaseTask]:
    """Narrow a task list by the queue page's filters."""
    if status:
        tasks = tasks.filter(case__status=status)
    if category:
        tasks = tasks.filter(case__category__code=category)
    if priority:
        tasks = tasks.filter(case__priority=priority)
    if desa:
        tasks = tasks.filter(case__desa_id=desa)
    if stage:
        tasks = tasks.filter(stage=stage)
    if overdue is not None:
        late = Q(due_at__lt=now or timezone.now())
        tasks = tasks.filter(late) if overdue else tasks.exclude(late)
    if q:
        tasks = tasks.filter(Q(case__number__icontains=q) | Q(case__title__icontains=q))
    return tasks


def officers_of_unit(unit_id: int) -> QuerySet[User]:
    return (
        User.objects.filter(unit_id=unit_id, is_active=True).exclude(role="").order_by("username")
    )


def opd_answered(case: Case) -> bool:
    """Whether an OPD's answer stands on the case (an assignment responded): a dispute
    reopens the case for it."""
    return Assignment.objects.filter(case_id=case.pk, status=AssignmentStatus.RESPONDED).exists()


def attachments_of(case: Case) -> list[Attachment]:
    """The attachments of a case, oldest first, with their uploaders (one query)."""
    return list(
        Attachment.objects.filter(case_id=case.pk)
        .select_related("uploaded_by")
        .order_by("created_at", "id")
    )


def case_attachment(case: Case, pk: int) -> Attachment:
    """One attachment of ``case``, with the event it came with; NotFound when the case has
    no such file."""
    found = Attachment.objects.select_related("event").filter(case_id=case.pk, pk=pk).first()
    if found is None:
        raise NotFound(_("No such file."))
    return found
