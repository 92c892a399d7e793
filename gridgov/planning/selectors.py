"""Readers for branch planning: the three planning lists and the plans, all scoped by the
acting user's planning assignments (street office admin, community secretary or staff).

Counts are computed in the database (one query per list), never one query per compound.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from gridgov.accounts import policy
from gridgov.accounts.actors import Actor
from gridgov.grids.models import Grid, GridRole, Kind, Level, RoleKind
from gridgov.people.models import Member, MemberKind, OrgKind, PartyOrganisation
from gridgov.planning.models import BranchPlan

MIN_FORMAL_MEMBERS = 3
# A member contact of a building: whoever currently holds one of these roles on it.
CONTACT_ROLES = (RoleKind.BUILDING_LEADER, RoleKind.GROUP_LEADER, RoleKind.GROUP_DEPUTY)
# Formal members: not probationary, and not applicants/activists (who are not yet members).
FORMAL_Q = Q(is_formal=True) & ~Q(kind=MemberKind.APPLICANT)


def may_plan(user: Actor) -> bool:
    """Whether the user may open the planning page at all."""
    return policy.allows(user, policy.PLAN)


def planning_prefixes(user: Actor) -> list[str] | None:
    """Code prefixes the user plans in (None: everywhere; []: nowhere)."""
    return policy.prefixes(user, policy.PLAN)


def may_plan_compound(user: Actor, compound: Grid) -> bool:
    return policy.allows(user, policy.PLAN, compound)


def formal_count(members: QuerySet[Member] | Iterable[Member]) -> int:
    """How many of the given members (a queryset or iterable) are formal members."""
    if isinstance(members, QuerySet):
        return members.filter(FORMAL_Q).count()
    return sum(1 for m in members if m.is_formal and m.kind != MemberKind.APPLICANT)


def _has_branch() -> Exists:
    return Exists(
        PartyOrganisation.objects.filter(grid=OuterRef("pk"), kind=OrgKind.COMPOUND_BRANCH)
    )


def _current_role(roles: Sequence[str]) -> Exists:
    return Exists(GridRole.objects.current().filter(grid=OuterRef("pk"), role__in=roles))


def eligible_compounds(user: Actor) -> list[dict[str, Any]]:
    """Residential compounds in scope with no compound branch and at least 3 formal members
    living in them (their located compound), each with its count; most members first."""
    formal = (
        Member.objects.filter(FORMAL_Q, compound=OuterRef("pk"))
        .order_by()
        .values("compound")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = (
        Grid.objects.filter(
            policy.scope_q(planning_prefixes(user), "code"),
            level=Level.COMPOUND,
            kind=Kind.RESIDENTIAL,
        )
        .annotate(
            has_branch=_has_branch(),
            formal=Coalesce(Subquery(formal, output_field=IntegerField()), 0),
        )
        .filter(has_branch=False, formal__gte=MIN_FORMAL_MEMBERS)
        .select_related("parent")
        .order_by("-formal", "code")
    )
    return [
        {
            "grid": g,
            "code": g.code,
            "name": g.name,
            "community": g.parent.code,
            "community_name": g.parent.name,
            "formal_members": g.formal,
        }
        for g in rows
    ]


def compound_formal_members(compound_ids: list[int]) -> dict[int, list[Member]]:
    """Formal members living in each compound (for choosing a secretary), by name."""
    out: dict[int, list[Member]] = {pk: [] for pk in compound_ids}
    for m in Member.objects.filter(FORMAL_Q, compound_id__in=compound_ids).order_by("name", "id"):
        out[m.compound_id].append(m)
    return out


def unled_buildings(user: Actor) -> list[dict[str, Any]]:
    """Compounds in scope that have a branch, with their buildings that have no current
    building leader (only compounds with at least one such building)."""
    buildings = (
        Grid.objects.filter(policy.scope_q(planning_prefixes(user), "code"), level=Level.BUILDING)
        .annotate(led=_current_role([RoleKind.BUILDING_LEADER]))
        .filter(led=False)
        .filter(
            Exists(
                PartyOrganisation.objects.filter(
                    grid=OuterRef("parent_id"), kind=OrgKind.COMPOUND_BRANCH
                )
            )
        )
        .select_related("parent__parent")
        .order_by("parent__code", "code")
    )
    by_compound: dict[int, dict[str, Any]] = {}
    for b in buildings:
        row = by_compound.setdefault(
            b.parent_id,
            {"grid": b.parent, "code": b.parent.code, "name": b.parent.name, "buildings": []},
        )
        row["buildings"].append(b)
    out = list(by_compound.values())
    for row in out:
        row["count"] = len(row["buildings"])
    return out


def buildings_without_contact(user: Actor) -> list[Grid]:
    """Building grids in scope where nobody currently holds a member-contact role
    (building leader, group leader or deputy)."""
    return list(
        Grid.objects.filter(policy.scope_q(planning_prefixes(user), "code"), level=Level.BUILDING)
        .annotate(contact=_current_role(CONTACT_ROLES))
        .filter(contact=False)
        .select_related("parent__parent")
        .order_by("code")
    )


@dataclass
class PlanningLists:
    eligible: list[dict[str, Any]]
    unled: list[dict[str, Any]]
    no_contact: list[Grid]
    totals: dict[str, int] = field(default_factory=dict)


def planning_lists(user: Actor) -> PlanningLists:
    eligible = eligible_compounds(user)
    unled = unled_buildings(user)
    no_contact = buildings_without_contact(user)
    return PlanningLists(
        eligible,
        unled,
        no_contact,
        totals={
            "eligible": len(eligible),
            "unled_compounds": len(unled),
            "unled_buildings": sum(r["count"] for r in unled),
            "no_contact": len(no_contact),
        },
    )


def plans_visible_to(user: Actor) -> QuerySet[BranchPlan]:
    return (
        BranchPlan.objects.filter(policy.scope_q(planning_prefixes(user), "compound__code"))
        .select_related("compound", "proposed_secretary", "created_by", "organisation")
        .annotate(
            n_members=Count("members", distinct=True),
            n_formal=Count(
                "members",
                filter=Q(members__is_formal=True) & ~Q(members__kind=MemberKind.APPLICANT),
                distinct=True,
            ),
        )
    )


def allowed_steps(plan: BranchPlan) -> list[str]:
    return {
        "proposed": ["approve", "reject"],
        "approved": ["found", "reject"],
    }.get(plan.status, [])


def grid_geometry(grid: Grid) -> dict[str, Any]:
    """A grid's boundary as a GeoJSON geometry dict, 7 decimals (RFC 7946)."""
    geometry = json.loads(grid.geom.json)

    def rnd(c: Any) -> Any:  # a coordinate, or a list of them nested to any depth
        return round(c, 7) if isinstance(c, (int, float)) else [rnd(x) for x in c]

    geometry["coordinates"] = rnd(geometry["coordinates"])
    return geometry


def planning_geojson(lists: PlanningLists) -> dict[str, dict[str, Any]]:
    """Eligible compounds (with their formal-member count) and compounds with unled
    buildings (with that count) as two FeatureCollections for the planning map."""

    def collection(rows: list[dict[str, Any]], number_key: str) -> dict[str, Any]:
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": grid_geometry(r["grid"]),
                    "properties": {"code": r["code"], "name": r["name"], "number": r[number_key]},
                }
                for r in rows
            ],
        }

    return {
        "eligible": collection(lists.eligible, "formal_members"),
        "unled": collection(lists.unled, "count"),
    }
