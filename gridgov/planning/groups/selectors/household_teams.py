"""Readers for household teams (包干到层、包干到户): which buildings and compounds the user
plans teams for, their households in cutting order, who can join, the automatic suggestion,
the saved set and the teams of other grids that overlap.

Personal data: households are read only inside the user's resident-reader scope and only
their id, building and room leave this module (no address, no residents).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Max, Q

from gridgov.accounts import policy
from gridgov.accounts.actors import Actor
from gridgov.grids.addresses import Room, read_room
from gridgov.grids.models import Grid, Level
from gridgov.people.models import Household, Member, MemberKind
from gridgov.planning.groups.selectors.places import (
    building_ranks,
    centres,
    compound_of,
    frame,
    rank_of,
    unit_positions,
)
from gridgov.planning.groups.splitting import TEAM_SIZE, cut_ranges, room_sort_key
from gridgov.planning.models import HouseholdTeam, HouseholdTeamHousehold, HouseholdTeamMember


@dataclass
class TeamDraft:
    """One household team as proposed or edited: member ids and household ids."""

    members: list[int]
    households: list[int]


def team_target_for(user: Actor, code: str) -> Grid | None:
    """The building or compound with this code if the user plans for it and may read its
    households (planning roles read residents; the second check keeps that true)."""
    grid = (
        Grid.objects.filter(code=code, level__in=[Level.COMPOUND, Level.BUILDING])
        .select_related("parent__parent")
        .first()
    )
    if grid is None:
        return None
    ok = policy.allows(user, policy.PLAN, grid) and policy.allows(user, policy.READ_RESIDENTS, grid)
    return grid if ok else None


# --- households ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdRow:
    """A household as planners see it: its building and room, nothing personal."""

    id: int
    building_id: int | None
    building: str  # the building's name ("" when the household is in no building)
    room: Room
    # (building rank, unit, floor; the household's own key when the floor is unknown):
    # households of one floor share it
    block: tuple[int, int | None, int | str]
    order: tuple[int, ...]


def team_households(target: Grid, user: Actor) -> list[HouseholdRow]:
    """The target's households (building FK for a building, compound FK for a compound),
    within the user's resident scope (``user`` None: a system call, unscoped), in building
    (Hilbert order), unit, floor, room order."""
    field_name = "building" if target.level == Level.BUILDING else "compound"
    scope = Q() if user is None else policy.scoped(user, policy.READ_RESIDENTS)
    rows = list(
        Household.objects.filter(scope, **{field_name: target})
        .select_related("building")
        .only("id", "room", "address", "building__name")
    )
    ranks = building_ranks(compound_of(target))
    out = []
    for h in rows:
        room = read_room(h.room, h.address)
        b_rank = rank_of(ranks, h.building_id)
        block = (b_rank, room.unit, room.floor if room.floor is not None else f"~{h.pk}")
        out.append(
            HouseholdRow(
                id=h.pk,
                building_id=h.building_id,
                building=h.building.name if h.building is not None else "",
                room=room,
                block=block,
                order=room_sort_key(b_rank, room, h.pk),
            )
        )
    out.sort(key=lambda r: r.order)
    return out


def members_in_other_teams(
    target: Grid, member_ids: list[int] | None = None
) -> dict[int, HouseholdTeam]:
    """Members (of the target's compound, or the given ones) already in a team planned for
    another grid: they cannot join this one."""
    rows = HouseholdTeamMember.objects.exclude(team__grid=target).select_related("team__grid")
    if member_ids is None:
        rows = rows.filter(member__compound=compound_of(target))
    else:
        rows = rows.filter(member_id__in=member_ids)
    return {r.member_id: r.team for r in rows}


def households_in_other_teams(target: Grid) -> dict[int, HouseholdTeam]:
    """The target's households already owned by a team planned for another grid (the
    enclosing compound's, or one of its buildings')."""
    field_name = "building" if target.level == Level.BUILDING else "compound"
    rows = (
        HouseholdTeamHousehold.objects.filter(**{f"household__{field_name}": target})
        .exclude(team__grid=target)
        .select_related("team__grid")
    )
    return {r.household_id: r.team for r in rows}


# --- members and the suggestion --------------------------------------------------------------


def team_pool(target: Grid) -> list[Member]:
    """Members who can join the target's teams: party members (not applicants) living in its
    compound and in no other grid's team; those living in the target first, then the rest
    of the compound nearest to the target first."""
    compound = compound_of(target)
    busy = members_in_other_teams(target)
    pool = [
        m
        for m in Member.objects.filter(compound=compound)
        .exclude(kind=MemberKind.APPLICANT)
        .select_related("building")
        .order_by("name", "id")
        if m.pk not in busy
    ]
    if not pool:
        return []
    if target.level == Level.BUILDING:
        here = frame(compound)
        units = unit_positions(pool, here)
        centre = centres([target], {}, here)[0][target.pk]
        return sorted(
            pool,
            key=lambda m: (
                m.building_id != target.pk,
                round(math.dist(units[m.pk][1:], centre)),
                m.name,
                m.pk,
            ),
        )
    ranks = building_ranks(compound)
    return sorted(pool, key=lambda m: (rank_of(ranks, m.building_id), m.name, m.pk))


@dataclass
class TeamSuggestion:
    teams: list[TeamDraft]
    largest: int  # the most teams the pool and households allow
    living: int  # pool members living in the target itself
    notes: list[str] = field(default_factory=list)  # msgid keys, rendered by the view


def team_count(target: Grid, pool: Sequence[Member], households: int) -> tuple[int, int, int]:
    """(suggested teams, most teams possible, members living in the target)."""
    if target.level == Level.BUILDING:
        living = sum(1 for m in pool if m.building_id == target.pk)
    else:
        living = len(pool)
    largest = min(len(pool) // TEAM_SIZE, households)
    if households == 0 or largest == 0:
        return 0, largest, living
    suggested = max(1, min(living // TEAM_SIZE, largest))
    return suggested, largest, living


def suggest_teams(
    target: Grid,
    user: Actor,
    teams: int | None = None,
    households: list[HouseholdRow] | None = None,
    pool: list[Member] | None = None,
) -> TeamSuggestion:
    """Contiguous household ranges (whole floors where possible), three members each taken
    from the pool in order (members living in the target first)."""
    households = team_households(target, user) if households is None else households
    pool = team_pool(target) if pool is None else pool
    suggested, largest, living = team_count(target, pool, len(households))
    n = suggested if teams is None else max(0, min(teams, largest))
    if n == 0:
        return TeamSuggestion([], largest, living)
    sizes = cut_ranges([h.block for h in households], n)
    drafts: list[TeamDraft] = []
    start = 0
    for k, size in enumerate(sizes):
        drafts.append(
            TeamDraft(
                members=[m.pk for m in pool[k * TEAM_SIZE : (k + 1) * TEAM_SIZE]],
                households=[h.id for h in households[start : start + size]],
            )
        )
        start += size
    return TeamSuggestion(drafts, largest, living)


# --- saved sets ------------------------------------------------------------------------------


def saved_teams(target: Grid) -> list[TeamDraft]:
    """The teams saved for the target in number order ([] when none were saved)."""
    teams = (
        HouseholdTeam.objects.filter(grid=target)
        .order_by("number")
        .prefetch_related("memberships", "ownerships")
    )
    return [
        TeamDraft(
            members=sorted(ms.member_id for ms in t.memberships.all()),
            households=sorted(o.household_id for o in t.ownerships.all()),
        )
        for t in teams
    ]


def teams_version(target: Grid) -> str:
    """Changes whenever the saved set is replaced (every save creates new rows)."""
    last = HouseholdTeam.objects.filter(grid=target).aggregate(m=Max("id"))["m"]
    return str(last or 0)


def teams_elsewhere_overlapping(target: Grid) -> list[HouseholdTeam]:
    """Saved teams of the enclosing compound (for a building) or of its buildings (for a
    compound): their households overlap the target's."""
    if target.level == Level.BUILDING:
        q = Q(grid=target.parent)
    else:
        q = Q(grid__parent=target)
    return list(
        HouseholdTeam.objects.filter(q).select_related("grid").order_by("grid__code", "number")
    )
