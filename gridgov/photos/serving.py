"""Handing a stored photo to a browser. This checks nothing about the viewer: call it only
from a view that has already decided, through gridgov.accounts.policy, that the viewer may
see the row the photo belongs to (and answered the site's refusal otherwise). MEDIA_ROOT is
never served directly: MEDIA_URL has no route and the web server must not map it."""

from __future__ import annotations

from django.core.files.storage import Storage, default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

# What the pipeline writes, and what evidence photos were stored as before it existed.
SERVED_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}


def photo_response(photo: FieldFile | str, *, storage: Storage | None = None) -> FileResponse:
    """The photo (a PhotoFileField's value, or a stored name) as an inline image that no
    proxy or browser cache keeps; 404 when the row has no photo or the file is gone."""
    if isinstance(photo, FieldFile):
        name, storage = photo.name or "", storage or photo.storage
    else:
        name = photo or ""
    storage = storage or default_storage
    content_type = SERVED_TYPES.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
    if not content_type:
        raise Http404("photo")
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404("photo") from exc
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
