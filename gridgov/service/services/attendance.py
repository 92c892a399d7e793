"""Writers of attendance: check-in (签到) on site, with the organiser's code or by the
organiser, and the hours the organiser confirms (记录), which credit the points ledger once.
Check-in and hours are set with conditional updates (… WHERE checked_in_at IS NULL /
hours IS NULL), so each happens once even when two requests race."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import shapely
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from geodata.measure import distance_m
from gridgov.accounts.actors import Actor, account_of
from gridgov.accounts.services import audit_record, snapshot
from gridgov.points.services import ledger_earn
from gridgov.service.errors import CheckinRefused, ServiceError
from gridgov.service.models import CheckinMethod, SignUp, SignUpStatus
from gridgov.service.services.guards import load_signup, require_member, require_organiser
from gridgov.service.services.inputs import parse_hours
from gridgov.service.services.times import checkin_opens, when

MAX_CODE_FAILURES = 5  # wrong codes per sign-up before code check-in is locked


def _refuse_checkin(signup: SignUp, now: dt.datetime) -> None:
    """The refusals every way of checking in shares: state, then the time window."""
    activity, member = signup.activity, signup.member
    if activity.is_cancelled:
        raise CheckinRefused(
            _("“%(title)s” was cancelled: there is nothing to check in to.")
            % {"title": activity.title}
        )
    if not signup.is_active:
        raise CheckinRefused(
            _("The sign-up of %(member)s for “%(title)s” was cancelled: sign up again first.")
            % {"member": member, "title": activity.title}
        )
    if signup.checked_in_at is not None:
        raise CheckinRefused(
            _("%(member)s already checked in to “%(title)s” at %(at)s.")
            % {"member": member, "title": activity.title, "at": when(signup.checked_in_at)}
        )
    opens = checkin_opens(activity)
    if now < opens:
        raise CheckinRefused(
            _("Check-in for “%(title)s” opens at %(at)s, %(minutes)s minutes before the start.")
            % {
                "title": activity.title,
                "at": when(opens),
                "minutes": int((activity.starts_at - opens).total_seconds() // 60),
            }
        )
    if now > activity.ends_at:
        raise CheckinRefused(
            _("“%(title)s” ended at %(at)s: check-in is closed.")
            % {"title": activity.title, "at": when(activity.ends_at)}
        )


def _check_in(
    signup: SignUp,
    *,
    acting_user: Actor,
    method: str,
    now: dt.datetime,
    position: Point | None = None,
    metres: float | None = None,
) -> SignUp:
    before = snapshot(signup)
    done = SignUp.objects.filter(
        pk=signup.pk, status=SignUpStatus.ACTIVE, checked_in_at__isnull=True
    ).update(
        checked_in_at=now,
        checkin_method=method,
        checkin_location=position,
        checkin_distance_m=metres,
    )
    if not done:
        latest = SignUp.objects.select_related("activity", "member").get(pk=signup.pk)
        _refuse_checkin(latest, now)
        raise CheckinRefused(_("The sign-up changed while checking in: try again."))
    signup.refresh_from_db()
    audit_record(
        actor=acting_user,
        action=f"signup.checkin_{method}",
        obj=signup,
        before=before,
        after=snapshot(signup),
    )
    return signup


@transaction.atomic
def signup_checkin_on_site(*, signup: SignUp, location: Point, acting_user: Actor) -> SignUp:
    """签到 on site: the member's position (WGS84) must lie within
    GRIDGOV_CHECKIN_DISTANCE_M metres of the activity's point, measured in a local
    projection in metres (geodata.measure), during the check-in window."""
    signup = load_signup(signup)
    require_member(
        signup.member,
        acting_user,
        _("%(user)s may only check themselves in.") % {"user": acting_user},
    )
    now = timezone.now()
    _refuse_checkin(signup, now)
    if location is None:
        raise CheckinRefused(
            _(
                "Your position is missing: allow the browser to use your "
                "location, or check in with the organiser's code."
            )
        )
    place = cast(Point, signup.activity.location)  # published activities have a place
    metres = distance_m(shapely.Point(location.x, location.y), shapely.Point(place.x, place.y))
    limit = float(settings.GRIDGOV_CHECKIN_DISTANCE_M)
    if metres > limit:
        raise CheckinRefused(
            _(
                "You are %(metres)s m from the place of “%(title)s”: on-site check-in is accepted "
                "within %(limit)s m. Go closer, or check in with the organiser's code."
            )
            % {"metres": f"{metres:,.0f}", "title": signup.activity.title, "limit": f"{limit:,.0f}"}
        )
    return _check_in(
        signup,
        acting_user=acting_user,
        method=CheckinMethod.ON_SITE,
        now=now,
        position=Point(location.x, location.y, srid=4326),
        metres=round(metres, 1),
    )


def signup_checkin_with_code(*, signup: SignUp, code: str, acting_user: Actor) -> SignUp:
    """签到 with the code the organiser announces on site, during the check-in window.
    A wrong code is counted (and audited) even though the check-in is refused; after
    MAX_CODE_FAILURES wrong codes the member must check in on site or by the organiser."""
    with transaction.atomic():
        signup = load_signup(signup)
        require_member(
            signup.member,
            acting_user,
            _("%(user)s may only check themselves in.") % {"user": acting_user},
        )
        now = timezone.now()
        _refuse_checkin(signup, now)
        title = signup.activity.title
        if signup.code_failures >= MAX_CODE_FAILURES:
            raise CheckinRefused(
                _(
                    "Too many wrong codes for “%(title)s”: check in on site, "
                    "or ask the organiser to check you in."
                )
                % {"title": title}
            )
        code = (code or "").strip()
        if not code:
            raise ValidationError({"code": _("Type the check-in code the organiser announced.")})
        if constant_time_compare(code, signup.activity.checkin_code):
            return _check_in(signup, acting_user=acting_user, method=CheckinMethod.CODE, now=now)
    with transaction.atomic():
        before = snapshot(signup)
        SignUp.objects.filter(pk=signup.pk).update(code_failures=F("code_failures") + 1)
        signup.refresh_from_db()
        audit_record(
            actor=acting_user,
            action="signup.checkin_code_wrong",
            obj=signup,
            before=before,
            after=snapshot(signup),
        )
    left = MAX_CODE_FAILURES - signup.code_failures
    raise CheckinRefused(
        _("That is not the check-in code of “%(title)s” (%(left)s tries left).")
        % {"title": title, "left": left}
    )


@transaction.atomic
def signup_checkin_by_organiser(*, signup: SignUp, acting_user: Actor) -> SignUp:
    """An organiser checks in a member who is there (no phone, no signal), during the
    check-in window."""
    signup = load_signup(signup)
    require_organiser(
        signup.activity,
        acting_user,
        _("%(user)s does not organise “%(title)s”: only its organisers may check members in."),
    )
    now = timezone.now()
    _refuse_checkin(signup, now)
    return _check_in(signup, acting_user=acting_user, method=CheckinMethod.ORGANISER, now=now)


# --- hours -----------------------------------------------------------------------------


@transaction.atomic
def signup_confirm_hours(*, signup: SignUp, hours: Any, acting_user: Actor) -> SignUp:
    """记录: the organiser confirms the hours of an attendee who checked in, once the
    activity has started; at most its length. Credits the ledger once (source
    ``service.signup:<id>``)."""
    signup = load_signup(signup)
    activity, member = signup.activity, signup.member
    require_organiser(
        activity,
        acting_user,
        _("%(user)s does not organise “%(title)s”: only its organisers confirm hours."),
    )
    now = timezone.now()
    if activity.is_cancelled:
        raise ServiceError(
            _("“%(title)s” was cancelled: no hours can be recorded.") % {"title": activity.title}
        )
    if activity.starts_at > now:
        raise ServiceError(
            _(
                "“%(title)s” has not happened yet (it starts at %(at)s): hours "
                "can be recorded once it has started."
            )
            % {"title": activity.title, "at": when(activity.starts_at)}
        )
    if not signup.is_active:
        raise ServiceError(
            _("The sign-up of %(member)s for “%(title)s” was cancelled: no hours can be recorded.")
            % {"member": member, "title": activity.title}
        )
    if signup.checked_in_at is None:
        raise ServiceError(
            _(
                "%(member)s did not check in to “%(title)s”: hours are recorded "
                "only for attendees who checked in."
            )
            % {"member": member, "title": activity.title}
        )
    if signup.hours is not None:
        raise ServiceError(
            _(
                "The hours of %(member)s for “%(title)s” were already recorded "
                "(%(hours)s h on %(at)s)."
            )
            % {
                "member": member,
                "title": activity.title,
                "hours": signup.hours,
                "at": when(signup.hours_confirmed_at),
            }
        )
    value = parse_hours(
        hours,
        most=activity.length_hours,
        why=_("the length of “%(title)s”") % {"title": activity.title},
    )
    before = snapshot(signup)
    done = SignUp.objects.filter(
        pk=signup.pk, status=SignUpStatus.ACTIVE, hours__isnull=True, checked_in_at__isnull=False
    ).update(hours=value, hours_confirmed_at=now, hours_confirmed_by=account_of(acting_user))
    if not done:
        raise ServiceError(
            _("The hours of %(member)s for “%(title)s” were already recorded.")
            % {"member": member, "title": activity.title}
        )
    entry = ledger_earn(
        member=member,
        hours=value,
        reason=f"{activity.category.name} · {activity.title}"[:200],
        source=signup.ledger_source,
        occurred_on=timezone.localtime(activity.starts_at).date(),
        acting_user=acting_user,
    )
    SignUp.objects.filter(pk=signup.pk).update(ledger_entry=entry)
    signup.refresh_from_db()
    audit_record(
        actor=acting_user, action="signup.hours", obj=signup, before=before, after=snapshot(signup)
    )
    return signup
