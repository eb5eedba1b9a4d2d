"""One attachments mechanism for every app: checking an uploaded file, storing it, finding who
may download it, and deleting its file with its row.

What is accepted: PDF, PNG and JPEG, recognised from the first bytes of the content (never from
the name or the browser's claimed type), at most ``ATTACHMENT_MAX_BYTES`` each. Images are
opened and re-encoded with Pillow: a file that only starts like an image is refused, and what
the camera or editor put beside the pixels (EXIF with the GPS position, XMP, text chunks) is
dropped, the orientation applied first. File names are sanitised; the stored file is named by the
attachment's id.

Who may download: the base imports no domain app, so each app registers, for each model that
owns attachments, a function ``visible(user) -> QuerySet`` of the owners the user may see
(``register_owner``, in its ``AppConfig.ready()``). The download view fetches the owner through
that queryset and answers 404 when it is not there; an unregistered owner type is never served.

The per-case total (``ATTACHMENT_CASE_MAX_BYTES``) is the domain's to compute; this module gives
``attachments_size`` and ``check_total``.
"""

import datetime
import hashlib
import io
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.models import Attachment

logger = logging.getLogger(__name__)

MediaType = Attachment.MediaType
EXTENSIONS = {MediaType.PDF: ".pdf", MediaType.PNG: ".png", MediaType.JPEG: ".jpg"}
ALL_TYPES = frozenset(EXTENSIONS)
# What an <input type="file"> offers to pick (a hint only: the content decides).
ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
NAME_MAX_LENGTH = 100

_MAGIC = [
    (b"%PDF-", MediaType.PDF),
    (b"\x89PNG\r\n\x1a\n", MediaType.PNG),
    (b"\xff\xd8\xff", MediaType.JPEG),
]


def detect_type(head: bytes) -> str | None:
    """The media type of a file from its first bytes, or None when it is none of ours."""
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    return None


def sanitise_name(name: str, media_type: str) -> str:
    """A safe file name to show and to offer on download: no folders, no control or special
    characters, letters of any alphabet kept (Turkish ones too), at most ``NAME_MAX_LENGTH``
    characters, and the extension of the detected type."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = "".join(c for c in stem if unicodedata.category(c)[0] != "C")
    stem = re.sub(r"[^\w\s.()+-]", "-", stem)
    stem = re.sub(r"\s+", " ", stem)
    stem = re.sub(r"-{2,}", "-", stem).strip(" .-_")
    extension = EXTENSIONS[media_type]
    stem = stem[: NAME_MAX_LENGTH - len(extension)].rstrip(" .-") or "file"
    return stem + extension


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, ready to store (images already re-encoded)."""

    name: str
    media_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


def types_label(allowed) -> str:
    return ", ".join(label for value, label in MediaType.choices if value in allowed)


def _too_large(name: str, size: int, limit: int) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is %(size)s; the largest file accepted is %(limit)s."),
        code="too_large",
        params={"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
    )


def _reencode(content: bytes, media_type: str) -> bytes:
    """The image decoded and written again from its pixels alone, turned upright first: no
    EXIF (GPS position, camera), XMP, comments or text chunks survive."""
    with Image.open(io.BytesIO(content)) as image:
        # The header alone says how large the picture is: a few megabytes of PNG can hold a
        # picture that needs gigabytes to decode, far below Pillow's own bomb limit.
        if image.width * image.height > settings.ATTACHMENT_MAX_PIXELS:
            raise ValueError("too many pixels")
        image.verify()
    with Image.open(io.BytesIO(content)) as image:
        if image.format != {MediaType.PNG: "PNG", MediaType.JPEG: "JPEG"}[media_type]:
            raise ValueError("format differs from the magic bytes")
        image.load()
        upright = ImageOps.exif_transpose(image)
        if media_type == MediaType.JPEG and upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        options = {}
        if upright.mode == "P":
            clean.putpalette(upright.getpalette())
            if "transparency" in upright.info:
                options["transparency"] = upright.info["transparency"]
        out = io.BytesIO()
        if media_type == MediaType.JPEG:
            clean.save(out, format="JPEG", quality=90, optimize=True)
        else:
            clean.save(out, format="PNG", optimize=True, **options)
        return out.getvalue()


def attachment_check(upload, *, allowed=ALL_TYPES) -> CheckedFile:
    """Check an uploaded file (a Django ``UploadedFile``) and return what to store. Raises a
    ValidationError with a translated message naming the file when it is too large, empty, of a
    type not accepted (whatever its name says), or an image that does not decode."""
    name = getattr(upload, "name", "") or ""
    shown = name.replace("\\", "/").rsplit("/", 1)[-1][:80]
    limit = settings.ATTACHMENT_MAX_BYTES
    size = getattr(upload, "size", None) or 0
    if size > limit:
        raise _too_large(shown, size, limit)
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise _too_large(shown, len(content), limit)
    if not content:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": shown})
    media_type = detect_type(content[:16])
    if media_type is None or media_type not in allowed:
        raise ValidationError(
            _(
                "“%(name)s” is not a file of an accepted type (%(types)s), whatever its name "
                "says: the portal looks at what the file contains."
            ),
            code="type",
            params={"name": shown, "types": types_label(allowed)},
        )
    if media_type != MediaType.PDF:
        try:
            content = _reencode(content, media_type)
        except (
            OSError,
            ValueError,
            SyntaxError,
            UnidentifiedImageError,
            Image.DecompressionBombError,
        ):
            raise ValidationError(
                _("“%(name)s” looks like an image but cannot be read; it may be damaged."),
                code="image",
                params={"name": shown},
            ) from None
        if len(content) > limit:
            raise _too_large(shown, len(content), limit)
    return CheckedFile(name=sanitise_name(name, media_type), media_type=media_type, content=content)


def check_total(*, current: int, adding: Iterable[CheckedFile], limit: int) -> None:
    """Refuse files that would take a total (a case's) over ``limit`` bytes."""
    added = sum(f.size for f in adding)
    if added and current + added > limit:
        raise ValidationError(
            _(
                "These files would take the attachments of this case to %(total)s; a case may "
                "hold %(limit)s in all (%(left)s left)."
            ),
            code="total",
            params={
                "total": filesizeformat(current + added),
                "limit": filesizeformat(limit),
                "left": filesizeformat(max(limit - current, 0)),
            },
        )


def attachment_store(*, owner, checked: CheckedFile, user) -> Attachment:
    """Store a checked file as an attachment of ``owner``. Side effects: writes the file to the
    default storage and inserts the row; when the row cannot be written the file is removed.
    (A transaction rolled back later leaves the file behind without a row: nothing links to it,
    it has its own random name, and ``attachment_orphans_delete`` removes it a day later.)"""
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(owner, for_concrete_model=True),
        object_id=owner.pk,
        name=checked.name,
        media_type=checked.media_type,
        size=checked.size,
        sha256=hashlib.sha256(checked.content).hexdigest(),
        uploaded_by=user,
    )
    attachment.file.save(
        "upload" + EXTENSIONS[checked.media_type], ContentFile(checked.content), save=False
    )
    try:
        with transaction.atomic():
            attachment.save(force_insert=True)
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def attachments_store(*, owner, files: Iterable[CheckedFile], user) -> list[Attachment]:
    """Store several checked files for one owner (see ``attachment_store``)."""
    return [attachment_store(owner=owner, checked=f, user=user) for f in files]


def attachments_of(owner_model, owner_ids) -> models.QuerySet:
    """The attachments of these owners (of one model), oldest first."""
    # Through a join on the content type rather than ContentType's cache, so that a page costs
    # the same number of queries whether the cache is warm or not.
    opts = owner_model._meta.concrete_model._meta
    return Attachment.objects.filter(
        content_type__app_label=opts.app_label,
        content_type__model=opts.model_name,
        object_id__in=owner_ids,
    )


def attachments_size(owner_model, owner_ids) -> int:
    """The bytes the attachments of these owners take."""
    total = attachments_of(owner_model, owner_ids).aggregate(total=models.Sum("size"))["total"]
    return total or 0


def group_by_owner(attachments) -> dict[int, list[Attachment]]:
    """Attachments by their owner's id (for showing them beside each owner of a page)."""
    grouped: dict[int, list[Attachment]] = {}
    for attachment in attachments:
        grouped.setdefault(attachment.object_id, []).append(attachment)
    return grouped


# --- Who may see an attachment ----------------------------------------------------------------

Visible = Callable[[object], models.QuerySet]
_owners: dict[str, Visible] = {}


def register_owner(model, visible: Visible) -> None:
    """Declare that ``model`` owns attachments, and which of them a user may see:
    ``visible(user)`` returns a QuerySet of ``model``."""
    _owners[model._meta.label_lower] = visible


def visible_owner(attachment: Attachment, user):
    """The attachment's owner if the user may see it, else None (also for an owner type no app
    registered)."""
    model = attachment.content_type.model_class()
    visible = _owners.get(model._meta.label_lower) if model is not None else None
    if visible is None:
        return None
    return visible(user).filter(pk=attachment.object_id).first()


# --- Deleting ---------------------------------------------------------------------------------


def _delete_file(sender, instance, **kwargs):
    """A deleted row (directly, or with its owner) takes its file along, once the deletion is
    committed: a rolled-back deletion keeps the file."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def connect():
    post_delete.connect(_delete_file, sender=Attachment, dispatch_uid="attachment_file")


# --- Files without a row ----------------------------------------------------------------------

# Where attachment_path puts every file (portal.models).
FOLDER = "attachments"
# A file younger than this is never removed: its row may still be in an open transaction.
ORPHAN_MIN_AGE = datetime.timedelta(days=1)
ORPHAN_BATCH = 500


def _stored_names(storage, folder: str) -> Iterator[str]:
    """Every file under ``folder`` of the storage (its name as a FileField stores it)."""
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for sub in sorted(folders):
        yield from _stored_names(storage, f"{folder}/{sub}")


def _batches(names: Iterator[str], size: int) -> Iterator[list[str]]:
    while batch := list(islice(names, size)):
        yield batch


def attachment_orphans_delete(*, storage=None, now=None) -> int:
    """Delete the files of the attachments' folder that no Attachment row references and that
    are older than ``ORPHAN_MIN_AGE`` (left behind when a transaction that had stored them
    rolled back). Looks the names up in batches of ``ORPHAN_BATCH``; only the files without a
    row are asked their age. Side effects: deletes those files. Returns how many."""
    storage = storage or Attachment._meta.get_field("file").storage
    limit = (now or timezone.now()) - ORPHAN_MIN_AGE
    deleted = 0
    for batch in _batches(_stored_names(storage, FOLDER), ORPHAN_BATCH):
        known = set(Attachment.objects.filter(file__in=batch).values_list("file", flat=True))
        for name in batch:
            if name in known:
                continue
            try:
                if storage.get_modified_time(name) >= limit:
                    continue
                storage.delete(name)
            except FileNotFoundError:  # removed meanwhile (its row deleted and committed)
                continue
            deleted += 1
            logger.info("Deleted the attachment file %s: no attachment refers to it", name)
    return deleted
