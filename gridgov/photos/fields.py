"""Photos in forms and in models.

- ``PhotoFormField``: one photo; checked as it is cleaned (size, format, pixels: the header
  only), so a refusal appears under the field, naming it. The service that stores it runs the
  whole pipeline (pipeline.photo_store) and is the rule.
- ``PhotosFormField``: up to ``most`` photos from one input (a request's photos).
- ``PhotoFileField``: the model column holding a stored photo's name. It is never given an
  upload (the pipeline names and writes the file); its type tells gridgov.privacy which
  columns hold photos (``photo_fields``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridgov.photos.pipeline import accept_attribute, formats_text, photo_check


def photo_help() -> str:
    return _(
        "%(formats)s, at most %(size)s. The photo is made smaller and the details stored in "
        "the file (the place it was taken, the camera) are removed."
    ) % {"formats": formats_text(), "size": filesizeformat(settings.GRIDGOV_MAX_UPLOAD_BYTES)}


class PhotoFormField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", lazy(photo_help, str)())  # in the page's language
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", accept_attribute())

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            photo_check(upload, field=None, label=str(self.label or "") or None)
        return upload


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosFormField(PhotoFormField):
    """Several photos chosen in one input: a list of uploads, at most ``most``."""

    def __init__(self, *, most: int = 3, **kwargs: Any) -> None:
        self.most = most
        kwargs.setdefault("widget", MultiplePhotoInput())
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.most:
            raise ValidationError(
                ngettext(
                    "%(field)s: at most %(most)d photo, %(count)d were chosen.",
                    "%(field)s: at most %(most)d photos, %(count)d were chosen.",
                    self.most,
                )
                % {"field": self.label or _("Photo"), "most": self.most, "count": len(files)}
            )
        return [super(PhotosFormField, self).clean(f, initial) for f in files]


class PhotoFileField(models.FileField):
    """A stored photo's name (pipeline.StoredPhoto.name); see the module's docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)


def photo_fields(model: type[models.Model]) -> list[PhotoFileField]:
    """The photo columns of a model."""
    return [f for f in model._meta.concrete_fields if isinstance(f, PhotoFileField)]
