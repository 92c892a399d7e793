"""Readers for member groups and household teams: who can be grouped, the automatic
suggestions, the saved sets, and the page data. Scoped like the planning page.

Personal data: households are read only inside the user's resident-reader scope and only
their id, building and room leave this module (no address, no residents).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import shapely
from django.db.models import Max, Q, Sum

from geodata.measure import project
from gridgov.accounts import policy
from gridgov.grids.addresses import Room, read_room
from gridgov.grids.models import Grid, GridRole, Level
from gridgov.people.models import Household, Member, MemberKind
from gridgov.planning.groups.splitting import (
    TEAM_SIZE,
    Candidate,
    Person,
    cut_ranges,
    hilbert_keys,
    propose_leaders,
    room_sort_key,
    size_bounds,
    split_groups,
)
from gridgov.planning.models import (
    HouseholdTeam,
    HouseholdTeamHousehold,
    HouseholdTeamMember,
    MemberGroup,
)
from gridgov.planning.selectors import CONTACT_ROLES, FORMAL_Q, planning_prefixes


@dataclass
class GroupDraft:
    """One group as proposed or edited: member ids, leader and deputy (member ids)."""

    members: list[int]
    leader: int | None = None
    deputy: int | None = None


@dataclass
class TeamDraft:
    """One household team as proposed or edited: member ids and household ids."""

    members: list[int]
    households: list[int]


# --- scope -----------------------------------------------------------------------------------


def compound_for(user, code: str) -> Grid | None:
    """The compound with this code if the user plans for it, else None."""
    grid = Grid.objects.filter(code=code, level=Level.COMPOUND).select_related("parent").first()
    return grid if grid is not None and policy.allows(user, policy.PLAN, grid) else None


def team_target_for(user, code: str) -> Grid | None:
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


def compounds_to_plan(user) -> list[Grid]:
    """Compounds in the user's planning scope (for the page that opens groups and teams)."""
    return list(
        Grid.objects.filter(
            policy.scope_q(planning_prefixes(user), "code"), level=Level.COMPOUND
        ).order_by("code")
    )


# --- geometry helpers ------------------------------------------------------------------------


def _frame(compound: Grid) -> tuple[float, float]:
    """The one projection centre (lon, lat) for everything measured in a compound, so that
    every position computed for it is in the same local metres."""
    c = compound.geom.centroid
    return (c.x, c.y)


def _centres(
    grids: list[Grid], points: dict[int, object], frame: tuple[float, float]
) -> tuple[dict, dict]:
    """Centres in local metres (projected around ``frame``): of grids (by id) and of loose
    points (by key)."""
    shapes = [shapely.from_wkb(bytes(g.geom.wkb)).centroid for g in grids]
    loose = list(points)
    shapes += [shapely.Point(points[k].x, points[k].y) for k in loose]
    projected = project(shapes, centre=frame) if shapes else []
    by_grid = {g.pk: (p.x, p.y) for g, p in zip(grids, projected[: len(grids)], strict=True)}
    by_key = {k: (p.x, p.y) for k, p in zip(loose, projected[len(grids) :], strict=True)}
    return by_grid, by_key


def _unit_positions(
    members: list[Member], frame: tuple[float, float]
) -> dict[int, tuple[str, float, float]]:
    """Each member's unit (building code, or their own key when in no building) and the
    unit's centre in metres."""
    buildings = {m.building_id: m.building for m in members if m.building_id}
    loose = {m.pk: m.location for m in members if not m.building_id and m.location}
    by_grid, by_key = _centres(list(buildings.values()), loose, frame)
    out = {}
    for m in members:
        if m.building_id:
            out[m.pk] = (m.building.code, *by_grid[m.building_id])
        elif m.pk in by_key:
            out[m.pk] = (f"~{m.pk}", *by_key[m.pk])
        else:
            out[m.pk] = (f"~{m.pk}", 0.0, 0.0)
    return out


# --- member groups ---------------------------------------------------------------------------


def group_pool(compound: Grid) -> list[Member]:
    """Who is grouped: party members (formal and probationary, not applicants) living in the
    compound, by name."""
    return list(
        Member.objects.filter(compound=compound)
        .exclude(kind=MemberKind.APPLICANT)
        .select_related("building")
        .order_by("name", "id")
    )


def member_facts(members: list[Member]) -> dict[int, Candidate]:
    """What leader proposals weigh, one query each: current contact roles, hours served."""
    ids = [m.pk for m in members]
    holders = set(
        GridRole.objects.current()
        .filter(member_id__in=ids, role__in=CONTACT_ROLES)
        .values_list("member_id", flat=True)
    )
    hours = dict(
        Member.objects.filter(pk__in=ids)
        .annotate(h=Sum("ledger_entries__hours"))
        .values_list("pk", "h")
    )
    formal = set(Member.objects.filter(FORMAL_Q, pk__in=ids).values_list("pk", flat=True))
    return {
        m.pk: Candidate(
            id=m.pk,
            formal=m.pk in formal,
            contact_role=m.pk in holders,
            hours=float(hours.get(m.pk) or 0),
            name=m.name,
        )
        for m in members
    }


def suggest_groups(compound: Grid, pool: list[Member] | None = None) -> list[GroupDraft]:
    """The automatic split (splitting.split_groups) with leaders proposed for each group."""
    pool = group_pool(compound) if pool is None else pool
    if not pool:
        return []
    units = _unit_positions(pool, _frame(compound))
    people = [
        Person(id=m.pk, unit=units[m.pk][0], x=units[m.pk][1], y=units[m.pk][2], rank=(m.name,))
        for m in pool
    ]
    facts = member_facts(pool)
    drafts = []
    for ids in split_groups(people):
        leader, deputy = propose_leaders([facts[i] for i in ids])
        drafts.append(GroupDraft(members=ids, leader=leader, deputy=deputy))
    return drafts


def saved_groups(compound: Grid) -> list[GroupDraft]:
    """The compound's saved groups in number order ([] when none were saved)."""
    groups = list(
        MemberGroup.objects.filter(compound=compound)
        .order_by("number")
        .prefetch_related("memberships")
    )
    return [
        GroupDraft(
            members=sorted(ms.member_id for ms in g.memberships.all()),
            leader=g.leader_id,
            deputy=g.deputy_id,
        )
        for g in groups
    ]


def groups_version(compound: Grid) -> str:
    """Changes whenever the saved set is replaced (every save creates new rows)."""
    last = MemberGroup.objects.filter(compound=compound).aggregate(m=Max("id"))["m"]
    return str(last or 0)


@dataclass
class GroupRow:
    """A group as the page shows it."""

    number: int
    members: list[Member]
    leader: int | None
    deputy: int | None
    formal: list[Member]
    buildings: list[tuple[str, int]]  # building name, members of this group in it
    in_bounds: bool
    colour: str = ""  # set by the page


def group_rows(
    drafts: list[GroupDraft], pool: list[Member], facts: dict[int, Candidate]
) -> list[GroupRow]:
    by_id = {m.pk: m for m in pool}
    bounds = size_bounds(len(pool))
    rows = []
    for number, d in enumerate(drafts, start=1):
        members = [by_id[i] for i in d.members if i in by_id]
        for m in members:
            m.facts = facts.get(m.pk)
        counts = Counter(m.building.name if m.building_id else "—" for m in members)
        rows.append(
            GroupRow(
                number=number,
                members=members,
                leader=d.leader,
                deputy=d.deputy,
                formal=[m for m in members if facts.get(m.pk) and facts[m.pk].formal],
                buildings=sorted(counts.items()),
                in_bounds=bounds is None or bounds[0] <= len(members) <= bounds[1],
            )
        )
    return rows


def buildings_by_group(
    compound: Grid, drafts: list[GroupDraft], pool: list[Member]
) -> dict[int, tuple[int, dict[int, int]]]:
    """Building id → (the group most of its members are in, members per group)."""
    group_of = {i: n for n, d in enumerate(drafts, start=1) for i in d.members}
    per: dict[int, Counter] = defaultdict(Counter)
    for m in pool:
        if m.building_id and m.pk in group_of:
            per[m.building_id][group_of[m.pk]] += 1
    return {b: (min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0], dict(c)) for b, c in per.items()}


def mean_group_distance(drafts: list[GroupDraft], pool: list[Member], compound: Grid) -> float:
    """Mean distance (metres) between two members of the same group, over all such pairs:
    the compactness figure the page shows (and the tests compare with a random split)."""
    units = _unit_positions(pool, _frame(compound))
    total, pairs = 0.0, 0
    for d in drafts:
        pts = [units[i][1:] for i in d.members if i in units]
        for a in range(len(pts)):
            for b in range(a + 1, len(pts)):
                total += math.dist(pts[a], pts[b])
                pairs += 1
    return total / pairs if pairs else 0.0


# --- household teams -------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdRow:
    """A household as planners see it: its building and room, nothing personal."""

    id: int
    building_id: int | None
    building: str  # the building's name ("" when the household is in no building)
    room: Room
    block: tuple  # (building rank, unit, floor): households of one floor share it
    order: tuple


def compound_of(target: Grid) -> Grid:
    return target if target.level == Level.COMPOUND else target.parent


def building_ranks(compound: Grid) -> dict[int, int]:
    """Building id → its place along a Hilbert curve through the compound's buildings: the
    one order households and members of a compound are lined up in."""
    buildings = list(Grid.objects.filter(parent=compound, level=Level.BUILDING).order_by("code"))
    if not buildings:
        return {}
    by_grid, _ = _centres(buildings, {}, _frame(compound))
    keys = hilbert_keys([by_grid[g.pk] for g in buildings])
    ordered = sorted(
        zip(keys, [g.code for g in buildings], buildings, strict=True), key=lambda t: (t[0], t[1])
    )
    return {g.pk: i for i, (_k, _c, g) in enumerate(ordered)}


def team_households(target: Grid, user) -> list[HouseholdRow]:
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
    last = len(ranks)
    out = []
    for h in rows:
        room = read_room(h.room, h.address)
        b_rank = ranks.get(h.building_id, last)
        block = (b_rank, room.unit, room.floor if room.floor is not None else f"~{h.pk}")
        out.append(
            HouseholdRow(
                id=h.pk,
                building_id=h.building_id,
                building=h.building.name if h.building_id else "",
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
        frame = _frame(compound)
        units = _unit_positions(pool, frame)
        centre = _centres([target], {}, frame)[0][target.pk]
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
    return sorted(pool, key=lambda m: (ranks.get(m.building_id, len(ranks)), m.name, m.pk))


@dataclass
class TeamSuggestion:
    teams: list[TeamDraft]
    largest: int  # the most teams the pool and households allow
    living: int  # pool members living in the target itself
    notes: list[str] = field(default_factory=list)  # msgid keys, rendered by the view


def team_count(target: Grid, pool: list[Member], households: int) -> tuple[int, int, int]:
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
    user,
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
    drafts, start = [], 0
    for k, size in enumerate(sizes):
        drafts.append(
            TeamDraft(
                members=[m.pk for m in pool[k * TEAM_SIZE : (k + 1) * TEAM_SIZE]],
                households=[h.id for h in households[start : start + size]],
            )
        )
        start += size
    return TeamSuggestion(drafts, largest, living)


def saved_teams(target: Grid) -> list[TeamDraft]:
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
