"""A case comes in (``case_create``: numbered, located, its deadlines set) and is edited
while it is open (``case_update``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Account, Actor
from gridgov.accounts.services import snapshot
from gridgov.cases.errors import CaseError
from gridgov.cases.models import (
    Action,
    Case,
    CaseCategory,
    CaseCounter,
    Status,
)
from gridgov.cases.services.steps import (
    load_locked,
    record_step,
    require_staff,
)
from gridgov.grids.placement import apply_placement, locate_one
from gridgov.people.models import Resident
from gridgov.people.services import check_point, normalise_phone

EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "requester_name",
        "requester_phone",
        "address",
        "channel",
        "requester",
        "requester_user",
    }
)


def _next_number(now: dt.datetime) -> str:
    """The case's number: the year and a counter (the counter's row is locked until commit)."""
    year = timezone.localtime(now).year
    CaseCounter.objects.get_or_create(year=year)
    CaseCounter.objects.filter(year=year).update(last=F("last") + 1)  # row lock until commit
    return f"{year}-{CaseCounter.objects.get(year=year).last:06d}"


@transaction.atomic
def case_create(
    *,
    acting_user: Actor,
    category: CaseCategory,
    channel: str,
    title: str,
    requester_name: str,
    location: Point | None,
    description: str = "",
    requester_phone: str = "",
    address: str = "",
    requester: Resident | None = None,
    requester_user: Account = None,
    at: dt.datetime | None = None,
) -> Case:
    """Register a case and place its point in community, compound and building. A point in
    no community is refused: no grid would answer it."""
    now = at or timezone.now()
    label = title or requester_name or "?"
    # one spelling of a number (digits, no +86), so that erasure finds it again; text that
    # is not a number ("ask the neighbour") is kept as typed
    requester_phone = (
        normalise_phone(requester_phone, mobile=False) or (requester_phone or "").strip()
    )
    if location is None:
        raise ValidationError(
            {"location": _("Case “%(title)s” needs a location on the map.") % {"title": label}}
        )
    check_point(location, label=_("Case “%(title)s”") % {"title": label})
    location = Point(location.x, location.y, srid=4326)
    if category is not None and not category.active:
        raise ValidationError(
            {"category": _("Category %(c)s is no longer in use.") % {"c": category}}
        )
    case = Case(
        category=category,
        channel=channel,
        title=title,
        description=description,
        requester_name=requester_name,
        requester_phone=requester_phone,
        address=address,
        requester=requester,
        requester_user=requester_user,
        location=location,
        status=Status.NEW,
        created_at=now,
        opened_at=now,
    )
    placement = locate_one(location)
    if not len(placement.community) or not placement.community[0]:
        raise ValidationError(
            {
                "location": _(
                    "Case “%(title)s” lies outside every community (%(x).6f, %(y).6f): "
                    "check the point, or hand the request to the body responsible for that place."
                )
                % {"title": label, "x": location.x, "y": location.y}
            }
        )
    apply_placement(case, placement)
    case.number = _next_number(now)
    case.full_clean(exclude=["number"])
    case.save()
    record_step(
        case,
        acting_user=acting_user,
        action=Action.CREATED,
        from_status="",
        before=None,
        note=description,
        at=now,
    )
    return case


@transaction.atomic
def case_update(*, case: Case, acting_user: Actor, **changes: Any) -> Case:
    """Edit a case's descriptive details (not its state, place or people working on it)."""
    bad = set(changes) - EDITABLE_FIELDS
    if bad:
        raise CaseError(
            _("Case %(number)s: %(fields)s can only change through the case's steps.")
            % {"number": case.number, "fields": ", ".join(sorted(bad))}
        )
    case = load_locked(case)
    require_staff(case, acting_user)
    before = snapshot(case)
    for field, value in changes.items():
        setattr(case, field, value)
    case.full_clean(exclude=["number"])
    case.save()
    record_step(
        case,
        acting_user=acting_user,
        action=Action.EDITED,
        from_status=case.status,
        before=before,
        note=", ".join(sorted(changes)),
        at=timezone.now(),
    )
    return case
