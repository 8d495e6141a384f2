"""Files that come with a case: photos and documents from the reporter, the KIM operator who
records an aspiration, or the OPD that answers it.

An upload is trusted by nothing it says about itself: its type is read from its first bytes
(never the file name or the browser's content type), its size is capped, and images are
decoded and encoded again so that no metadata (EXIF with GPS position, XMP, comments,
colour profiles) survives. Files live in the default storage under random names and are
served only through a view that checks the reader's scope; nothing under MEDIA_URL is served.
A photo also gets small JPEG copies (:func:`make_thumbnails`, 200 and 800 px on the long side)
that the pages show instead of the photo, so a case page stays light on a weak link.
The services store the files of an action with the action (``casework.services.kernel``).

The model is :class:`casework.models.Attachment`.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 3
MAX_NAME = 120
# decoded size an image may have (a small file can still expand into a huge bitmap)
MAX_PIXELS = 40_000_000

JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf"}
IMAGE_TYPES = frozenset({JPEG, PNG, WEBP})
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}


def max_bytes() -> int:
    return int(getattr(settings, "ASPIRASI_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def upload_path(instance: Any, filename: str) -> str:
    """A random name that says nothing of the case, the reporter or the original file."""
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return timezone.localtime().strftime(f"attachments/%Y/%m/{uuid.uuid4().hex}.{ext}")


# ----------------------------------------------------------------------------- checking


def sniff(head: bytes) -> str | None:
    """The content type the first bytes of a file prove, if it is one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def validate_upload(f: Any) -> tuple[str, str]:
    """Check one uploaded file; returns (content type, extension) or raises ValidationError."""
    size = getattr(f, "size", None)
    limit = max_bytes()
    if size is None or size > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s MB."),
            code="too_large",
            params={"name": _display_name(f), "limit": _megabytes(limit)},
        )
    if size == 0:
        raise ValidationError(
            _("“%(name)s” is empty."), code="empty", params={"name": _display_name(f)}
        )
    f.seek(0)
    head = f.read(16)
    f.seek(0)
    content_type = sniff(head)
    if content_type is None:
        raise ValidationError(
            _("“%(name)s” is not a JPEG, PNG or WebP photo or a PDF document."),
            code="file_type",
            params={"name": _display_name(f)},
        )
    return content_type, EXTENSIONS[content_type]


@dataclass(frozen=True)
class PreparedUpload:
    """A checked upload, ready to store: images already stripped of their metadata."""

    data: bytes
    content_type: str
    ext: str
    original_name: str
    # made while the image was decoded anyway; None: made when the file is stored
    thumbnails: Thumbnails | None = None


def prepare_upload(f: Any) -> PreparedUpload:
    """Validate ``f`` and return what will be stored (ValidationError if refused)."""
    content_type, ext = validate_upload(f)
    f.seek(0)
    data = f.read(max_bytes() + 1)
    if len(data) > max_bytes():  # the declared size lied
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s MB."),
            code="too_large",
            params={"name": _display_name(f), "limit": _megabytes(max_bytes())},
        )
    thumbnails = None
    if content_type in IMAGE_TYPES:
        clean = decode_image(data, content_type, name=_display_name(f))
        data = encode_image(clean, content_type)
        thumbnails = make_thumbnails(clean)
    return PreparedUpload(
        data=data,
        content_type=content_type,
        ext=ext,
        original_name=clean_name(getattr(f, "name", "") or ""),
        thumbnails=thumbnails,
    )


def prepare_uploads(files: Sequence[Any]) -> list[PreparedUpload]:
    """Validate the files of one submission: at most ``MAX_FILES``, each checked."""
    files = [f for f in files if f]
    if len(files) > MAX_FILES:
        raise ValidationError(
            _("Attach at most %(n)d files."), code="too_many", params={"n": MAX_FILES}
        )
    prepared, errors = [], []
    for f in files:
        try:
            prepared.append(prepare_upload(f))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return prepared


def reencode_image(data: bytes, content_type: str, *, name: str = "") -> bytes:
    """Decode the image and encode its pixels alone again: no EXIF (GPS), XMP, ICC, text.

    The orientation EXIF carried is applied to the pixels first, so photos stay upright.
    """
    return encode_image(decode_image(data, content_type, name=name), content_type)


def decode_image(data: bytes, content_type: str, *, name: str = "") -> Any:
    """The image's pixels, upright (EXIF orientation applied), in a new image that carries
    nothing of the file's metadata; ValidationError for a file that is not a readable image
    of ``content_type`` or that would decode into too many pixels."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    refused = ValidationError(
        _("“%(name)s” is not a readable image."), code="bad_image", params={"name": name}
    )
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format != PILLOW_FORMATS[content_type]:
                raise refused
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("“%(name)s” has too many pixels."), code="too_large", params={"name": name}
                )
            opened.load()
            upright = ImageOps.exif_transpose(opened) or opened
            img = _plain_mode(upright, content_type)
            # a new image from the pixels alone: nothing of the original's info survives
            return Image.frombytes(img.mode, img.size, img.tobytes())
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise refused from None


def encode_image(clean: Any, content_type: str) -> bytes:
    out = io.BytesIO()
    if content_type == JPEG:
        clean.save(out, format="JPEG", quality=85, optimize=True)
    elif content_type == PNG:
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="WEBP", quality=85)
    return out.getvalue()


# ----------------------------------------------------------------------------- thumbnails

# the long side of the small copies pages show instead of the photo: 200 for a list's
# thumbnail, 800 for a phone's full width
THUMBNAIL_SIZES = (200, 800)
# what one copy may weigh on a weak link; a busy photo is encoded again with less quality
THUMBNAIL_BUDGET = 100_000
THUMBNAIL_QUALITIES = (80, 70, 60, 50)
# changes when the way thumbnails are made changes (part of their validators)
THUMBNAIL_VERSION = 1


@dataclass(frozen=True)
class Thumbnails:
    """The JPEG copies of an image by long side, and the upright image's own size."""

    width: int
    height: int
    copies: tuple[tuple[int, bytes], ...]


def make_thumbnails(clean: Any) -> Thumbnails:
    """JPEG copies of an upright, metadata-free image (:func:`decode_image`) at each of
    :data:`THUMBNAIL_SIZES`, never larger than the image; transparency shown on white."""
    from PIL import Image

    if clean.mode in ("RGBA", "LA", "PA", "P"):
        rgba = clean.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        base = flat
    else:
        base = clean if clean.mode in ("RGB", "L") else clean.convert("RGB")
    copies = []
    # the larger copy first, and the smaller one from it: a 12 MP photo is scaled once
    source = base
    for size in sorted(THUMBNAIL_SIZES, reverse=True):
        img = source.copy()
        img.thumbnail((size, size), Image.Resampling.LANCZOS)
        copies.append((size, _jpeg_within_budget(img)))
        source = img
    return Thumbnails(width=base.width, height=base.height, copies=tuple(sorted(copies)))


def thumbnails_of(data: bytes, content_type: str) -> Thumbnails:
    """The thumbnails of a stored image (ValidationError when it no longer decodes)."""
    return make_thumbnails(decode_image(data, content_type))


def _jpeg_within_budget(img: Any) -> bytes:
    data = b""
    for quality in THUMBNAIL_QUALITIES:
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
        data = out.getvalue()
        if len(data) <= THUMBNAIL_BUDGET:
            break
    return data


def _plain_mode(img: Any, content_type: str) -> Any:
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if content_type == JPEG:
        return img if img.mode in ("RGB", "L") else img.convert("RGB")
    if img.mode in ("RGB", "RGBA", "L", "LA") and not (img.mode == "LA" and content_type == WEBP):
        return img
    return img.convert("RGBA" if has_alpha else "RGB")


def clean_name(name: str) -> str:
    """The file's own name, without any path, control characters or excess length."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>')
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) <= 8:
            name = stem[: MAX_NAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_NAME]
    return name.strip()


def _display_name(f: Any) -> str:
    return clean_name(getattr(f, "name", "") or "") or str(_("file"))


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g}"
