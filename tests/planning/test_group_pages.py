"""The member-group and household-team pages as users get them: planners only, suggest →
edit (the page's own inputs) → check → save, CSV read back, households by room only."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from gridgov.accounts.models import StaffRole
from gridgov.planning.groups.selectors import saved_groups, saved_teams, suggest_groups
from gridgov.planning.models import HouseholdTeam, MemberGroup
from tests.factories import HouseholdFactory, ResidentFactory
from tests.world.planning import centre_of, populate, spread

INPUT = re.compile(r'<input type="number" name="([gmhbf]_[\w-]+)" value="([^"]*)"')
SELECTED = re.compile(r'<select name="((?:leader|deputy)_\d+)">(.*?)</select>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="version" value="([^"]*)"')


def form_of(page: str) -> dict[str, str]:
    """What the browser would submit: every number input and selected option, the version."""
    data = dict(INPUT.findall(page))
    for name, options in SELECTED.findall(page):
        chosen = re.search(r'<option value="(\d*)" selected>', options)
        data[name] = chosen.group(1) if chosen else ""
    data["version"] = HIDDEN.search(page).group(1)
    return data


def groups_url(estate, suffix=""):
    return f"/en/planning/groups/{estate.compound.code}/{suffix}"


@pytest.fixture
def planner(client, staff):
    client.force_login(staff["street"])
    return client


def test_anonymous_goes_to_login(client, estate):
    for url in (
        groups_url(estate),
        groups_url(estate, "export.csv"),
        f"/en/planning/teams/{estate.buildings[0].code}/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"], url


@pytest.mark.parametrize(
    "role",
    [
        StaffRole.GRID_LEADER,
        StaffRole.BRANCH_SECRETARY,
        StaffRole.BUILDING_LEADER,
        StaffRole.MEMBER,
        None,
    ],
)
def test_other_roles_are_refused(client, estate, make_user, role):
    populate(estate, {0: 3})
    if role is None:
        user = get_user_model().objects.create_user(username="resident", password="x-Pass-2026!")
    else:
        user = make_user("u", role, estate.compound)
    client.force_login(user)
    for url in (
        groups_url(estate),
        groups_url(estate, "export.csv"),
        f"/en/planning/teams/{estate.buildings[0].code}/",
        f"/en/planning/teams/{estate.compound.code}/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(groups_url(estate), {"action": "save"}).status_code == 403
    assert not MemberGroup.objects.exists()


def test_planners_outside_the_area_get_404(client, estate, staff):
    client.force_login(staff["c1"])  # community secretary of 100001
    assert client.get(groups_url(estate)).status_code == 404
    assert client.get(f"/en/planning/teams/{estate.buildings[0].code}/").status_code == 404
    assert client.post(groups_url(estate), {"action": "clear"}).status_code == 404


def test_suggest_edit_check_save(planner, estate):
    members = populate(estate, spread(50))
    page = planner.get(groups_url(estate)).content.decode()
    assert "This is an automatic suggestion" in page
    assert 'id="n-members">50<' in page
    assert 'id="n-groups">2<' in page
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert "planning-group" in page
    data = form_of(page)
    assert sum(1 for k in data if k.startswith("g_")) == 50
    sizes = [sum(1 for k, v in data.items() if k.startswith("g_") and v == n) for n in "12"]
    assert sum(sizes) == 50
    assert all(20 <= s <= 30 for s in sizes)
    # move three members of group 1 to group 2: still within 20–30
    movable = [
        k
        for k, v in data.items()
        if k.startswith("g_") and v == "1" and k[2:] not in (data["leader_1"], data["deputy_1"])
    ][:3]
    for k in movable:
        data[k] = "2"
    data["action"] = "check"
    checked = planner.post(groups_url(estate), data).content.decode()
    assert "Edited, not saved yet." in checked
    assert 'id="problems"' not in checked
    assert not MemberGroup.objects.exists()  # checking writes nothing
    # now break the bounds: move the whole of group 1's remaining members but two
    broken = dict(data)
    rest = [
        k
        for k, v in broken.items()
        if k.startswith("g_") and v == "1" and k[2:] not in (data["leader_1"], data["deputy_1"])
    ]
    for k in rest[:8]:
        broken[k] = "2"
    broken["action"] = "save"
    refused = planner.post(groups_url(estate), broken).content.decode()
    assert f"Group 1 has {sizes[0] - 11} members; a group has 20 to 30." in refused
    assert not MemberGroup.objects.exists()
    data["action"] = "save"
    response = planner.post(groups_url(estate), data, follow=True)
    page = response.content.decode()
    assert "Member groups saved for 锦华苑." in page
    assert "These are the saved groups." in page
    saved = saved_groups(estate.compound)
    assert [len(g.members) for g in saved] == [sizes[0] - 3, sizes[1] + 3]
    assert {i for g in saved for i in g.members} == {m.pk for m in members}


def test_leader_and_whole_building_moves(planner, estate):
    populate(estate, {0: 12, 1: 12})
    page = planner.get(groups_url(estate)).content.decode()
    data = form_of(page)
    leader, deputy = data["leader_1"], data["deputy_1"]
    assert leader
    assert deputy
    data["leader_1"], data["deputy_1"] = deputy, leader
    data[f"b_{estate.buildings[1].pk}"] = "2"  # 24 members, fewer than 20 per group
    data["action"] = "save"
    page = planner.post(groups_url(estate), data).content.decode()
    assert "Group 1 has 12 members; a group has 20 to 30." in page
    assert "Group 2 needs a leader." in page
    del data[f"b_{estate.buildings[1].pk}"]
    response = planner.post(groups_url(estate), data, follow=True)
    assert "Member groups saved" in response.content.decode()
    [group] = saved_groups(estate.compound)
    assert (str(group.leader), str(group.deputy)) == (deputy, leader)


def test_stale_page_is_refused(planner, estate):
    populate(estate, {0: 5})
    page = planner.get(groups_url(estate)).content.decode()
    first, second = form_of(page), form_of(page)
    first["action"] = second["action"] = "save"
    assert planner.post(groups_url(estate), first).status_code == 302
    page = planner.post(groups_url(estate), second).content.decode()
    assert "Someone saved a new set while you were editing" in page


def test_few_members_and_none(planner, estate):
    page = planner.get(groups_url(estate)).content.decode()
    assert "No party members live in this compound yet" in page
    assert "groups-form" not in page
    populate(estate, {3: 5})
    page = planner.get(groups_url(estate)).content.decode()
    assert "Only 5 members live here, fewer than 20: they form one group." in page


def test_csv_export(planner, estate):
    members = populate(estate, spread(45))
    body = planner.get(groups_url(estate, "export.csv"))
    assert body["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.content.decode("utf-8-sig"))))
    assert len(rows) == 45
    assert {r["state"] for r in rows} == {"suggested"}
    assert {r["member_name"] for r in rows} == {m.name for m in members}
    assert sorted(Counter(r["group"] for r in rows).values()) == sorted(
        len(g.members) for g in suggest_groups(estate.compound)
    )
    assert sum(r["role"] == "leader" for r in rows) == 2
    planner.post(
        groups_url(estate),
        {**form_of(planner.get(groups_url(estate)).content.decode()), "action": "save"},
    )
    rows = list(
        csv.DictReader(
            io.StringIO(planner.get(groups_url(estate, "export.csv")).content.decode("utf-8-sig"))
        )
    )
    assert {r["state"] for r in rows} == {"saved"}


def test_planning_page_opens_groups_and_teams(planner, estate):
    page = planner.get("/en/planning/").content.decode()
    assert 'action="/en/planning/groups/"' in page
    assert "锦华苑 100003001" in page
    response = planner.get("/en/planning/teams/", {"code": estate.compound.code})
    assert response.status_code == 302
    assert response["Location"] == f"/en/planning/teams/{estate.compound.code}/"


def test_teams_page_suggest_edit_save(planner, estate):
    building = estate.buildings[0]
    where = centre_of(building)
    houses = [
        HouseholdFactory(address=f"锦华苑1栋2单元{f}0{r}室", room=f"{f}0{r}", location=where)
        for f in range(1, 5)
        for r in range(1, 4)
    ]
    ResidentFactory(household=houses[0], name="钱居民", phone="13311112222")
    populate(estate, {0: 6})
    url = f"/en/planning/teams/{building.code}/"
    page = planner.get(url).content.decode()
    assert 'id="n-households">12<' in page
    assert 'id="n-teams">2<' in page
    assert "2-101" in page
    assert "floor 4" in page
    assert "钱居民" not in page
    assert "13311112222" not in page
    assert "锦华苑1栋2单元101室" not in page  # no address
    data = form_of(page)
    assert sum(1 for k in data if k.startswith("h_")) == 12
    # give floor 4 to team 1 by the whole-floor input: team 2 keeps floor 3 only
    floor4 = next(k for k in data if k.startswith("f_") and k.endswith("-4"))
    data[floor4] = "1"
    data["action"] = "save"
    response = planner.post(url, data, follow=True)
    assert "Household teams saved for 1栋." in response.content.decode()
    one, two = saved_teams(building)
    assert len(one.households) == 9
    assert len(two.households) == 3
    # leaving a room without a team is refused by name
    data = form_of(planner.get(url).content.decode())
    data[f"h_{houses[5].pk}"] = ""
    data["action"] = "save"
    page = planner.post(url, data).content.decode()
    assert "These households belong to no team: 1栋 2-203." in page
    assert HouseholdTeam.objects.count() == 2


def test_teams_page_with_too_few_members(planner, estate):
    HouseholdFactory(
        address="锦绣苑1栋101室", room="101", location=centre_of(estate.other_buildings[0])
    )
    page = planner.get(f"/en/planning/teams/{estate.other_buildings[0].code}/").content.decode()
    assert "Only 0 party members of this compound are free to join a team" in page
    assert "teams-form" not in page
