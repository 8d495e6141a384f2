"""An attachment: a photo or document that came with a case, stored under a random name."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..attachments import IMAGE_TYPES, MAX_NAME, THUMBNAIL_SIZES, upload_path


class Attachment(models.Model):
    case = models.ForeignKey(
        "casework.Case",
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("case"),
    )
    event = models.ForeignKey(
        "casework.CaseEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("came with"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(_("file"), upload_to=upload_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=MAX_NAME, blank=True)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # a photo's small copies (casework.attachments.make_thumbnails) and its upright size;
    # empty for a document, and for a photo stored before copies were made
    thumb_small = models.FileField(
        _("small copy"), upload_to=upload_path, max_length=200, blank=True
    )
    thumb_large = models.FileField(
        _("large copy"), upload_to=upload_path, max_length=200, blank=True
    )
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)

    class Meta:
        app_label = "casework"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="attachment_case")]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.case_id} {self.original_name or self.file.name}"

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES

    def thumbnail(self, size: int) -> models.fields.files.FieldFile:
        """The stored copy with long side ``size`` (200 or 800)."""
        return self.thumb_small if size == THUMBNAIL_SIZES[0] else self.thumb_large
