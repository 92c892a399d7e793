"""Photos stored before the pipeline existed (kept as uploaded, EXIF and its GPS position
included): each is re-encoded in place — same name, same format — unless it is clean already,
so running it again changes nothing. Used by ``manage.py clean_photos``."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterator

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from PIL import Image

from gridgov.photos.fields import photo_fields
from gridgov.photos.pipeline import photo_clean

# What Pillow reports of a file the pipeline wrote: nothing about the photo or its taker.
HARMLESS = frozenset(
    {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "progressive", "progression"}
)
KINDS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png"}


def stored_photos() -> Iterator[tuple[str, Storage]]:
    """(name, storage) of every photo held by a PhotoFileField of any model."""
    for model in apps.get_models():
        for f in photo_fields(model):
            names = model._base_manager.exclude(**{f.attname: ""}).values_list(f.attname, flat=True)
            for name in names.iterator():
                yield name, f.storage


def is_clean(image: Image.Image) -> bool:
    edge = settings.GRIDGOV_PHOTO_MAX_EDGE
    return (
        set(image.info) <= HARMLESS
        and not image.getexif()
        and max(image.size) <= edge
        and image.format in ("JPEG", "PNG")
    )


def _replace(storage: Storage, name: str, data: bytes) -> None:
    try:
        path = storage.path(name)
    except NotImplementedError:  # a remote storage: delete, then write under the same name
        storage.delete(name)
        if storage.save(name, ContentFile(data)) != name:
            raise RuntimeError(f"{name} could not be written back under its name") from None
        return
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)  # never a moment without the photo


def reclean(name: str, storage: Storage, *, dry_run: bool = False) -> str:
    """What happened to one stored photo: clean, cleaned, missing or unreadable."""
    kind = KINDS.get(name.rsplit(".", 1)[-1].lower())
    try:
        stored = storage.open(name, "rb")
    except FileNotFoundError:
        return "missing"
    with stored:
        try:
            with Image.open(stored) as image:
                if is_clean(image):
                    return "clean"
        except Exception:  # noqa: BLE001 - not an image at all
            return "unreadable"
        stored.seek(0)
        try:
            clean = photo_clean(stored, field=None, kind=kind)
        except ValidationError:
            return "unreadable"
    if not dry_run:
        _replace(storage, name, clean.data)
    return "cleaned"


def reclean_all(*, dry_run: bool = False) -> tuple[Counter, list[str]]:
    """Counts per outcome, and the names of the photos that could not be cleaned."""
    counts: Counter = Counter()
    trouble = []
    for name, storage in stored_photos():
        outcome = reclean(name, storage, dry_run=dry_run)
        counts[outcome] += 1
        if outcome in ("missing", "unreadable"):
            trouble.append(f"{outcome}: {name}")
    return counts, trouble
