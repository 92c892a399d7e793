"""Evidence photos: JPEG or PNG recognised by their first bytes (never by name or the
browser's content type), at most GRIDGOV_MAX_UPLOAD_BYTES, stored under MEDIA_ROOT with a
random name. Pillow is not used: the photo is checked, stored and handed back unchanged."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from gridgov.service.models import PhotoKind

SIGNATURES = (
    (b"\xff\xd8\xff", PhotoKind.JPEG),  # SOI marker followed by the next marker
    (b"\x89PNG\r\n\x1a\n", PhotoKind.PNG),
)
EXTENSIONS = {PhotoKind.JPEG: "jpg", PhotoKind.PNG: "png"}
CONTENT_TYPES = {PhotoKind.JPEG: "image/jpeg", PhotoKind.PNG: "image/png"}


def photo_kind(upload) -> str:
    """The kind of an uploaded photo, or a ValidationError on ``photo`` saying what is
    wrong: missing, empty, too large, or not a JPEG/PNG by its contents."""
    if upload is None:
        raise ValidationError({"photo": _("Attach a photo of the service as evidence.")})
    size = getattr(upload, "size", None)
    limit = settings.GRIDGOV_MAX_UPLOAD_BYTES
    if not size:
        raise ValidationError({"photo": _("The photo file is empty.")})
    if size > limit:
        raise ValidationError(
            {
                "photo": _("The photo is %(size)s, more than the %(limit)s allowed.")
                % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, kind in SIGNATURES:
        if head.startswith(magic):
            if kind == PhotoKind.PNG and head[12:16] != b"IHDR":
                break
            return kind
    raise ValidationError(
        {
            "photo": _(
                "%(name)s is not a JPEG or PNG photo (its contents were checked, not its name)."
            )
            % {"name": getattr(upload, "name", None) or _("The file")}
        }
    )
