"""Writers of activities (publish, change, cancel) and of sign-ups (报名, cancel).

Places are taken with a conditional UPDATE (… SET places_taken = places_taken + 1 WHERE
places_taken < capacity): concurrent sign-ups queue on the activity's row, and the ones that
find it full are refused, so the capacity is never exceeded (the database also refuses
places_taken above capacity).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts import policy
from gridgov.accounts.actors import Actor, account_of
from gridgov.accounts.services import audit_record, snapshot
from gridgov.grids.models import Grid, Level
from gridgov.grids.placement import apply_placement, locate_one
from gridgov.people.models import Member
from gridgov.people.services import check_point
from gridgov.service.errors import ActivityFull, NotAllowed, ServiceError
from gridgov.service.models import (
    Activity,
    ActivityStatus,
    ServiceCategory,
    SignUp,
    SignUpStatus,
)
from gridgov.service.services.guards import (
    load_activity,
    load_signup,
    require_member,
    require_organiser,
)
from gridgov.service.services.times import when

MAX_LENGTH = dt.timedelta(hours=24)
MAX_CAPACITY = 10_000
EDITABLE_FIELDS = frozenset(
    {"title", "description", "category", "address", "location", "starts_at", "ends_at", "capacity"}
)


def _place_errors(
    location: Point | None, grid: Grid | None, errors: dict, target: Activity
) -> None:
    """Locate the place into its grids (on ``target``); it must lie inside ``grid``."""
    if location is None:
        errors["location"] = _("Choose the place of the activity.")
        return
    try:
        check_point(location, label=_("The place"))
    except ValidationError as exc:
        errors["location"] = exc.message_dict["location"][0]
        return
    location = Point(location.x, location.y, srid=4326)
    target.location = location
    placement = locate_one(location)
    apply_placement(target, placement)
    if grid is None:
        return
    by_level: dict[int, Any] = {
        Level.COMMUNITY: placement.community,
        Level.COMPOUND: placement.compound,
        Level.BUILDING: placement.building,
    }
    level_ids = by_level[grid.level]
    if not len(level_ids) or int(level_ids[0]) != grid.pk:
        errors["location"] = _(
            "The place (%(x).6f, %(y).6f) lies outside %(grid)s, the organising grid: "
            "choose a place inside it."
        ) % {"x": location.x, "y": location.y, "grid": f"{grid.name} ({grid.code})"}


def _time_errors(
    starts_at: dt.datetime | None, ends_at: dt.datetime | None, errors: dict, *, now: dt.datetime
) -> None:
    if starts_at is None:
        errors["starts_at"] = _("Give the start time.")
    if ends_at is None:
        errors["ends_at"] = _("Give the end time.")
    if starts_at is None or ends_at is None:
        return
    if starts_at <= now:
        errors["starts_at"] = _("The start time %(at)s has already passed.") % {
            "at": when(starts_at)
        }
    if ends_at <= starts_at:
        errors["ends_at"] = _("The activity must end after it starts.")
    elif ends_at - starts_at > MAX_LENGTH:
        errors["ends_at"] = _(
            "An activity lasts at most 24 hours: publish a longer one as one activity per day."
        )


def _capacity_set(activity: Activity, capacity: Any, errors: dict, *, taken: int = 0) -> None:
    """The activity's places, when ``capacity`` is a good number of them (else an error)."""
    places = _capacity_error(capacity, errors, taken=taken)
    if places is not None:
        activity.capacity = places


def _capacity_error(capacity: Any, errors: dict, *, taken: int = 0) -> int | None:
    try:
        value = int(str(capacity).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or str(value) != str(capacity).strip() or not 1 <= value <= MAX_CAPACITY:
        errors["capacity"] = _(
            "Places must be a whole number from 1 to %(max)s, not %(value)s."
        ) % {"max": MAX_CAPACITY, "value": capacity}
        return None
    if value < taken:
        errors["capacity"] = _(
            "%(taken)s places are already taken: there cannot be fewer places."
        ) % {"taken": taken}
        return None
    return value


def _category_error(category: ServiceCategory | None, errors: dict) -> None:
    if category is None:
        errors["category"] = _("Choose a service category.")
    elif not category.active:
        errors["category"] = _("Category %(c)s is no longer in use.") % {"c": category}


# --- activities ------------------------------------------------------------------------


@transaction.atomic
def activity_publish(
    *,
    acting_user: Actor,
    organiser_grid: Grid | None,
    title: str,
    category: ServiceCategory,
    location: Point | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    description: str = "",
    address: str = "",
) -> Activity:
    """Publish an activity of a community or compound, at a place inside that grid. A
    random six-digit check-in code is made for the organisers."""
    now = timezone.now()
    errors: dict[str, str] = {}
    if organiser_grid is None or organiser_grid.level not in (Level.COMMUNITY, Level.COMPOUND):
        errors["organiser_grid"] = _("The organising grid must be a community or a compound.")
        organiser_grid = None
    elif acting_user is not None and not policy.allows(
        acting_user, policy.ORGANISE_ACTIVITIES, organiser_grid
    ):
        raise NotAllowed(
            _("%(user)s may not publish activities for %(grid)s.")
            % {"user": acting_user, "grid": organiser_grid.name}
        )
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the activity a title.")
    _category_error(category, errors)
    activity = Activity(
        organiser_grid=organiser_grid,
        title=title,
        category=category,
        description=(description or "").strip(),
        address=address or "",
        starts_at=starts_at,
        ends_at=ends_at,
        status=ActivityStatus.PUBLISHED,
        created_by=account_of(acting_user),
        checkin_code=f"{secrets.randbelow(10**6):06d}",
    )
    _place_errors(location, organiser_grid, errors, activity)
    _time_errors(starts_at, ends_at, errors, now=now)
    _capacity_set(activity, capacity, errors)
    if errors:
        raise ValidationError(errors)
    activity.full_clean()
    activity.save()
    audit_record(
        actor=acting_user, action="activity.publish", obj=activity, after=snapshot(activity)
    )
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, acting_user: Actor, **changes: Any) -> Activity:
    """Change an activity before it starts (title, description, category, place, times,
    places). Places can never drop below the places taken."""
    bad = set(changes) - EDITABLE_FIELDS
    if bad:
        raise ServiceError(
            _("%(fields)s cannot be changed here.") % {"fields": ", ".join(sorted(bad))}
        )
    activity = load_activity(activity)
    require_organiser(
        activity,
        acting_user,
        _("%(user)s does not organise “%(title)s”: only its organisers may change it."),
    )
    now = timezone.now()
    if activity.is_cancelled:
        raise ServiceError(
            _("“%(title)s” was cancelled: it can no longer be changed.") % {"title": activity.title}
        )
    if activity.starts_at <= now:
        raise ServiceError(
            _("“%(title)s” has already started: it can no longer be changed.")
            % {"title": activity.title}
        )
    before = snapshot(activity)
    errors: dict[str, str] = {}
    for field, value in changes.items():
        if field != "location":
            setattr(activity, field, value)
    activity.title = (activity.title or "").strip()
    if not activity.title:
        errors["title"] = _("Give the activity a title.")
    if "category" in changes:
        _category_error(activity.category, errors)
    if "location" in changes:
        _place_errors(changes["location"], activity.organiser_grid, errors, activity)
    if "starts_at" in changes or "ends_at" in changes:
        _time_errors(activity.starts_at, activity.ends_at, errors, now=now)
    if "capacity" in changes:
        _capacity_set(activity, changes["capacity"], errors, taken=activity.places_taken)
    if errors:
        raise ValidationError(errors)
    activity.full_clean()
    activity.save()
    audit_record(
        actor=acting_user,
        action="activity.update",
        obj=activity,
        before=before,
        after=snapshot(activity),
    )
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, acting_user: Actor, reason: str) -> Activity:
    """Call an activity off, with a reason, before it ends and before any hours were
    recorded. Its sign-ups stay as history; nobody can sign up or check in any more."""
    activity = load_activity(activity)
    require_organiser(
        activity,
        acting_user,
        _("%(user)s does not organise “%(title)s”: only its organisers may cancel it."),
    )
    if activity.is_cancelled:
        raise ServiceError(
            _("“%(title)s” was already cancelled on %(at)s.")
            % {"title": activity.title, "at": when(activity.cancelled_at)}
        )
    now = timezone.now()
    if activity.ends_at <= now:
        raise ServiceError(
            _("“%(title)s” has already ended: it cannot be cancelled.") % {"title": activity.title}
        )
    if activity.signups.filter(hours__isnull=False).exists():
        raise ServiceError(
            _("Hours have already been recorded for “%(title)s”: it cannot be cancelled.")
            % {"title": activity.title}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why “%(title)s” is cancelled.") % {"title": activity.title}}
        )
    before = snapshot(activity)
    activity.status, activity.cancelled_at, activity.cancel_reason = (
        ActivityStatus.CANCELLED,
        now,
        reason,
    )
    activity.save()
    audit_record(
        actor=acting_user,
        action="activity.cancel",
        obj=activity,
        before=before,
        after=snapshot(activity),
    )
    return activity


# --- sign-ups -----------------------------------------------------------------------------


def _refuse_closed(activity: Activity, now: dt.datetime) -> None:
    if activity.is_cancelled:
        raise ServiceError(
            _("“%(title)s” was cancelled: sign-ups are closed.") % {"title": activity.title}
        )
    if activity.ends_at <= now:
        raise ServiceError(
            _("“%(title)s” ended at %(at)s: sign-ups are closed.")
            % {"title": activity.title, "at": when(activity.ends_at)}
        )


def _full(activity: Activity) -> ActivityFull:
    return ActivityFull(
        _("“%(title)s” is full: all %(capacity)s places are taken.")
        % {"title": activity.title, "capacity": activity.capacity}
    )


@transaction.atomic
def signup_create(*, activity: Activity, member: Member, acting_user: Actor) -> SignUp:
    """报名: take one place, if one is left, until the activity ends. The place is taken by
    a conditional UPDATE on the activity; concurrent sign-ups queue on its row and the
    ones that find it full are refused."""
    if member is None:
        raise NotAllowed(
            _(
                "Your account is not linked to a party member: ask your "
                "community to link it before signing up."
            )
        )
    require_member(
        member, acting_user, _("%(user)s may only sign themselves up.") % {"user": acting_user}
    )
    now = timezone.now()
    current = Activity.objects.get(pk=activity.pk)
    _refuse_closed(current, now)
    if SignUp.objects.filter(activity=current, member=member, status=SignUpStatus.ACTIVE).exists():
        raise ServiceError(
            _("%(member)s has already signed up for “%(title)s”.")
            % {"member": member, "title": current.title}
        )
    taken = Activity.objects.filter(
        pk=current.pk,
        status=ActivityStatus.PUBLISHED,
        ends_at__gt=now,
        places_taken__lt=F("capacity"),
    ).update(places_taken=F("places_taken") + 1)
    if not taken:
        latest = Activity.objects.get(pk=current.pk)
        _refuse_closed(latest, now)
        raise _full(latest)
    try:
        with transaction.atomic():
            signup = SignUp.objects.create(
                activity=current, member=member, status=SignUpStatus.ACTIVE, signed_up_at=now
            )
    except IntegrityError as exc:  # the same member, at the same moment, in another request
        raise ServiceError(
            _("%(member)s has already signed up for “%(title)s”.")
            % {"member": member, "title": current.title}
        ) from exc
    audit_record(actor=acting_user, action="signup.create", obj=signup, after=snapshot(signup))
    return signup


@transaction.atomic
def signup_cancel(*, signup: SignUp, acting_user: Actor) -> SignUp:
    """Give the place back, before the activity starts (by the member or an organiser)."""
    signup = load_signup(signup)
    activity = signup.activity
    require_member(
        signup.member,
        acting_user,
        _("%(user)s may not cancel the sign-up of %(member)s.")
        % {"user": acting_user, "member": signup.member},
        or_organiser_of=activity,
    )
    now = timezone.now()
    if not signup.is_active:
        raise ServiceError(
            _("The sign-up of %(member)s for “%(title)s” was already cancelled.")
            % {"member": signup.member, "title": activity.title}
        )
    if signup.checked_in_at is not None:
        raise ServiceError(
            _(
                "%(member)s has already checked in to “%(title)s”: the sign-up "
                "can no longer be cancelled."
            )
            % {"member": signup.member, "title": activity.title}
        )
    if activity.starts_at <= now:
        raise ServiceError(
            _("“%(title)s” started at %(at)s: a sign-up can only be cancelled before the start.")
            % {"title": activity.title, "at": when(activity.starts_at)}
        )
    before = snapshot(signup)
    done = SignUp.objects.filter(
        pk=signup.pk, status=SignUpStatus.ACTIVE, checked_in_at__isnull=True
    ).update(status=SignUpStatus.CANCELLED, cancelled_at=now)
    if not done:
        raise ServiceError(
            _("The sign-up of %(member)s for “%(title)s” was already cancelled.")
            % {"member": signup.member, "title": activity.title}
        )
    Activity.objects.filter(pk=activity.pk, places_taken__gt=0).update(
        places_taken=F("places_taken") - 1
    )
    signup.refresh_from_db()
    audit_record(
        actor=acting_user, action="signup.cancel", obj=signup, before=before, after=snapshot(signup)
    )
    return signup
