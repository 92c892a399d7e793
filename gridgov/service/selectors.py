"""Readers of activities, sign-ups and self-organised service, for the pages and for other
features (reports, notifications, the three lists). Hours come from the service records
(confirmed sign-ups by the activity's date, confirmed self-organised service by its date);
the points ledger holds the same credits plus corrections."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from gridgov.accounts import policy
from gridgov.accounts.actors import Actor
from gridgov.grids.models import Level
from gridgov.people.models import Member
from gridgov.people.selectors import member_for
from gridgov.service.models import (
    Activity,
    ActivityStatus,
    SelfService,
    SelfServiceStatus,
    ServiceCategory,
    SignUp,
    SignUpStatus,
)

PAGE_SIZE = 30


# --- activities for the pages -------------------------------------------------------------


def activities() -> QuerySet[Activity]:
    """Every activity, with what its list and page show. Activities are public notices to
    signed-in users: anyone may read them; the code and sign-up lists are the organisers'."""
    return Activity.objects.select_related("category", "organiser_grid", "community", "compound")


def my_grid_prefixes(user: Actor) -> list[str] | None:
    """ "My grid" for the list filter: the member's home community, and the staff's scopes."""
    prefixes = policy.prefixes(user, policy.ANY_ROLE)
    if prefixes is None:
        return None
    member = member_for(user)
    if member is not None and member.community is not None:
        prefixes = [*prefixes, member.community.code]
    return prefixes


def activity_list(
    *,
    user: Actor,
    when: str = "upcoming",
    mine: bool = False,
    category: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Activity]:
    """Upcoming (not yet ended, soonest first) or past (latest first) activities, optionally
    only in my grids and of one category (by code)."""
    now = now or timezone.now()
    qs = activities()
    if when == "past":
        qs = qs.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    else:
        qs = qs.filter(ends_at__gt=now).order_by("starts_at", "id")
    if mine:
        qs = qs.filter(policy.scope_q(my_grid_prefixes(user)))
    if category:
        qs = qs.filter(category__code=category)
    return qs


def active_signup(activity: Activity, member: Member | None) -> SignUp | None:
    if member is None:
        return None
    return SignUp.objects.filter(
        activity=activity, member=member, status=SignUpStatus.ACTIVE
    ).first()


def my_signups(member: Member | None, *, now: dt.datetime | None = None) -> QuerySet[SignUp]:
    """A member's active sign-ups for activities that have not ended, soonest first."""
    if member is None:
        return SignUp.objects.none()
    now = now or timezone.now()
    return (
        SignUp.objects.filter(member=member, status=SignUpStatus.ACTIVE, activity__ends_at__gt=now)
        .select_related("activity")
        .order_by("activity__starts_at")
    )


def activity_signups(activity: Activity) -> QuerySet[SignUp]:
    """The organiser's list: every sign-up (active first), with member and check-in."""
    return (
        SignUp.objects.filter(activity=activity)
        .select_related("member")
        .order_by("status", "signed_up_at", "id")
    )


# --- self-organised service ---------------------------------------------------------------


def my_self_services(member: Member | None) -> QuerySet[SelfService]:
    if member is None:
        return SelfService.objects.none()
    return SelfService.objects.filter(member=member).select_related("category")


def self_services_to_review(user: Actor) -> QuerySet[SelfService]:
    """Submitted self-organised service in the user's community scope, oldest first."""
    return (
        SelfService.objects.filter(status=SelfServiceStatus.SUBMITTED)
        .filter(policy.scoped(user, policy.REVIEW_SERVICE))
        .select_related("member", "category")
        .order_by("submitted_at", "id")
    )


def self_services_visible_to(user: Actor) -> QuerySet[SelfService]:
    """What a user may open: their own, and any in scopes where they read personal data."""
    qs = SelfService.objects.select_related("member", "category")
    prefixes = policy.prefixes(user, policy.READ_RESIDENTS)
    if prefixes is None:  # everything (Q() | X would narrow it to X)
        return qs
    q = policy.scope_q(prefixes)
    member = member_for(user)
    if member is not None:
        q |= Q(member=member)
    return qs.filter(q)


# --- for other features -------------------------------------------------------------------


def activities_attended(member: Member, start: dt.date, end: dt.date) -> QuerySet[Activity]:
    """Activities the member checked in to (sign-up not cancelled) whose start falls on a
    day from ``start`` to ``end`` (inclusive, local dates), in time order."""
    return (
        activities()
        .filter(
            signups__member=member,
            signups__status=SignUpStatus.ACTIVE,
            signups__checked_in_at__isnull=False,
            starts_at__date__range=(start, end),
        )
        .distinct()
        .order_by("starts_at", "id")
    )


def _activity_hours(start: dt.date, end: dt.date) -> QuerySet[SignUp]:
    return SignUp.objects.filter(
        hours__isnull=False,
        status=SignUpStatus.ACTIVE,
        activity__starts_at__date__range=(start, end),
    )


def _self_hours(start: dt.date, end: dt.date) -> QuerySet[SelfService]:
    return SelfService.objects.filter(
        status=SelfServiceStatus.CONFIRMED, served_on__range=(start, end)
    )


def hours_per_member(start: dt.date, end: dt.date, *, prefix: str = "") -> dict[int, Decimal]:
    """Confirmed service hours per member id from ``start`` to ``end`` (inclusive):
    activities (by their date) plus confirmed self-organised service (by its date).
    ``prefix`` keeps members whose home grid code begins with it."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for qs in (_activity_hours(start, end), _self_hours(start, end)):
        if prefix:
            qs = qs.filter(member__grid_code__startswith=prefix)
        for member_id, hours in (
            qs.values("member_id").annotate(h=Sum("hours")).values_list("member_id", "h")
        ):
            totals[member_id] += hours or Decimal("0")
    return dict(totals)


def hours_per_grid(
    start: dt.date,
    end: dt.date,
    *,
    level: int = Level.COMMUNITY,
    by: str = "place",
    prefix: str = "",
) -> dict[str, Decimal]:
    """Confirmed service hours per grid code of one level (community by default), from
    ``start`` to ``end``. ``by="place"``: where the service happened (the activity's or
    the self-organised service's place); ``by="member"``: where the members live. Hours
    outside any grid of that level are left out. ``prefix`` narrows to grid codes."""
    fields: dict[int, str] = {
        Level.COMMUNITY: "community",
        Level.COMPOUND: "compound",
        Level.BUILDING: "building",
    }
    field = fields[level]
    paths = (
        {"signup": f"activity__{field}__code", "self": f"{field}__code"}
        if by == "place"
        else {"signup": f"member__{field}__code", "self": f"member__{field}__code"}
    )
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for key, qs in (("signup", _activity_hours(start, end)), ("self", _self_hours(start, end))):
        path = paths[key]
        qs = qs.filter(**{f"{path}__isnull": False, f"{path}__startswith": prefix})
        for code, hours in qs.values(path).annotate(h=Sum("hours")).values_list(path, "h"):
            totals[code] += hours or Decimal("0")
    return dict(sorted(totals.items()))


def activities_tomorrow(now: dt.datetime | None = None) -> QuerySet[Activity]:
    """Published activities starting tomorrow (local date), for "an activity tomorrow"
    notifications; each with ``signups`` to prefetch and notify."""
    tomorrow = timezone.localtime(now or timezone.now()).date() + dt.timedelta(days=1)
    return (
        activities()
        .filter(status=ActivityStatus.PUBLISHED, starts_at__date=tomorrow)
        .order_by("starts_at", "id")
    )


def signups_tomorrow(now: dt.datetime | None = None) -> QuerySet[SignUp]:
    """Active sign-ups for activities starting tomorrow: who to remind, with member,
    member login and activity loaded."""
    return (
        SignUp.objects.filter(status=SignUpStatus.ACTIVE, activity__in=activities_tomorrow(now))
        .select_related("member__user", "activity")
        .order_by("activity__starts_at", "id")
    )


def counts_per_category(start: dt.date, end: dt.date, *, prefix: str = "") -> list[dict]:
    """Per service category, for activities starting from ``start`` to ``end`` (not
    cancelled) whose place's grid code begins with ``prefix``: activities, sign-ups (not
    cancelled), attendees (checked in), confirmed activity hours; and confirmed
    self-organised services and their hours. Every category appears, zeros included."""
    active = Q(signups__status=SignUpStatus.ACTIVE)
    acts = (
        Activity.objects.filter(
            status=ActivityStatus.PUBLISHED,
            starts_at__date__range=(start, end),
            grid_code__startswith=prefix,
        )
        .values("category_id")
        .annotate(
            n_activities=Count("id", distinct=True),
            n_signups=Count("signups", filter=active, distinct=True),
            n_attendees=Count(
                "signups", filter=active & Q(signups__checked_in_at__isnull=False), distinct=True
            ),
            n_hours=Sum("signups__hours", filter=active),
        )
    )
    selfs = (
        _self_hours(start, end)
        .filter(grid_code__startswith=prefix)
        .values("category_id")
        .annotate(n=Count("id"), h=Sum("hours"))
    )
    by_act = {row["category_id"]: row for row in acts}
    by_self = {row["category_id"]: row for row in selfs}
    rows = []
    for category in ServiceCategory.objects.order_by("code"):
        a, s = by_act.get(category.pk, {}), by_self.get(category.pk, {})
        rows.append(
            {
                "category": category,
                "activities": a.get("n_activities", 0),
                "signups": a.get("n_signups", 0),
                "attendees": a.get("n_attendees", 0),
                "activity_hours": a.get("n_hours") or Decimal("0"),
                "self_services": s.get("n", 0),
                "self_hours": s.get("h") or Decimal("0"),
            }
        )
    return rows
