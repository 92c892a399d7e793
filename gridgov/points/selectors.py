"""Readers of the ledger and the mall: balances and yearly progress are sums over entries;
star ratings come from the cumulative hours and settings.GRIDGOV_STAR_THRESHOLDS."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from gridgov.accounts import policy
from gridgov.accounts.actors import Actor
from gridgov.grids.models import Grid, Level
from gridgov.people.models import Member, MemberKind
from gridgov.points.models import LedgerEntry, MallItem, Redemption, RedemptionStatus

# policy.KEEP_POINTS: who keeps the ledger and the mall in their grids (record adjustments,
# hand over and cancel redemptions, manage items: the community office and the street
# office). policy.READ_HOURS: who reads members' yearly hours in their grids (adds branch
# secretaries and grid leaders).

ZERO = Decimal("0")


# --- balances and hours ---------------------------------------------------------------


def points_balance(member: Member) -> int:
    return LedgerEntry.objects.filter(member=member).aggregate(p=Sum("points"))["p"] or 0


def hours_in_year(member: Member, year: int) -> Decimal:
    total = LedgerEntry.objects.filter(member=member, occurred_on__year=year).aggregate(
        h=Sum("hours")
    )["h"]
    return total or Decimal("0")


def hours_total(member: Member) -> Decimal:
    """All confirmed hours ever (corrections included): what star ratings are judged on."""
    total = LedgerEntry.objects.filter(member=member).aggregate(h=Sum("hours"))["h"]
    return total or Decimal("0")


def yearly_target() -> Decimal:
    return Decimal(str(settings.GRIDGOV_YEARLY_HOURS_TARGET))


@dataclass(frozen=True)
class Progress:
    """A member's hours in one year against the yearly target (48 h by default)."""

    year: int
    hours: Decimal
    target: Decimal

    @property
    def percent(self) -> int:
        """0–100 for the progress bar (capped)."""
        if self.target <= 0:
            return 100
        return max(0, min(100, int(self.hours * 100 / self.target)))

    @property
    def remaining(self) -> Decimal:
        return max(ZERO, self.target - self.hours)

    @property
    def reached(self) -> bool:
        return self.hours >= self.target


def yearly_progress(member: Member, year: int | None = None) -> Progress:
    year = year or timezone.localdate().year
    return Progress(year=year, hours=hours_in_year(member, year), target=yearly_target())


# --- star ratings (星级志愿者) ----------------------------------------------------------


def _bad(value: object, why: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"GRIDGOV_STAR_THRESHOLDS: {value!r} {why}; expected entries 'stars:hours' with "
        f"stars a whole number from 1 and hours cumulative, e.g. '1:20,2:100,3:300'"
    )


def _star_threshold(item: object) -> tuple[int, Decimal]:
    """One ``"stars:hours"`` entry (or a (stars, hours) pair) of GRIDGOV_STAR_THRESHOLDS."""
    if isinstance(item, str):
        parts = item.split(":")
    elif isinstance(item, (list, tuple)):
        parts = list(item)
    else:
        raise _bad(item, "is not 'stars:hours'")
    if len(parts) != 2:
        raise _bad(item, "is not 'stars:hours'")
    stars_text, hours_text = (str(p).strip() for p in parts)
    if not stars_text.isdigit() or int(stars_text) < 1:
        raise _bad(item, "has stars that are not a whole number from 1")
    try:
        hours = Decimal(hours_text)
    except InvalidOperation:
        raise _bad(item, "has hours that are not a number") from None
    if not hours.is_finite() or hours < 0:
        raise _bad(item, "has hours that are not a number of hours ≥ 0")
    return int(stars_text), hours


def star_thresholds() -> list[tuple[int, Decimal]]:
    """(stars, cumulative hours needed) from settings, fewest stars first.

    Accepts a list of ``"stars:hours"`` strings (what the environment gives), a comma
    separated string of them, or (stars, hours) pairs. Stars must be distinct whole numbers
    ≥ 1 and more stars must need more hours; anything else is ImproperlyConfigured, naming the
    bad entry."""
    raw = settings.GRIDGOV_STAR_THRESHOLDS
    if isinstance(raw, str):
        items: list = [p for p in raw.split(",") if p.strip()]
    elif isinstance(raw, (list, tuple)):
        items = list(raw)
    else:
        raise _bad(raw, "is not a list")
    parsed = sorted(_star_threshold(item) for item in items)
    for (s1, h1), (s2, h2) in zip(parsed, parsed[1:], strict=False):
        if s1 == s2:
            raise _bad(raw, f"names {s1} stars twice")
        if h2 <= h1:
            raise _bad(raw, f"needs {h2} hours for {s2} stars, not more than {h1} for {s1}")
    return parsed


def stars_for_hours(hours: Decimal) -> int:
    stars = 0
    for level, needed in star_thresholds():
        if hours >= needed:
            stars = level
    return stars


@dataclass(frozen=True)
class Stars:
    stars: int
    hours: Decimal
    top: int  # the most stars there are
    next_stars: int | None
    next_hours: Decimal | None  # cumulative hours for the next star

    @property
    def marks(self) -> list[bool]:
        """One flag per star there is: earned or not (for ★★★☆☆)."""
        return [i < self.stars for i in range(self.top)]

    @property
    def to_next(self) -> Decimal | None:
        return None if self.next_hours is None else self.next_hours - self.hours


def member_stars(member: Member) -> Stars:
    hours = hours_total(member)
    thresholds = star_thresholds()
    stars = stars_for_hours(hours)
    nxt = next(((s, h) for s, h in thresholds if h > hours), None)
    return Stars(
        stars=stars,
        hours=hours,
        top=max((s for s, _ in thresholds), default=0),
        next_stars=nxt[0] if nxt else None,
        next_hours=nxt[1] if nxt else None,
    )


# --- history --------------------------------------------------------------------------


def ledger_for(member: Member) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(member=member).select_related("created_by")


def redemptions_for(member: Member) -> QuerySet[Redemption]:
    return Redemption.objects.filter(member=member).select_related("item")


# --- the mall -------------------------------------------------------------------------


def mall_items_for(member: Member | None) -> QuerySet[MallItem]:
    """Active items a member may redeem: their community's and everyone's. Without a member
    (staff browsing), every active item offered to everyone."""
    items = MallItem.objects.filter(active=True).select_related("community")
    if member is None or member.community_id is None:
        return items.filter(community__isnull=True)
    return items.filter(Q(community__isnull=True) | Q(community_id=member.community_id))


# --- staff ----------------------------------------------------------------------------


def keeper_prefixes(user: Actor) -> list[str] | None:
    return policy.prefixes(user, policy.KEEP_POINTS)


def reader_prefixes(user: Actor) -> list[str] | None:
    return policy.prefixes(user, policy.READ_HOURS)


def may_keep_points(user: Actor, member: Member) -> bool:
    """Whether a user may record adjustments, hand over and cancel for this member (None:
    the system)."""
    if user is None:
        return True
    return policy.allows(user, policy.KEEP_POINTS, member.grid_code)


def may_manage_item(user: Actor, item_community: Grid | None) -> bool:
    """Items of one community: its keepers; items for everyone: keepers of every grid."""
    if user is None:
        return True
    prefixes = keeper_prefixes(user)
    if item_community is None:
        return prefixes is None
    return policy.covers(prefixes, item_community.code)


def members_kept_by(user: Actor) -> QuerySet[Member]:
    return Member.objects.filter(policy.scope_q(keeper_prefixes(user)))


def members_read_by(user: Actor) -> QuerySet[Member]:
    return Member.objects.filter(policy.scope_q(reader_prefixes(user)))


def redemptions_kept_by(
    user: Actor, *, status: str | None = RedemptionStatus.REDEEMED
) -> QuerySet[Redemption]:
    """Redemptions of members in the user's grids (to hand over, by default), oldest first."""
    rows = Redemption.objects.filter(policy.scope_q(keeper_prefixes(user), "member__grid_code"))
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("member", "item", "member__community").order_by("created_at", "id")


def mall_items_kept_by(user: Actor) -> QuerySet[MallItem]:
    prefixes = keeper_prefixes(user)
    if prefixes is None:
        return MallItem.objects.all()
    return MallItem.objects.filter(policy.scope_q(prefixes, "community__code"))


def grids_for_hours(user: Actor) -> QuerySet[Grid]:
    """Communities and compounds a reader may list members of."""
    return Grid.objects.filter(
        policy.scope_q(reader_prefixes(user), "code"), level__in=[Level.COMMUNITY, Level.COMPOUND]
    ).order_by("code")


def members_with_hours(
    user: Actor,
    *,
    prefix: str = "",
    year: int | None = None,
    kind: str | None = MemberKind.IN_SERVICE,
    below_target: bool = False,
) -> QuerySet[Member]:
    """Members in the user's grids (under ``prefix``) with ``year_hours`` annotated, fewest
    hours first: who is below the yearly target shows at the top."""
    year = year or timezone.localdate().year
    rows = members_read_by(user)
    if prefix:
        rows = rows.filter(grid_code__startswith=prefix)
    if kind:
        rows = rows.filter(kind=kind)
    decimal: DecimalField[Decimal, Decimal] = DecimalField(max_digits=9, decimal_places=2)
    in_year = (
        LedgerEntry.objects.filter(member=OuterRef("pk"), occurred_on__year=year)
        .order_by()
        .values("member")
        .annotate(h=Sum("hours"))
        .values("h")
    )
    rows = rows.annotate(
        year_hours=Coalesce(
            Subquery(in_year, output_field=decimal),
            Value(ZERO, output_field=decimal),
            output_field=decimal,
        )
    )
    if below_target:
        rows = rows.filter(year_hours__lt=yearly_target())
    return rows.select_related("community", "compound").order_by("year_hours", "name", "id")


def today() -> dt.date:
    return timezone.localdate()
