"""Helpers of the activity tests: the place activities are held, letting time pass for an
activity, uploads of real images, and ``refused`` (a refusal writes nothing: rows and the
audit trail are the same before and after)."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.accounts.models import AuditEntry
from gridgov.points.models import LedgerEntry
from gridgov.service.models import Activity, SelfService, SignUp
from tests.photos.images import jpeg, png
from tests.world import OPEN_K1

PLACE = OPEN_K1  # open ground in compound K1 (community C1)

# Real images (the photo pipeline decodes and re-encodes every upload).
PNG = png()
JPEG = jpeg()


def shift(
    activity: Activity, *, started: dt.timedelta, length: dt.timedelta | None = None
) -> Activity:
    """Let time pass: the activity started ``started`` ago (negative: starts later), with
    the same length unless given."""
    length = length or activity.length
    start = timezone.now() - started
    Activity.objects.filter(pk=activity.pk).update(starts_at=start, ends_at=start + length)
    activity.refresh_from_db()
    return activity


def upload(data: bytes = PNG, name: str = "photo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def state():
    return (
        list(Activity.objects.order_by("pk").values()),
        list(SignUp.objects.order_by("pk").values()),
        list(SelfService.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
        LedgerEntry.objects.count(),
    )


@contextmanager
def refused(exc, match):
    before = state()
    with pytest.raises(exc, match=match) as info:
        yield info
    assert state() == before
