"""What the service writers share: reading positions and hours from input, times as
people read them, who acts for whom, and loading rows locked for the transaction."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from geodata.crs import to_wgs84
from gridgov.accounts.actors import Account, Actor, account_of
from gridgov.people.models import Member
from gridgov.service.access import may_organise
from gridgov.service.errors import NotAllowed
from gridgov.service.models import Activity, SignUp

ACCEPTED_CRS = ("wgs84", "gcj02")


def when(moment: dt.datetime | None) -> str:
    """A time as people read it on the page (local time); "" for none."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def checkin_opens(activity: Activity) -> dt.datetime:
    """Check-in opens this long before the start (GRIDGOV_CHECKIN_OPENS_MINUTES, 60)."""
    minutes = getattr(settings, "GRIDGOV_CHECKIN_OPENS_MINUTES", 60)
    return activity.starts_at - dt.timedelta(minutes=minutes)


def point_from_input(lon: Any, lat: Any, crs: str = "wgs84") -> Point:
    """A WGS84 point from what a browser or a form sent; GCJ-02 (Chinese map apps) is
    converted. Refuses unreadable or out-of-range numbers and unknown systems."""
    crs = (crs or "wgs84").strip().lower()
    if crs not in ACCEPTED_CRS:
        raise ValidationError(
            {
                "location": _("Unknown coordinate system %(crs)s (use WGS84 or GCJ-02).")
                % {"crs": crs}
            }
        )
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        x = y = math.nan
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        raise ValidationError(
            {
                "location": _(
                    "The position could not be read (longitude %(x)s, latitude %(y)s): allow the "
                    "browser to use your location, or type the coordinates."
                )
                % {"x": lon or "—", "y": lat or "—"}
            }
        )
    if crs == "gcj02":
        xs, ys = to_wgs84([x], [y], "gcj02")
        x, y = float(xs[0]), float(ys[0])
    return Point(x, y, srid=4326)


def actor_of(user: Actor) -> Account:
    return account_of(user)


def require_organiser(activity: Activity, user: Actor, message: str) -> None:
    if user is not None and not may_organise(user, activity):
        raise NotAllowed(message % {"user": user, "title": activity.title})


def require_member(
    member: Member, user: Actor, message: str, *, or_organiser_of: Activity | None = None
) -> None:
    """The member acts for themselves (their login), or an organiser for them."""
    if user is None or (member.user_id is not None and member.user_id == user.pk):
        return
    if or_organiser_of is not None and may_organise(user, or_organiser_of):
        return
    raise NotAllowed(message)


def load_activity(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("organiser_grid", "category")
        .get(pk=activity.pk)
    )


def load_signup(signup: SignUp) -> SignUp:
    return (
        SignUp.objects.select_for_update(of=("self",))
        .select_related("activity__organiser_grid", "activity__category", "member")
        .get(pk=signup.pk)
    )


def parse_hours(value: Any, *, most: Decimal, why: str, field: str = "hours") -> Decimal:
    """Hours as a positive Decimal with at most two decimals, no more than ``most``
    (``why`` says where that limit comes from)."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        hours = None
    if (
        hours is None
        or not hours.is_finite()
        or hours <= 0
        or hours > most
        or hours != hours.quantize(Decimal("0.01"))
    ):
        raise ValidationError(
            {
                field: _(
                    "Hours must be more than 0 and at most %(most)s "
                    "(%(why)s), with at most two decimals, not "
                    "%(value)s."
                )
                % {"why": why, "most": most, "value": value}
            }
        )
    return hours.quantize(Decimal("0.01"))
