"""Readers for member groups (党员小组): which compounds the user plans for, who is grouped,
what leader proposals weigh, the automatic suggestion, the saved set and the page rows."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Max, Sum

from gridgov.accounts import policy
from gridgov.accounts.actors import Actor
from gridgov.grids.models import Grid, GridRole, Level
from gridgov.people.models import Member, MemberKind
from gridgov.planning.groups.selectors.places import frame, unit_positions
from gridgov.planning.groups.splitting import (
    Candidate,
    Person,
    propose_leaders,
    size_bounds,
    split_groups,
)
from gridgov.planning.models import MemberGroup
from gridgov.planning.selectors import CONTACT_ROLES, FORMAL_Q, planning_prefixes


@dataclass
class GroupDraft:
    """One group as proposed or edited: member ids, leader and deputy (member ids)."""

    members: list[int]
    leader: int | None = None
    deputy: int | None = None


# --- scope -----------------------------------------------------------------------------------


def compound_for(user: Actor, code: str) -> Grid | None:
    """The compound with this code if the user plans for it, else None."""
    grid = Grid.objects.filter(code=code, level=Level.COMPOUND).select_related("parent").first()
    return grid if grid is not None and policy.allows(user, policy.PLAN, grid) else None


def compounds_to_plan(user: Actor) -> list[Grid]:
    """Compounds in the user's planning scope (for the page that opens groups and teams)."""
    return list(
        Grid.objects.filter(
            policy.scope_q(planning_prefixes(user), "code"), level=Level.COMPOUND
        ).order_by("code")
    )


# --- pool, facts, suggestion, saved set ------------------------------------------------------


def group_pool(compound: Grid) -> list[Member]:
    """Who is grouped: party members (formal and probationary, not applicants) living in the
    compound, by name."""
    return list(
        Member.objects.filter(compound=compound)
        .exclude(kind=MemberKind.APPLICANT)
        .select_related("building")
        .order_by("name", "id")
    )


def member_facts(members: Sequence[Member]) -> dict[int, Candidate]:
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
    units = unit_positions(pool, frame(compound))
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


# --- the page --------------------------------------------------------------------------------


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
    drafts: Sequence[GroupDraft], pool: Sequence[Member], facts: dict[int, Candidate]
) -> list[GroupRow]:
    by_id = {m.pk: m for m in pool}
    bounds = size_bounds(len(pool))
    rows = []
    for number, d in enumerate(drafts, start=1):
        members = [by_id[i] for i in d.members if i in by_id]
        for m in members:
            m.facts = facts.get(m.pk)  # type: ignore[attr-defined]  # the page reads m.facts
        counts = Counter(m.building.name if m.building is not None else "—" for m in members)
        rows.append(
            GroupRow(
                number=number,
                members=members,
                leader=d.leader,
                deputy=d.deputy,
                formal=[m for m in members if m.pk in facts and facts[m.pk].formal],
                buildings=sorted(counts.items()),
                in_bounds=bounds is None or bounds[0] <= len(members) <= bounds[1],
            )
        )
    return rows


def buildings_by_group(
    compound: Grid, drafts: Sequence[GroupDraft], pool: Sequence[Member]
) -> dict[int, tuple[int, dict[int, int]]]:
    """Building id → (the group most of its members are in, members per group)."""
    group_of = {i: n for n, d in enumerate(drafts, start=1) for i in d.members}
    per: dict[int, Counter[int]] = defaultdict(Counter)
    for m in pool:
        if m.building_id and m.pk in group_of:
            per[m.building_id][group_of[m.pk]] += 1
    return {b: (min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0], dict(c)) for b, c in per.items()}


def mean_group_distance(
    drafts: Sequence[GroupDraft], pool: Sequence[Member], compound: Grid
) -> float:
    """Mean distance (metres) between two members of the same group, over all such pairs:
    the compactness figure the page shows (and the tests compare with a random split)."""
    units = unit_positions(pool, frame(compound))
    total, pairs = 0.0, 0
    for d in drafts:
        pts = [units[i][1:] for i in d.members if i in units]
        for a in range(len(pts)):
            for b in range(a + 1, len(pts)):
                total += math.dist(pts[a], pts[b])
                pairs += 1
    return total / pairs if pairs else 0.0
