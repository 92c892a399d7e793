"""Writers of members, households and residents. Saving a point locates it in all three levels.
Also the one reading of a phone number (``normalise_phone``). Dual reporting (双报到), which
moves a member's reporting status, is gridgov.reporting's."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, TypeVar

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Actor
from gridgov.accounts.services import audit_record, snapshot
from gridgov.grids.models import Located
from gridgov.grids.placement import apply_placement, locate_one
from gridgov.people.models import Household, Member, Resident

_M = TypeVar("_M", bound=models.Model)


def point_from(lon: Any, lat: Any, *, label: str) -> Point:
    """A WGS84 point from user input, refusing non-numbers and out-of-range coordinates."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            {
                "location": _("%(who)s: longitude and latitude must be numbers, got %(x)r, %(y)r.")
                % {"who": label, "x": lon, "y": lat}
            }
        ) from exc
    check_point(Point(x, y, srid=4326), label=label)
    return Point(x, y, srid=4326)


def check_point(point: Point | None, *, label: str) -> None:
    if point is None:
        return
    if point.srid not in (None, 4326):
        point.transform(4326)
    x, y = point.x, point.y
    if not (-180 <= x <= 180) or not (-90 <= y <= 90) or x != x or y != y:
        raise ValidationError(
            {
                "location": _(
                    "%(who)s: coordinates out of range (longitude -180..180, latitude "
                    "-90..90): %(x)s, %(y)s."
                )
                % {"who": label, "x": x, "y": y}
            }
        )


def _locate(obj: Located) -> None:
    check_point(obj.location, label=str(obj))
    if obj.location is not None:
        obj.location.srid = 4326
    placement = locate_one(obj.location)
    if len(placement.building):
        apply_placement(obj, placement)
    else:
        for name in (
            "community_id",
            "compound_id",
            "building_id",
            "nearest_building_id",
            "nearest_distance_m",
            "located_at",
        ):
            setattr(obj, name, None)
        obj.grid_code = ""


def _create(model: type[_M], *, acting_user: Actor, action: str, fields: dict[str, Any]) -> _M:
    obj = model(**fields)
    if isinstance(obj, Located):
        _locate(obj)
    obj.full_clean()
    obj.save()
    audit_record(actor=acting_user, action=action, obj=obj, after=snapshot(obj))
    return obj


def _update(obj: _M, *, acting_user: Actor, action: str, changes: dict[str, Any]) -> _M:
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    before = snapshot(obj)
    for field, value in changes.items():
        setattr(obj, field, value)
    if isinstance(obj, Located) and ("location" in changes or obj.located_at is None):
        _locate(obj)
    obj.full_clean()
    obj.save()
    audit_record(actor=acting_user, action=action, obj=obj, before=before, after=snapshot(obj))
    return obj


@transaction.atomic
def member_create(*, acting_user: Actor, **fields: Any) -> Member:
    """Register a member; their home point is located in community, compound and building."""
    return _create(Member, acting_user=acting_user, action="member.create", fields=fields)


@transaction.atomic
def member_update(*, member: Member, acting_user: Actor, **changes: Any) -> Member:
    return _update(member, acting_user=acting_user, action="member.update", changes=changes)


@transaction.atomic
def household_create(*, acting_user: Actor, **fields: Any) -> Household:
    return _create(Household, acting_user=acting_user, action="household.create", fields=fields)


@transaction.atomic
def household_update(*, household: Household, acting_user: Actor, **changes: Any) -> Household:
    return _update(household, acting_user=acting_user, action="household.update", changes=changes)


@transaction.atomic
def resident_create(*, acting_user: Actor, **fields: Any) -> Resident:
    return _create(Resident, acting_user=acting_user, action="resident.create", fields=fields)


# --- phone numbers ---------------------------------------------------------------------

MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalise_phone(text: str, *, mobile: bool = True) -> str:
    """A mainland mobile number as 11 ASCII digits (full-width digits read, spaces, dashes,
    dots, brackets and +86 / 0086 dropped), or "". With ``mobile=False`` any number (a
    landline, 0757-12345678) is read the same way and given as its digits, or "" when the
    text is not a number. The one reading of a phone number: forms, services that store a
    number (cases.services.case_create) and erasure's search (privacy.tracing) use it."""
    digits = re.sub(r"[\s\-().]", "", unicodedata.normalize("NFKC", text or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86") and MOBILE.fullmatch(digits[2:]):
        digits = digits[2:]
    if mobile:
        return digits if MOBILE.fullmatch(digits) else ""
    return digits if digits.isascii() and digits.isdigit() else ""
