"""Household teams (包干到层、包干到户): every household covered exactly once, whole floors per
team where possible, three members each (those living there first), and saving refuses
anything else."""

from __future__ import annotations

import pytest

from gridgov.accounts.models import AuditEntry
from gridgov.grids.addresses import read_room
from gridgov.planning.groups.selectors import (
    TeamDraft,
    saved_teams,
    suggest_teams,
    team_households,
    team_pool,
    teams_version,
)
from gridgov.planning.groups.services import (
    GroupError,
    household_teams_check,
    household_teams_clear,
    household_teams_save,
)
from gridgov.planning.groups.splitting import cut_ranges
from gridgov.planning.models import HouseholdTeam, HouseholdTeamHousehold
from tests.factories import HouseholdFactory, MemberFactory
from tests.world.planning import centre_of, populate

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


def rooms(estate, index: int, floors: int = 6, per_floor: int = 4, unknown: int = 2):
    """Households of one building: rooms 101…604 (unit 1), plus some with no room at all."""
    where = centre_of(estate.buildings[index])
    name = estate.buildings[index].name
    made = [
        HouseholdFactory(
            address=f"锦华苑{name}1单元{f}{r:02d}室", room=f"{f}{r:02d}", location=where
        )
        for f in range(1, floors + 1)
        for r in range(1, per_floor + 1)
    ]
    made += [
        HouseholdFactory(address=f"锦华苑{name}（杂物间{k}）", room="", location=where)
        for k in range(unknown)
    ]
    return made


@pytest.mark.parametrize(
    ("text", "address", "unit", "floor", "label"),
    [
        ("302", "", None, 3, "302"),
        ("1502室", "", None, 15, "1502室"),
        ("2单元302", "", 2, 3, "2单元302"),
        ("2-302", "", 2, 3, "2-302"),
        ("5层", "", None, 5, "5层"),
        ("1203室", "东湖路7号东湖花园1栋2单元1203室", 2, 12, "2-1203室"),
        ("", "东湖路7号东湖花园一幢2单元302室", 2, 3, "2单元302室"),
        ("", "东湖花园1栋5室", None, None, "5室"),
        ("", "私人住址（无楼栋）", None, None, ""),
        ("地下室", "", None, None, "地下室"),
    ],
)
def test_read_room(text, address, unit, floor, label):
    room = read_room(text, address)
    assert (room.unit, room.floor, room.label) == (unit, floor, label)


def test_cut_ranges_prefers_floor_boundaries():
    blocks = [f for f in range(1, 7) for _ in range(4)]  # 6 floors of 4
    assert cut_ranges(blocks, 2) == [12, 12]
    assert cut_ranges(blocks, 3) == [8, 8, 8]
    assert cut_ranges(blocks, 4) == [4, 8, 4, 8]  # ties go to the lower floor boundary
    uneven = [1] * 5 + [2] * 5 + [3] * 3  # ideal cut 6; the floor boundary 5 is near enough
    assert cut_ranges(uneven, 2) == [5, 8]
    lopsided = [1] * 10 + [2] * 3  # no boundary near the middle: the floor is cut
    assert cut_ranges(lopsided, 2) == [6, 7]
    assert sum(cut_ranges(list(range(7)), 7)) == 7
    assert cut_ranges([], 3) == []


def test_teams_cover_every_household_once_by_whole_floors(estate):
    houses = rooms(estate, 0)
    living = populate(estate, {0: 7})
    suggestion = suggest_teams(estate.buildings[0], None)
    assert len(suggestion.teams) == 2  # 7 members living there: two teams of 3
    owned = [h for t in suggestion.teams for h in t.households]
    assert sorted(owned) == sorted(h.pk for h in houses)  # each exactly once
    for t in suggestion.teams:
        assert len(t.members) == 3
        assert set(t.members) <= {m.pk for m in living}
    floors = {h.pk: read_room(h.room).floor for h in houses}
    first, second = ({floors[h] for h in t.households} for t in suggestion.teams)
    assert first == {1, 2, 3}
    assert second == {4, 5, 6, None}
    household_teams_save(target=estate.buildings[0], teams=suggestion.teams, acting_user=None)
    assert HouseholdTeamHousehold.objects.count() == len(houses)


def test_a_building_with_few_members_borrows_the_nearest_of_the_compound(estate):
    rooms(estate, 0, floors=2, unknown=0)
    inside = populate(estate, {0: 1}, prefix="内")
    near = populate(estate, {1: 2}, prefix="近")  # next door
    far = populate(estate, {15: 2}, prefix="远")  # the far corner
    pool = team_pool(estate.buildings[0])
    assert [m.pk for m in pool[:3]] == [inside[0].pk] + [m.pk for m in near]
    assert {m.pk for m in far} <= {m.pk for m in pool}
    [team] = suggest_teams(estate.buildings[0], None).teams
    assert sorted(team.members) == sorted([inside[0].pk] + [m.pk for m in near])


def test_no_team_without_households_or_three_members(estate):
    populate(estate, {0: 5})
    assert suggest_teams(estate.buildings[0], None).teams == []  # no households
    rooms(estate, 2, floors=1, unknown=0)
    HouseholdFactory(
        address="锦绣苑1栋101室", room="101", location=centre_of(estate.other_buildings[0])
    )
    MemberFactory(location=centre_of(estate.other_buildings[0]))
    suggestion = suggest_teams(estate.other_buildings[0], None)
    assert suggestion.teams == []
    assert suggestion.largest == 0


def test_compound_teams_cover_all_its_buildings(estate):
    a = rooms(estate, 0, floors=3, unknown=1)
    b = rooms(estate, 1, floors=3, unknown=0)
    populate(estate, {0: 4, 1: 5})
    suggestion = suggest_teams(estate.compound, None)
    assert len(suggestion.teams) == 3
    owned = [h for t in suggestion.teams for h in t.households]
    assert sorted(owned) == sorted(h.pk for h in a + b)


def test_saving_refuses_gaps_overlaps_and_wrong_sizes(estate, staff):
    houses = rooms(estate, 0, floors=2, unknown=0)
    members = populate(estate, {0: 6})
    ids = [h.pk for h in houses]
    m = [x.pk for x in members]
    bad = [
        TeamDraft(members=m[:2], households=ids[:3]),
        TeamDraft(members=m[2:5] + [m[0]], households=ids[2:6]),
    ]
    problems = household_teams_check(
        target=estate.buildings[0], teams=bad, acting_user=staff["street"]
    )
    text = " | ".join(problems)
    assert "Team 1 has 2 members; a team has 3." in text
    assert "Team 2 has 4 members; a team has 3." in text
    assert "1栋 1-103 is owned by more than one team (1, 2)." in text
    assert "These households belong to no team: 1栋 1-203, 1栋 1-204." in text
    assert f"{members[0].name} is in more than one team (1, 2)." in text
    with pytest.raises(GroupError):
        household_teams_save(target=estate.buildings[0], teams=bad, acting_user=staff["street"])
    assert not HouseholdTeam.objects.exists()


def test_plans_of_a_building_and_its_compound_do_not_overlap(estate, staff):
    rooms(estate, 0, floors=2, unknown=0)
    populate(estate, {0: 6})
    building = suggest_teams(estate.buildings[0], staff["street"]).teams
    household_teams_save(target=estate.buildings[0], teams=building, acting_user=staff["street"])
    compound = suggest_teams(estate.compound, staff["street"])
    assert compound.teams == []  # all six members are already in the building's teams
    problems = household_teams_check(
        target=estate.compound,
        acting_user=staff["street"],
        teams=[TeamDraft(members=building[0].members, households=building[0].households)],
    )
    text = " | ".join(problems)
    assert "is already in team 1 of 100003001001 1栋" in text
    assert "4 households are already owned by teams of 100003001001 1栋; clear those teams" in text


def test_save_replaces_audits_and_clears(estate, staff):
    rooms(estate, 0, floors=4, unknown=0)
    populate(estate, {0: 9})
    target = estate.buildings[0]
    three = suggest_teams(target, staff["street"]).teams
    household_teams_save(target=target, teams=three, acting_user=staff["street"])
    version = teams_version(target)
    two = suggest_teams(target, staff["street"], teams=2).teams
    household_teams_save(
        target=target, teams=two, acting_user=staff["street"], expected_version=version
    )
    assert len(saved_teams(target)) == 2
    entry = AuditEntry.objects.filter(action="householdteams.save").first()
    assert len(entry.before["teams"]) == 3
    assert len(entry.after["teams"]) == 2
    with pytest.raises(GroupError) as caught:
        household_teams_save(
            target=target, teams=two, acting_user=staff["street"], expected_version=version
        )
    assert "Someone saved a new set" in caught.value.messages[0]
    assert household_teams_clear(target=target, acting_user=staff["street"]) == 2
    assert not HouseholdTeam.objects.exists()


def test_households_are_read_within_the_resident_scope(estate, staff):
    rooms(estate, 0, floors=1, unknown=0)
    assert len(team_households(estate.buildings[0], staff["street"])) == 4
    assert team_households(estate.buildings[0], staff["c1"]) == []  # C1 is not 100003
