"""Reading what a browser or a form sent to the service writers: a position (WGS84, or
GCJ-02 from Chinese map apps) and a number of hours, refused with a message for the field
when they cannot be read."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from geodata.crs import to_wgs84

ACCEPTED_CRS = ("wgs84", "gcj02")


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
