"""The grid dashboard: figures per child computed independently here, scoping, masking."""

import pytest
from django.contrib.gis.geos import Point

from gridgov.grids.services import gridrole_assign
from maps.dashboard_data import dashboard
from tests.factories import HouseholdFactory, MemberFactory, ResidentFactory
from tests.pages import shows


@pytest.fixture
def staffed(tree):
    """B1 has a leader (opted out of a public phone); B2 and B3 have none. People: 2
    members in B1, 1 in B3; households: 2 in B1 (3 residents), 1 in K1's open ground."""
    leader = MemberFactory(
        name="林楼长",
        phone="13911112222",
        phone_public=False,
        pledge="有事找我",
        specialty="水电维修",
        location=Point(113.102, 23.002, srid=4326),
    )
    MemberFactory(name="陈党员", location=Point(113.1022, 23.0021, srid=4326))
    MemberFactory(name="何党员", location=Point(113.107, 23.003, srid=4326))
    gridrole_assign(grid=tree.b1, member=leader, role="building_leader", acting_user=None)
    h1 = HouseholdFactory(location=Point(113.1021, 23.0022, srid=4326))
    ResidentFactory(household=h1)
    ResidentFactory(household=h1)
    h2 = HouseholdFactory(location=Point(113.1023, 23.0024, srid=4326))
    ResidentFactory(household=h2)
    h3 = HouseholdFactory(location=Point(113.104, 23.0045, srid=4326))  # open ground
    ResidentFactory(household=h3)
    return tree


def props(data):
    return {f["properties"]["code"]: f["properties"] for f in data.children["features"]}


def test_community_dashboard_figures_per_compound(staffed, admin_user):
    data = dashboard(staffed.c1, user=admin_user)
    p = props(data)
    assert set(p) == {"100001001", "100001002"}
    k1, k2 = p["100001001"], p["100001002"]
    assert (k1["buildings"], k1["led"], k1["leaders"]) == (2, 1, 50)
    assert (k2["buildings"], k2["led"], k2["leaders"]) == (1, 0, 0)
    assert k1["members_n"] == 2
    assert k2["members_n"] == 1
    assert k1["households"] == 3
    assert k1["members"] == round(100 * 2 / 3, 1)
    assert k1["located"] == 75  # 3 of 4 residents in K1 live in a building
    assert k2["located"] is None  # nobody to locate
    assert data.totals["buildings"] == 3
    assert data.totals["led"] == 1
    assert [b["code"] for b in data.unled] == ["100001001002", "100001002001"]
    assert [x for x, _ in data.breadcrumbs] == ["东湖社区"]


def test_compound_dashboard_has_buildings_as_children(staffed, admin_user):
    data = dashboard(staffed.k1, user=admin_user)
    p = props(data)
    assert set(p) == {"100001001001", "100001001002"}
    assert p["100001001001"]["leaders"] == 100
    assert p["100001001002"]["leaders"] == 0
    assert [x for x, _ in data.breadcrumbs] == ["东湖社区", "东湖花园"]


def test_phone_masked_for_a_viewer_outside_staff(staffed, make_user):
    member_user = make_user("m1", "member", grid=staffed.c1)
    data = dashboard(staffed.c1, user=member_user)
    assert data.leaders[0]["phone"] == "139****2222"
    staff = make_user("s1", "community_staff", grid=staffed.c1, is_staff=True)
    assert dashboard(staffed.c1, user=staff).leaders[0]["phone"] == "13911112222"


def test_an_opted_in_leaders_number_is_whole_only_on_the_contact_page(staffed, make_user):
    """The opt-in ("show my full number to my building's residents") is for the building
    contact page, one building at a time; a member's dashboard lists every leader masked."""
    leader = staffed.b1.roles.get().member
    leader.phone_public = True
    leader.save(update_fields=["phone_public"])
    member_user = make_user("m1", "member", grid=staffed.c1)
    assert dashboard(staffed.c1, user=member_user).leaders[0]["phone"] == "139****2222"
    secretary = make_user("sec", "community_secretary", grid=staffed.c1)
    assert dashboard(staffed.c1, user=secretary).leaders[0]["phone"] == "13911112222"


def test_dashboard_page_scoped_to_the_viewers_grid(staffed, make_user, client):
    leader = make_user("gl", "grid_leader", grid=staffed.k1)
    client.force_login(leader)
    page = client.get("/map/grid/100001001/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "东湖花园" in html
    assert "林楼长" in html
    assert client.get("/map/grid/100001002/").status_code == 404  # sibling compound
    assert client.get("/map/grid/100001/").status_code == 404  # its community
    shows(client.get("/map/grid/100001001001/"), "楼栋 · 100001001001")  # a building below


def test_unknown_grid_is_a_chinese_404(admin_client, tree):
    page = admin_client.get("/map/grid/999/")
    assert page.status_code == 404
    html = page.content.decode()
    assert "找不到" in html
    assert 'lang="zh-hans"' in html


def test_anonymous_is_sent_to_login(client, tree):
    page = client.get("/map/grid/100001/")
    assert page.status_code == 302
    assert "login" in page["Location"]


def test_metric_switch_recolours(admin_client, staffed):
    leaders = admin_client.get("/map/grid/100001/?metric=leaders").content.decode()
    located = admin_client.get("/map/grid/100001/?metric=located").content.decode()
    assert "#f9a825" in leaders or "#ef6c00" in leaders  # K1: 50 % of buildings led
    assert "#9e9e9e" in located  # K2: nobody to locate
    # an unknown metric draws the default one
    shows(admin_client.get("/map/grid/100001/?metric=bogus"), "社区 · 100001", "有楼长的楼栋")


def test_names_are_escaped_in_the_map(admin_client, tree):
    from gridgov.grids.services import grid_update

    grid_update(grid=tree.k2, acting_user=None, name="<img src=x onerror=alert(1)>")
    html = admin_client.get("/map/grid/100001/").content.decode()
    assert "<img src=x onerror" not in html
