"""The case (one aspiration), its OPD assignments, and the choices that describe it. The
status is a protected django-fsm field whose transitions come from
:data:`casework.lifecycle.TRANSITIONS`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from ..fields import EncryptedCharField_ as Encrypted
from ..lifecycle import OPEN_STATUSES, TRANSITIONS, AssignmentStatus, CaseStatus, Round
from .regions import Region
from .units import Category, Unit

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

    from .audit import CaseEvent
    from .escalations import Escalation
    from .process import CaseTask

S = CaseStatus


def _transition(field: FSMField, name: str) -> Any:
    """The django-fsm decorator of one transition of :data:`casework.lifecycle.TRANSITIONS`."""
    sources, targets = TRANSITIONS[name]
    target: Any = targets[0] if len(targets) == 1 else RETURN_VALUE(*targets)
    return transition(field=field, source=list(sources), target=target)


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


class ReceivedVia(models.TextChoices):
    """How an aspiration recorded by an officer reached them."""

    IN_PERSON = "in_person", _("In person")
    MEETING = "meeting", _("At a village meeting")
    PHONE = "phone", _("By phone")
    MESSAGE = "message", _("By SMS or WhatsApp message")
    PAPER = "paper", _("On paper or by letter")
    OTHER = "other", _("Other")


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

    if TYPE_CHECKING:
        # what the selectors attach for a page (casework.selectors.case_detail and others)
        open_task_list: list[CaseTask]
        event_list: list[CaseEvent]
        escalation_list: list[Escalation]
        assignment_list: list[Assignment]
        tasks: RelatedManager[CaseTask]

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
    received_via = models.CharField(
        _("received"),
        max_length=10,
        choices=ReceivedVia.choices,
        blank=True,
        db_default="",
        help_text=_("How the officer who recorded it received the aspiration."),
    )
    received_on = models.DateField(
        _("received on"),
        null=True,
        blank=True,
        help_text=_("The day the officer who recorded it received the aspiration."),
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

    # --- transitions: casework.lifecycle.TRANSITIONS; only the services call them ---

    @_transition(status, "forward")
    def forward(self) -> None:
        """Village verification done, or skipped for an inactive KIM."""

    @_transition(status, "take_into_triage")
    def take_into_triage(self) -> None:
        pass

    @_transition(status, "return_to_queue")
    def return_to_queue(self) -> None:
        pass

    @_transition(status, "ask_for_info")
    def ask_for_info(self, question: str) -> None:
        self.info_return_status = self.status
        self.info_question = question
        self.paused_at = timezone.now()

    @_transition(status, "receive_info")
    def receive_info(self) -> str:
        target = self.info_return_status
        self.info_return_status = ""
        if self.paused_at is not None:
            if self.target_at is not None:
                self.target_at += timezone.now() - self.paused_at
            self.paused_at = None
        return target

    @_transition(status, "dispatch")
    def dispatch(self) -> None:
        pass

    @_transition(status, "resolve")
    def resolve(self, response: str) -> None:
        self.response = response

    @_transition(status, "merge")
    def merge(self, into: Case) -> None:
        self.merged_into = into
        self.closed_at = timezone.now()

    @_transition(status, "reject")
    def reject(self, reason: str) -> None:
        self.rejection_reason = reason
        self.closed_at = timezone.now()

    @_transition(status, "accept")
    def accept(self) -> None:
        pass

    @_transition(status, "decline")
    def decline(self, *, round: Round) -> str:
        """One OPD declined; ``round`` (:func:`casework.lifecycle.opd_round`) says where the
        case stands."""
        return round.status

    @_transition(status, "respond")
    def respond(self, *, round: Round) -> str:
        """One OPD responded; ``round`` (:func:`casework.lifecycle.after_response`) says
        whether the case is answered."""
        return round.status

    @_transition(status, "confirm")
    def confirm(self, rating: int, comment: str) -> None:
        self.rating = rating
        self.rating_comment = comment
        self.closed_at = timezone.now()

    @_transition(status, "dispute")
    def dispute(self) -> None:
        pass

    @_transition(status, "close")
    def close(self) -> None:
        self.closed_at = timezone.now()


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
