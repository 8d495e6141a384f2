"""The process engine's tables: one process per case, its tasks (the human ones sit in a unit's
queue)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import AbstractProcess, AbstractTask

from ..lifecycle import OPEN_TASK_STATUSES, Stage
from .cases import Case
from .units import Unit


class CaseProcess(AbstractProcess):
    """The workflow-engine instance that runs one case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="process")

    class Meta:
        verbose_name = _("case process")
        verbose_name_plural = _("case processes")


class CaseTask(AbstractTask):
    """A node instance of the case process; human ones sit in a unit's queue."""

    if TYPE_CHECKING:
        # viewflow's AbstractTask is untyped: its fields, as this project uses them
        process_id: int
        case_id: int
        unit_id: int | None
        owner_id: int | None
        status: str
        token: Any
        flow_task: Any
        flow_task_type: str
        created: datetime
        started: datetime | None
        finished: datetime | None
        assigned: datetime | None
        previous: Any
        leading: Any

    process = models.ForeignKey(CaseProcess, on_delete=models.CASCADE, related_name="task_set")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, blank=True)
    data = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # service-level clock: the next reminder/escalation/close step and when it falls due;
    # null while the clock is stopped (waiting for information) or when nothing is left
    sla_step = models.PositiveSmallIntegerField(default=0)
    sla_next_at = models.DateTimeField(null=True, blank=True)
    sla_cycle = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["created"]
        indexes = [
            # the queues: the same conditions as selectors.tasks_for, so that counting and
            # paging are index scans in due-time order
            models.Index(
                fields=["unit", "due_at", "id"],
                name="task_unit_queue",
                condition=Q(status="NEW") & ~Q(stage=""),
            ),
            models.Index(
                fields=["owner", "due_at", "id"],
                name="task_owner_open",
                condition=Q(status__in=["ASSIGNED", "STARTED"]) & ~Q(stage=""),
            ),
            # what is overdue now (the review's overdue list, longest overdue first, and the
            # dashboard); the id breaks the many ties of deadlines at the same close of business
            models.Index(
                fields=["due_at", "id"],
                name="task_open_due",
                condition=Q(status__in=OPEN_TASK_STATUSES, due_at__isnull=False) & ~Q(stage=""),
            ),
            models.Index(
                fields=["sla_next_at"],
                name="task_sla_due",
                condition=Q(status__in=OPEN_TASK_STATUSES, sla_next_at__isnull=False),
            ),
            models.Index(
                fields=["case"],
                name="task_case_open",
                condition=Q(status__in=OPEN_TASK_STATUSES),
            ),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every engine node lands here; the case reference is copied from the process so that
        # queues and scoping never need the process table.
        if self.case_id is None:
            self.case_id = self.process.case_id
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES
