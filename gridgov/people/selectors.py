"""Readers of people. Every one takes the acting user and scopes by grid code prefix, but the
counts per community at the end (aggregates for the public home page and street map). The
readers of dual reporting (who stands where, units, deadlines) are gridgov.reporting's."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from gridgov.accounts import policy
from gridgov.accounts.actors import Actor, account_of
from gridgov.grids.models import Grid, Level, RoleKind, Street, current_role_q
from gridgov.people.models import Household, Member, Resident


def members_visible_to(user: Actor) -> QuerySet[Member]:
    return Member.objects.filter(policy.scoped(user, policy.ANY_ROLE))


def households_visible_to(user: Actor) -> QuerySet[Household]:
    return Household.objects.filter(policy.scoped(user, policy.READ_RESIDENTS))


def residents_visible_to(user: Actor) -> QuerySet[Resident]:
    return Resident.objects.filter(
        policy.scoped(user, policy.READ_RESIDENTS, "household__grid_code")
    )


def member_for(user: Actor) -> Member | None:
    """The member record a signed-in user acts as, or None (staff without one, anonymous)."""
    account = account_of(user)
    if account is None:
        return None
    return Member.objects.filter(user=account).first()


# --- counts of people per grid (the home page, the street map) ----------------------------


def community_summaries() -> list[dict[str, Any]]:
    """Per community: compounds, buildings, buildings with a leader, members, households."""
    communities = list(Grid.objects.filter(level=Level.COMMUNITY).order_by("code"))
    buildings = dict(
        Grid.objects.filter(level=Level.BUILDING)
        .values_list("parent__parent_id")
        .annotate(n=Count("id"))
    )
    compounds = dict(
        Grid.objects.filter(level=Level.COMPOUND).values_list("parent_id").annotate(n=Count("id"))
    )
    led = dict(
        Grid.objects.filter(level=Level.BUILDING)
        .filter(Q(roles__role=RoleKind.BUILDING_LEADER) & current_role_q(prefix="roles__"))
        .values_list("parent__parent_id")
        .annotate(n=Count("id", distinct=True))
    )
    members = dict(Member.objects.values_list("community_id").annotate(n=Count("id")))
    households = dict(Household.objects.values_list("community_id").annotate(n=Count("id")))
    out = []
    for c in communities:
        n_buildings = buildings.get(c.pk, 0)
        out.append(
            {
                "code": c.code,
                "name": c.name,
                "compounds": compounds.get(c.pk, 0),
                "buildings": n_buildings,
                "led": led.get(c.pk, 0),
                "leader_share": round(100 * led.get(c.pk, 0) / n_buildings) if n_buildings else 0,
                "members": members.get(c.pk, 0),
                "households": households.get(c.pk, 0),
            }
        )
    return out


def site_counts() -> dict[str, int]:
    """Totals for the home page (aggregates only)."""
    by_level = dict(Grid.objects.values_list("level").annotate(n=Count("id")))
    return {
        "streets": Street.objects.count(),
        "communities": by_level.get(Level.COMMUNITY, 0),
        "compounds": by_level.get(Level.COMPOUND, 0),
        "buildings": by_level.get(Level.BUILDING, 0),
        "members": Member.objects.count(),
        "members_located": Member.objects.filter(building__isnull=False).count(),
        "households": Household.objects.count(),
    }
