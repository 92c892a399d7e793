"""Every uploaded image goes through here, once, before anything is stored.

1. **Check**, from the header only (nothing decoded yet): a file of at most
   ``GRIDGOV_MAX_UPLOAD_BYTES`` whose contents — never its name or the browser's content
   type — open as JPEG, PNG or WebP (HEIC too when a Pillow plugin for it is installed), of at
   most ``GRIDGOV_PHOTO_MAX_PIXELS`` pixels: a decompression bomb is refused before it is
   expanded.
2. **Re-encode**: decoded once (a large JPEG at a reduced scale), scaled so that its long edge
   is at most ``GRIDGOV_PHOTO_MAX_EDGE``, turned as its EXIF orientation says, its colours
   converted to sRGB when it carries an ICC profile, and written afresh from the pixels alone
   as JPEG (``GRIDGOV_PHOTO_JPEG_QUALITY``), or as PNG when it came as PNG (a screenshot
   stays sharp) or has transparency: no EXIF (no GPS position, camera or time), no XMP, no
   ICC profile, no comments or text chunks.
3. **Store** under ``<folder>/<year>/<month>/<32 random hex digits>.jpg|png`` in the default
   storage (MEDIA_ROOT), which nothing serves directly (serving.py).

A refusal is a ValidationError naming the field and the file and saying why, keyed by the
form field when ``field`` is given.
"""

from __future__ import annotations

import io
import os
import secrets
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageCms

# What Pillow may open (its other decoders are never tried on an upload).
BASE_FORMATS = ("JPEG", "PNG", "WEBP")
FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC"}
UPLOAD_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "HEIF": "image/heic,image/heif",
}
# What the pipeline writes.
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"jpeg": "jpg", "png": "png"}

ORIENTATION = 0x0112  # the EXIF tag
TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
NAME_SHOWN = 60  # characters of the uploaded file's name quoted in a refusal
Label = str | None  # the field's label as the form shows it (a lazy translation too)


def accepted_formats() -> tuple[str, ...]:
    """JPEG, PNG and WebP; HEIC/HEIF too when Pillow has an opener for it (pillow-heif)."""
    Image.init()
    return BASE_FORMATS + (("HEIF",) if "HEIF" in Image.OPEN else ())


def accept_attribute() -> str:
    """The file input's ``accept``: a phone offers these (iOS converts HEIC to JPEG)."""
    return ",".join(UPLOAD_TYPES[f] for f in accepted_formats())


def formats_text() -> str:
    return ", ".join(FORMAT_NAMES[f] for f in accepted_formats())


@dataclass(frozen=True)
class CleanPhoto:
    """A re-encoded photo, not stored yet."""

    data: bytes
    kind: str  # "jpeg" or "png"
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


@dataclass(frozen=True)
class StoredPhoto:
    """A photo in storage: ``name`` is what a PhotoFileField holds."""

    name: str
    kind: str
    width: int
    height: int
    size: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def _refusal(field: str | None, message: str) -> ValidationError:
    return ValidationError({field: message}) if field else ValidationError(message)


def _shown_name(upload: File | None) -> str:
    name = os.path.basename(str(getattr(upload, "name", "") or "").replace("\\", "/"))
    if len(name) > NAME_SHOWN:
        name = name[: NAME_SHOWN - 1] + "…"
    return name or _("The file")


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:g}"


def _open(upload: File | None, field: str | None, label: Label) -> Image.Image:
    """The upload opened by Pillow (its header read, nothing decoded), or a refusal."""
    what = {"field": label or _("Photo")}
    if upload is None:
        raise _refusal(field, _("%(field)s: attach a photo.") % what)
    what["name"] = _shown_name(upload)
    size = getattr(upload, "size", None)
    if not size:
        raise _refusal(field, _("%(field)s: %(name)s is empty.") % what)
    limit = settings.GRIDGOV_MAX_UPLOAD_BYTES
    if size > limit:
        raise _refusal(
            field,
            _("%(field)s: %(name)s is %(size)s, more than the %(limit)s allowed.")
            % {**what, "size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    most = settings.GRIDGOV_PHOTO_MAX_PIXELS
    too_many = _(
        "%(field)s: %(name)s is %(width)s × %(height)s pixels, more than the %(limit)s "
        "megapixels allowed."
    )
    upload.seek(0)
    contents = io.BytesIO(upload.read(limit + 1))  # Pillow closes what it opened: a copy
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning: the size is compared with our limit just below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(contents, formats=accepted_formats())
    except Image.DecompressionBombError:  # so large that Pillow itself refuses to open it
        raise _refusal(
            field,
            _("%(field)s: %(name)s has more than the %(limit)s megapixels allowed.")
            % {**what, "limit": _megapixels(most)},
        ) from None
    except Exception:  # noqa: BLE001 - hostile input: whatever fails, it is not a photo
        raise _refusal(
            field,
            _(
                "%(field)s: %(name)s is not a photo in %(formats)s (its contents were checked, "
                "not its name)."
            )
            % {**what, "formats": formats_text()},
        ) from None
    width, height = image.size
    if width * height > most:
        image.close()
        raise _refusal(
            field, too_many % {**what, "width": width, "height": height, "limit": _megapixels(most)}
        )
    return image


def photo_check(
    upload: File | None, *, field: str | None = "photo", label: Label = None
) -> tuple[str, int, int]:
    """Check an upload without decoding it (size, format, pixels): its format and size, or a
    refusal. For a form's field; photo_clean checks again and decodes."""
    image = _open(upload, field, label)
    try:
        return image.format or "", image.width, image.height
    finally:
        image.close()


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(ORIENTATION, 1))
    except Exception:  # noqa: BLE001 - a damaged EXIF block: the pixels as stored
        return 1


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        alpha = image.convert("RGBA").getchannel("A")
        return alpha.getextrema() != (255, 255)  # an opaque alpha channel is no transparency
    return False


def _srgb(image: Image.Image, icc: bytes, alpha: bool) -> Image.Image | None:
    """The pixels converted from the embedded profile to sRGB (a phone's Display P3, a
    printer's CMYK), or None when the profile is unreadable or does not fit the pixels."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        base = image if image.mode in ("RGB", "CMYK") else image.convert("RGB")
        out = ImageCms.profileToProfile(base, source, SRGB, outputMode="RGB")
    except Exception:  # noqa: BLE001 - a broken profile: converted as if it were sRGB
        return None
    if out is None:
        return None
    if alpha:
        out.putalpha(image.convert("RGBA").getchannel("A"))
    return out


def _pixels(image: Image.Image) -> Image.Image:
    """The decoded image as RGB (or RGBA when it has transparency), in sRGB."""
    if image.mode.startswith("I") or image.mode == "F":  # 16-bit greyscale PNG
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    alpha = _has_alpha(image)
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "P"):
        converted = _srgb(image, icc, alpha)
        if converted is not None:
            return converted
    return image.convert("RGBA" if alpha else "RGB")


def _encode(image: Image.Image, kind: str) -> CleanPhoto:
    """``kind``: "png", or "jpeg" (transparency flattened on white)."""
    if kind == "jpeg" and image.mode == "RGBA":  # transparency on white
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    # a fresh image holding the pixels and nothing else: Pillow's savers copy parts of
    # ``info`` (a JPEG comment, a PNG's ICC profile) from the image they are given
    fresh = Image.new(image.mode, image.size)
    fresh.paste(image)
    buffer = io.BytesIO()
    if kind == "png":
        fresh.save(buffer, "PNG", optimize=True)
    else:
        quality = settings.GRIDGOV_PHOTO_JPEG_QUALITY
        fresh.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return CleanPhoto(data=buffer.getvalue(), kind=kind, width=fresh.width, height=fresh.height)


def photo_clean(
    upload: File | None,
    *,
    field: str | None = "photo",
    label: Label = None,
    kind: str | None = None,
) -> CleanPhoto:
    """Check and re-encode an upload (see the module's docstring); nothing is stored.
    ``kind`` ("jpeg" or "png") forces the format written (clean_photos keeps a file's)."""
    image = _open(upload, field, label)
    edge = settings.GRIDGOV_PHOTO_MAX_EDGE
    try:
        if image.format == "JPEG":
            image.draft("RGB", (edge, edge))  # decode at 1/2, 1/4 or 1/8 when still large enough
        image.load()
        turn = TURNS.get(_orientation(image))
        pixels = _pixels(image)
        pixels.thumbnail((edge, edge), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if turn is not None:
            pixels = pixels.transpose(turn)
        lossless = image.format == "PNG" or pixels.mode == "RGBA"
        return _encode(pixels, kind or ("png" if lossless else "jpeg"))
    except Exception:  # noqa: BLE001 - a damaged or cut-off file
        raise _refusal(
            field,
            _("%(field)s: %(name)s could not be read as a photo (the file is damaged or cut off).")
            % {"field": label or _("Photo"), "name": _shown_name(upload)},
        ) from None
    finally:
        image.close()


def photo_save(photo: CleanPhoto, *, folder: str, storage: Storage | None = None) -> StoredPhoto:
    """Store a cleaned photo under a name nobody can guess (128 random bits)."""
    storage = storage or default_storage
    month = timezone.localdate().strftime("%Y/%m")
    name = f"{folder.strip('/')}/{month}/{secrets.token_hex(16)}.{EXTENSIONS[photo.kind]}"
    saved = storage.save(name, ContentFile(photo.data))
    return StoredPhoto(
        name=saved, kind=photo.kind, width=photo.width, height=photo.height, size=len(photo.data)
    )


def photo_store(
    upload: File | None,
    *,
    folder: str,
    field: str | None = "photo",
    label: Label = None,
    storage: Storage | None = None,
) -> StoredPhoto:
    """Check, re-encode and store an upload: what a service calls with a form's file."""
    return photo_save(photo_clean(upload, field=field, label=label), folder=folder, storage=storage)


def photo_delete(name: str, *, storage: Storage | None = None) -> None:
    """Remove a stored photo (nothing happens when it is already gone)."""
    if name:
        (storage or default_storage).delete(name)


def photo_delete_on_commit(name: str, *, storage: Storage | None = None) -> None:
    """Remove a stored photo once the current transaction commits (never if it rolls back)."""
    if name:
        transaction.on_commit(lambda: photo_delete(name, storage=storage))
