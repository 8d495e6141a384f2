"""The case and everything around it: regions, units, people, categories, routing, the case
with its state machine, OPD assignments, the audit trail and the process/task tables the
workflow engine runs on."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition
from viewflow.workflow.models import AbstractProcess, AbstractTask

from .fields import EncryptedCharField_ as Encrypted

# ----------------------------------------------------------------------------- regions


class RegionLevel(models.TextChoices):
    KABUPATEN = "kabupaten", _("Kabupaten")
    KECAMATAN = "kecamatan", _("Kecamatan")
    DESA = "desa", _("Desa")
    KELURAHAN = "kelurahan", _("Kelurahan")


class Region(models.Model):
    """A node of the Kemendagri region tree, keyed by its code (35.08.01.2001)."""

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_village(self) -> bool:
        return self.level in (RegionLevel.DESA, RegionLevel.KELURAHAN)


# ----------------------------------------------------------------------------- units


class UnitKind(models.TextChoices):
    KIM = "kim", _("KIM desa")
    FORUM = "forum", _("Forum KIM Kecamatan")
    OPD = "opd", _("OPD")
    SUPERVISOR = "supervisor", _("Supervising office")


class Unit(models.Model):
    """An organisational unit: a village KIM, a kecamatan forum, an OPD or the supervising office.

    ``code`` is the region code for KIM, forum and supervisor, and a short code (``dputr``) for OPD.
    """

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


# ----------------------------------------------------------------------------- people


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


class User(AbstractUser):
    """An officer belongs to one unit with one role; an administrator may have neither."""

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


# ----------------------------------------------------------------------------- cases


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    FORWARDED = "forwarded", _("Diteruskan ke forum kecamatan")
    IN_TRIAGE = "in_triage", _("Ditelaah")
    NEEDS_INFO = "needs_info", _("Menunggu kelengkapan")
    DISPATCHED = "dispatched", _("Didisposisikan")
    IN_PROGRESS = "in_progress", _("Ditindaklanjuti")
    RESPONDED = "responded", _("Menunggu konfirmasi warga")
    CLOSED = "closed", _("Selesai")
    REJECTED = "rejected", _("Ditolak")
    MERGED = "merged", _("Digabungkan")


S = CaseStatus
OPEN_STATUSES = frozenset(
    {S.RECEIVED, S.FORWARDED, S.IN_TRIAGE, S.NEEDS_INFO, S.DISPATCHED, S.IN_PROGRESS, S.RESPONDED}
)
FINAL_STATUSES = frozenset({S.CLOSED, S.REJECTED, S.MERGED})


class Priority(models.TextChoices):
    RENDAH = "rendah", _("Rendah")
    SEDANG = "sedang", _("Sedang")
    TINGGI = "tinggi", _("Tinggi")
    DARURAT = "darurat", _("Darurat")


class Channel(models.TextChoices):
    KIM = "kim", _("KIM desa")
    WEB = "web", _("Web")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")


class Confidentiality(models.TextChoices):
    BIASA = "biasa", _("Biasa")
    ANONIM = "anonim", _("Anonim")
    RAHASIA = "rahasia", _("Rahasia")


class CaseNumberCounter(models.Model):
    """Per-month counter behind the public case number (LMJ-2611-00042)."""

    period = models.CharField(max_length=4, primary_key=True)
    last = models.PositiveIntegerField(default=0)


class NotifyChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class Case(ConcurrentTransitionMixin, models.Model):
    """One aspiration. Its ``status`` changes only through the transitions below, which only
    the services in :mod:`casework.services` call."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name=_("category"))
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.SEDANG
    )
    desa = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("desa/kelurahan")
    )
    kecamatan = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("kecamatan")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    reporter_name = models.CharField(_("reporter name"), max_length=150, blank=True)
    reporter_phone = Encrypted(_("reporter phone"), max_length=20)
    reporter_email = models.EmailField(_("reporter email"), blank=True)
    reporter_nik = Encrypted(_("reporter NIK"), max_length=16)
    contact_consent = models.BooleanField(
        _("consents to be contacted"),
        default=False,
        db_default=False,
        help_text=_("The reporter agreed to be contacted about this aspiration."),
    )
    notify_channel = models.CharField(
        _("updates by"),
        max_length=10,
        choices=NotifyChannel.choices,
        blank=True,
        db_default="",
        help_text=_("Where the reporter wants to hear about the case; empty: nowhere."),
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=8,
        choices=Confidentiality.choices,
        default=Confidentiality.BIASA,
    )
    supporters = models.PositiveIntegerField(_("supporters"), default=1)
    status = FSMField(
        _("status"),
        max_length=12,
        choices=CaseStatus.choices,
        default=S.RECEIVED,
        protected=True,
    )
    # the status to return to when requested information arrives
    info_return_status = models.CharField(max_length=12, choices=CaseStatus.choices, blank=True)
    info_question = models.TextField(_("question to the reporter"), blank=True)
    response = models.TextField(_("answer"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
        verbose_name=_("merged into"),
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # end-to-end target; moved later by the time spent waiting for information
    target_at = models.DateTimeField(_("end-to-end target"), null=True, blank=True)
    paused_at = models.DateTimeField(_("waiting for information since"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["kecamatan", "status", "-created_at"], name="case_kec_status"),
            models.Index(fields=["desa", "status", "-created_at"], name="case_desa_status"),
            models.Index(fields=["status", "-created_at"], name="case_status_created"),
            models.Index(fields=["-created_at"], name="case_created"),
            # the merge candidates: a kecamatan's open cases, newest first
            models.Index(
                fields=["kecamatan", "-created_at"],
                name="case_kec_open_created",
                condition=Q(status__in=sorted(OPEN_STATUSES)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # --- transitions: the lifecycle of DESIGN.md §3; only services call them ---

    @transition(field=status, source=S.RECEIVED, target=S.FORWARDED)
    def forward(self) -> None:
        """Village verification done, or skipped for an inactive KIM."""

    @transition(field=status, source=S.FORWARDED, target=S.IN_TRIAGE)
    def take_into_triage(self) -> None:
        pass

    @transition(field=status, source=S.IN_TRIAGE, target=S.FORWARDED)
    def return_to_queue(self) -> None:
        pass

    @transition(field=status, source=[S.RECEIVED, S.IN_TRIAGE], target=S.NEEDS_INFO)
    def ask_for_info(self, question: str) -> None:
        self.info_return_status = self.status
        self.info_question = question
        self.paused_at = timezone.now()

    @transition(field=status, source=S.NEEDS_INFO, target=RETURN_VALUE(S.RECEIVED, S.IN_TRIAGE))
    def receive_info(self) -> str:
        target = self.info_return_status
        self.info_return_status = ""
        if self.paused_at is not None:
            if self.target_at is not None:
                self.target_at += timezone.now() - self.paused_at
            self.paused_at = None
        return target

    @transition(field=status, source=S.IN_TRIAGE, target=S.DISPATCHED)
    def dispatch(self) -> None:
        pass

    @transition(field=status, source=S.IN_TRIAGE, target=S.RESPONDED)
    def resolve(self, response: str) -> None:
        self.response = response

    @transition(field=status, source=S.IN_TRIAGE, target=S.MERGED)
    def merge(self, into: Case) -> None:
        self.merged_into = into
        self.closed_at = timezone.now()

    @transition(field=status, source=[S.RECEIVED, S.IN_TRIAGE], target=S.REJECTED)
    def reject(self, reason: str) -> None:
        self.rejection_reason = reason
        self.closed_at = timezone.now()

    @transition(field=status, source=[S.DISPATCHED, S.IN_PROGRESS], target=S.IN_PROGRESS)
    def accept(self) -> None:
        pass

    @transition(
        field=status,
        source=[S.DISPATCHED, S.IN_PROGRESS],
        target=RETURN_VALUE(S.DISPATCHED, S.IN_PROGRESS, S.IN_TRIAGE, S.RESPONDED),
    )
    def decline(self, *, remaining: str) -> str:
        return remaining

    @transition(field=status, source=S.IN_PROGRESS, target=RETURN_VALUE(S.IN_PROGRESS, S.RESPONDED))
    def respond(self, *, all_answered: bool) -> str:
        return S.RESPONDED if all_answered else S.IN_PROGRESS

    @transition(field=status, source=S.RESPONDED, target=S.CLOSED)
    def confirm(self, rating: int, comment: str) -> None:
        self.rating = rating
        self.rating_comment = comment
        self.closed_at = timezone.now()

    @transition(field=status, source=S.RESPONDED, target=S.IN_PROGRESS)
    def dispute(self) -> None:
        pass

    @transition(field=status, source=S.RESPONDED, target=S.CLOSED)
    def close(self) -> None:
        self.closed_at = timezone.now()


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for acceptance")
    ACCEPTED = "accepted", _("Accepted")
    RESPONDED = "responded", _("Responded")
    DECLINED = "declined", _("Declined (bukan wewenang)")


class Assignment(models.Model):
    """One OPD's part in a case after dispatch: accept, respond or decline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    opd = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PENDING,
    )
    note = models.TextField(_("dispatch note"), blank=True)
    response = models.TextField(_("follow-up"), blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    suggested_opd = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested OPD"),
    )
    dispatched_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dispatched_at", "id"]
        indexes = [models.Index(fields=["opd", "status"], name="assignment_opd_status")]
        verbose_name = _("OPD assignment")
        verbose_name_plural = _("OPD assignments")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.opd_id} ({self.status})"


class CaseEvent(models.Model):
    """Append-only audit trail: one row per action, written in the transaction of the change."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="event_case_time")]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None and not self._state.adding:
            raise ValueError("Case events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("Case events are append-only.")


# ----------------------------------------------------------------------------- process engine tables


class Stage(models.TextChoices):
    """Stages of human work; also the keys of service-level policies."""

    VERIFICATION = "verification", _("Village verification")
    TRIAGE = "triage", _("Kecamatan triage")
    OPD_ACCEPTANCE = "opd_acceptance", _("OPD acceptance")
    OPD_RESPONSE = "opd_response", _("OPD response")
    CONFIRMATION = "confirmation", _("Citizen confirmation")


OPEN_TASK_STATUSES = ("NEW", "ASSIGNED", "STARTED")


class CaseProcess(AbstractProcess):
    """The workflow-engine instance that runs one case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="process")

    class Meta:
        verbose_name = _("case process")
        verbose_name_plural = _("case processes")


class CaseTask(AbstractTask):
    """A node instance of the case process; human ones sit in a unit's queue."""

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

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # Every engine node lands here; the case reference is copied from the process so that
        # queues and scoping never need the process table.
        if self.case_id is None:
            self.case_id = self.process.case_id
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES


# ----------------------------------------------------------------------------- notifications


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """Outbox: a message written in the transaction of its cause, sent later by a worker.

    A broker outage delays it, never loses it: the sweep hands pending ones to the workers
    again. ``key`` makes the message unique (one reminder per task, level and cycle)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=12, default="email")
    recipient = models.CharField(_("recipient"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    template = models.CharField(max_length=60)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # a failed message is tried again at this time (backing off), until MAX_ATTEMPTS
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="notification_pending",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["case", "created_at"], name="notification_case"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient} ({self.status})"


class EscalationKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalation")


class Escalation(models.Model):
    """A reminder (level 0) or an escalation (level 1: coordinator or OPD head; level 2:
    supervisor) of one task's deadline. One per task, kind, level and clock cycle."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    task = models.ForeignKey(CaseTask, on_delete=models.CASCADE, related_name="escalations")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=EscalationKind.choices)
    level = models.PositiveSmallIntegerField(_("level"))
    cycle = models.PositiveSmallIntegerField(default=0)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    due_at = models.DateTimeField(_("deadline"))
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "level", "cycle"], name="escalation_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["-created_at"],
                name="escalation_open",
                condition=Q(kind="escalation", acknowledged_at__isnull=True),
            ),
            models.Index(fields=["case", "created_at"], name="escalation_case"),
        ]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage} {self.kind} {self.level}"


from .attachments import Attachment  # noqa: E402, F401  (registers the model with this app)
