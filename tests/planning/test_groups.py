"""Member groups (党员小组): the automatic split keeps every size bound, puts every member in
exactly one group, is deterministic and spatially compact; leaders are proposed among formal
members; saving replaces the previous set atomically and refuses broken edits."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal

import pytest

from gridgov.accounts.models import AuditEntry
from gridgov.grids.models import RoleKind
from gridgov.grids.services import gridrole_assign
from gridgov.people.models import MemberKind
from gridgov.planning.groups.selectors import (
    GroupDraft,
    group_pool,
    groups_version,
    mean_group_distance,
    saved_groups,
    suggest_groups,
)
from gridgov.planning.groups.services import (
    GroupError,
    member_groups_check,
    member_groups_clear,
    member_groups_save,
)
from gridgov.planning.groups.splitting import cut_sizes, size_bounds
from gridgov.planning.models import MemberGroup, MemberGroupMembership
from gridgov.points.services import ledger_earn
from tests.factories import MemberFactory
from tests.world.planning import centre_of, populate, spread

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


def expected_bounds(n: int) -> tuple[int, int]:
    """The rule, written out independently of the code under test."""
    if n < 20:
        return (n, n)
    if 31 <= n <= 39:
        return (15, 30)
    return (20, 30)


def assert_partition(groups, members) -> None:
    ids = [i for g in groups for i in g.members]
    assert len(ids) == len(set(ids)), "a member is in two groups"
    assert set(ids) == {m.pk for m in members}, "a member is in no group"


@pytest.mark.parametrize("n", [0, 5, 19, 20, 31, 59, 61, 200])
def test_suggestion_respects_the_size_bounds(estate, n):
    members = populate(estate, spread(n))
    groups = suggest_groups(estate.compound)
    assert_partition(groups, members)
    sizes = [len(g.members) for g in groups]
    lo, hi = expected_bounds(n)
    if n == 0:
        assert groups == []
    elif n < 20:
        assert sizes == [n]  # one group, however small
    else:
        assert all(lo <= s <= hi for s in sizes), sizes
    if n == 31:
        assert len(groups) == 2  # no 20–30 split exists: two groups of at least 15
    # what the page would save is accepted as it stands
    assert member_groups_check(compound=estate.compound, groups=groups) == []
    member_groups_save(compound=estate.compound, groups=groups, acting_user=None)
    assert MemberGroup.objects.filter(compound=estate.compound).count() == len(groups)
    assert MemberGroupMembership.objects.filter(group__compound=estate.compound).count() == n


def test_a_building_of_40_is_split_and_the_others_stay_whole(estate):
    counts = {5: 40, 0: 5, 1: 5, 2: 5, 12: 5, 13: 5, 14: 5}
    members = populate(estate, counts)
    groups = suggest_groups(estate.compound)
    assert_partition(groups, members)
    assert all(20 <= len(g.members) <= 30 for g in groups)
    building_of = {m.pk: m.building_id for m in members}
    groups_of_building: dict[int, set[int]] = {}
    for number, g in enumerate(groups):
        for i in g.members:
            groups_of_building.setdefault(building_of[i], set()).add(number)
    big = estate.buildings[5].pk
    assert len(groups_of_building[big]) >= 2  # 40 > 30: it cannot stay in one group
    assert all(len(v) == 1 for b, v in groups_of_building.items() if b != big)


def test_bounds_win_over_keeping_buildings_whole():
    """Three buildings of 16: whole buildings would give 16 + 32; the bounds force a split."""
    units = ["a"] * 16 + ["b"] * 16 + ["c"] * 16
    sizes = cut_sizes(units, size_bounds(48))
    assert sum(sizes) == 48
    assert all(20 <= s <= 30 for s in sizes)


@pytest.mark.parametrize("building", [1, 7, 40])
def test_cut_sizes_bounds_for_every_size(building):
    for n in range(1, 700):
        units = [f"b{i // building}" for i in range(n)]  # buildings of this many members
        sizes = cut_sizes(units, size_bounds(n))
        lo, hi = expected_bounds(n)
        assert sum(sizes) == n, (n, sizes)
        assert all(lo <= s <= hi for s in sizes), (n, sizes)


def test_suggestion_is_deterministic(estate):
    populate(estate, spread(90))
    pool = group_pool(estate.compound)
    first = suggest_groups(estate.compound)
    assert suggest_groups(estate.compound) == first
    shuffled = pool[:]
    random.Random(7).shuffle(shuffled)
    assert suggest_groups(estate.compound, shuffled) == first  # input order does not matter


def test_groups_are_compact(estate):
    populate(estate, spread(200))
    pool = group_pool(estate.compound)
    groups = suggest_groups(estate.compound)
    ours = mean_group_distance(groups, pool, estate.compound)
    sizes = [len(g.members) for g in groups]
    rng = random.Random(2026)
    randoms = []
    for _ in range(10):
        ids = [m.pk for m in pool]
        rng.shuffle(ids)
        split, start = [], 0
        for s in sizes:
            split.append(GroupDraft(members=ids[start : start + s]))
            start += s
        randoms.append(mean_group_distance(split, pool, estate.compound))
    assert ours < 0.75 * min(randoms), (ours, randoms)
    # and each group's buildings are neighbours: connected through shared sides of the 4 × 4
    # block (a contiguous stretch of the curve), never scattered
    index = {b.pk: i for i, b in enumerate(estate.buildings)}
    building_of = {m.pk: m.building_id for m in pool}
    for g in groups:
        cells = {divmod(index[building_of[i]], 4) for i in g.members}
        start = next(iter(cells))
        seen, todo = {start}, [start]
        while todo:
            r, c = todo.pop()
            for nxt in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if nxt in cells and nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert seen == cells, sorted(cells)


def test_members_of_other_compounds_and_applicants_are_not_grouped(estate):
    members = populate(estate, {0: 10})
    MemberFactory(name="申请人", location=centre_of(estate.buildings[0]), kind=MemberKind.APPLICANT)
    MemberFactory(name="邻居", location=centre_of(estate.other_buildings[0]))
    groups = suggest_groups(estate.compound)
    assert_partition(groups, members)


def test_leaders_are_formal_role_holders_then_most_hours(estate):
    members = populate(estate, {0: 12}, probationary_every=4)
    probationary = [m for m in members if not m.is_formal]
    keen = [m for m in members if m.is_formal][-1]
    leader = [m for m in members if m.is_formal][-2]
    gridrole_assign(
        grid=estate.buildings[0], member=leader, role=RoleKind.BUILDING_LEADER, acting_user=None
    )
    ledger_earn(
        member=keen,
        hours=Decimal("30"),
        reason="t",
        source="t:1",
        occurred_on=dt.date(2026, 3, 1),
        acting_user=None,
    )
    ledger_earn(
        member=probationary[0],
        hours=Decimal("99"),
        reason="t",
        source="t:2",
        occurred_on=dt.date(2026, 3, 1),
        acting_user=None,
    )
    [group] = suggest_groups(estate.compound)
    assert group.leader == leader.pk  # the building leader first
    assert group.deputy == keen.pk  # then most hours among formal members


def test_saving_replaces_the_previous_set_and_is_audited(estate, staff):
    populate(estate, spread(60))
    first = suggest_groups(estate.compound)
    member_groups_save(compound=estate.compound, groups=first, acting_user=staff["street"])
    old_ids = set(MemberGroup.objects.values_list("pk", flat=True))
    version = groups_version(estate.compound)
    swapped = [GroupDraft(g.members, g.deputy, g.leader) for g in first]
    member_groups_save(
        compound=estate.compound,
        groups=swapped,
        acting_user=staff["street"],
        expected_version=version,
    )
    assert not old_ids & set(MemberGroup.objects.values_list("pk", flat=True))
    assert saved_groups(estate.compound) == [
        GroupDraft(sorted(g.members), g.leader, g.deputy) for g in swapped
    ]
    entry = AuditEntry.objects.filter(action="membergroups.save").first()
    assert entry.actor == staff["street"]
    assert entry.object_id == str(estate.compound.pk)
    assert [g["leader"] for g in entry.before["groups"]] == [g.leader for g in first]
    assert [g["leader"] for g in entry.after["groups"]] == [g.leader for g in swapped]


def test_a_stale_edit_is_refused(estate, staff):
    populate(estate, spread(25))
    groups = suggest_groups(estate.compound)
    stale = groups_version(estate.compound)
    member_groups_save(compound=estate.compound, groups=groups, acting_user=staff["street"])
    with pytest.raises(GroupError) as caught:
        member_groups_save(
            compound=estate.compound,
            groups=groups,
            acting_user=staff["street"],
            expected_version=stale,
        )
    assert "Someone saved a new set while you were editing" in caught.value.messages[0]


def test_edits_breaking_the_bounds_are_refused_and_nothing_is_written(estate, staff):
    populate(estate, spread(50))
    groups = suggest_groups(estate.compound)
    member_groups_save(compound=estate.compound, groups=groups, acting_user=staff["street"])
    before = saved_groups(estate.compound)
    a, b = groups[0], groups[1]
    moved = [i for i in a.members if i not in (a.leader, a.deputy)][: len(a.members) - 19]
    edited = [
        GroupDraft([i for i in a.members if i not in moved], a.leader, a.deputy),
        GroupDraft(b.members + moved, b.leader, b.deputy),
    ]
    with pytest.raises(GroupError) as caught:
        member_groups_save(compound=estate.compound, groups=edited, acting_user=staff["street"])
    text = " | ".join(caught.value.messages)
    assert "Group 1 has 19 members; a group has 20 to 30." in text
    assert f"Group 2 has {len(b.members) + len(moved)} members; a group has 20 to 30." in text
    assert saved_groups(estate.compound) == before


def test_leader_rules(estate):
    members = populate(estate, {0: 8}, probationary_every=4)
    [group] = suggest_groups(estate.compound)
    probationary = next(m for m in members if not m.is_formal)
    outsider = MemberFactory(name="外人", location=centre_of(estate.other_buildings[0]))
    cases = {
        "needs a leader": GroupDraft(group.members, None, group.deputy),
        "is not a formal member and cannot be the leader of group 1": GroupDraft(
            group.members, probationary.pk, group.deputy
        ),
        "needs two different people": GroupDraft(group.members, group.leader, group.leader),
        "These people are not party members living in 锦华苑: 外人": GroupDraft(
            group.members + [outsider.pk], group.leader, group.deputy
        ),
    }
    for expected, draft in cases.items():
        problems = member_groups_check(compound=estate.compound, groups=[draft])
        assert any(expected in p for p in problems), (expected, problems)


def test_fewer_than_20_members_form_one_group(estate):
    members = populate(estate, {0: 6, 15: 6})
    ids = [m.pk for m in members]
    two = [GroupDraft(ids[:6]), GroupDraft(ids[6:])]
    problems = member_groups_check(compound=estate.compound, groups=two)
    assert "锦华苑 has 12 members, fewer than 20: they form one group, not 2." in problems


def test_missing_and_doubled_members_are_named(estate):
    members = populate(estate, spread(22))
    [group] = suggest_groups(estate.compound)
    left_out = next(m for m in members if m.pk not in (group.leader, group.deputy))
    rest = [i for i in group.members if i != left_out.pk]
    problems = member_groups_check(
        compound=estate.compound, groups=[GroupDraft(rest, group.leader, group.deputy)]
    )
    assert f"These members are in no group: {left_out.name}." in problems
    doubled = [GroupDraft(group.members, group.leader, group.deputy), GroupDraft([left_out.pk])]
    problems = member_groups_check(compound=estate.compound, groups=doubled)
    assert f"{left_out.name} is in more than one group (1, 2)." in problems


def test_a_member_who_moved_leaves_the_old_compound_group(estate):
    populate(estate, {0: 4})
    mover = MemberFactory(name="搬家", location=centre_of(estate.buildings[0]))
    member_groups_save(
        compound=estate.compound, groups=suggest_groups(estate.compound), acting_user=None
    )
    from gridgov.people.services import member_update

    member_update(member=mover, acting_user=None, location=centre_of(estate.other_buildings[0]))
    member_groups_save(compound=estate.other, groups=suggest_groups(estate.other), acting_user=None)
    assert MemberGroupMembership.objects.get(member=mover).group.compound == estate.other
    assert AuditEntry.objects.filter(action="membergroup.leave").count() == 1
    # the first compound's saved set now lacks him: its check says nothing of him, and
    # its 4 remaining members are still grouped
    assert Counter(len(g.members) for g in saved_groups(estate.compound)) == {4: 1}


def test_clear_and_scope(estate, staff, tree):
    populate(estate, {0: 3})
    member_groups_save(
        compound=estate.compound,
        groups=suggest_groups(estate.compound),
        acting_user=staff["street"],
    )
    with pytest.raises(GroupError) as caught:  # C1's secretary does not plan in 100003
        member_groups_clear(compound=estate.compound, acting_user=staff["c1"])
    assert "outside the area you plan for" in caught.value.messages[0]
    assert member_groups_clear(compound=estate.compound, acting_user=staff["street"]) == 1
    assert not MemberGroup.objects.exists()
    assert AuditEntry.objects.filter(action="membergroups.clear").exists()
    with pytest.raises(GroupError):
        member_groups_save(compound=tree.b1, groups=[], acting_user=None)  # a building
