"""Repeated dashboard and street-map views come from the cache; any change to what they
show replaces them at once; what one viewer may see never reaches another through it; big
layers come as tiles."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from gridgov.grids.services import gridrole_assign
from gridgov.people.services import member_update
from tests.factories import HouseholdFactory, MemberFactory, ResidentFactory
from tests.maps.conftest import open_case

C1 = "/en/map/grid/100001/"
POSTGIS = connection.vendor == "postgresql"


def get(client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def overlays(page: str) -> str:
    """The page without its base map's spec (every map stands on the base's GeoJSON tiles:
    maps/basemap.py); what is left says how the overlays come."""
    return re.sub(r"GridGov\.base\([^;]*\);", "", page)


def live(page: str) -> dict:
    found = re.search(
        r'<script id="gridgov-live" type="application/json">(.*?)</script>', page, re.S
    )
    return json.loads(found.group(1))


def test_second_view_comes_from_the_cache(client, staffed):
    client.force_login(staffed.staff_c1)
    first, q1 = get(client, C1)
    second, q2 = get(client, C1)
    # the leaders' markers are placed by PointOnSurface in SQL: only when (re)computed
    assert any("PointOnSurface" in sql for sql in q1)
    assert not any("PointOnSurface" in sql for sql in q2)
    assert len(q2) < len(q1)
    assert "林楼长" in second
    assert second.count("东湖花园") == first.count("东湖花园")


def test_a_new_request_shows_at_once(client, staffed):
    client.force_login(staffed.staff_c1)
    page, _ = get(client, C1)
    assert "楼道堆物" not in page
    case = open_case("楼道堆物", 113.1035, 23.0025)
    page, _ = get(client, C1)
    assert "楼道堆物" in page  # the work list
    numbers = [f["properties"]["number"] for f in live(page)["cases"]["features"]]
    assert numbers == [staffed.case_c1.number, case.number]  # the map, oldest first


def test_a_new_building_leader_shows_at_once(client, staffed):
    client.force_login(staffed.staff_c1)
    page, _ = get(client, C1)
    assert "何楼长" not in page
    assert "1 / 3" in page
    lead = MemberFactory(name="何楼长", location=Point(113.104, 23.002, srid=4326))
    gridrole_assign(grid=staffed.tree.b2, member=lead, role="building_leader", acting_user=None)
    page, _ = get(client, C1)
    assert "何楼长" in page
    assert "2 / 3" in page


def test_a_leaders_pledge_and_new_residents_show_at_once(client, staffed):
    client.force_login(staffed.staff_c1)
    get(client, C1)
    member_update(member=staffed.leader, acting_user=None, pledge="随叫随到")
    household = HouseholdFactory(location=Point(113.1021, 23.0022, srid=4326))
    ResidentFactory(household=household)
    page, _ = get(client, C1)
    assert "随叫随到" in page
    assert re.search(r"residents located</dt><dd>1 \(100%\)", page)


def test_phones_never_cross_between_viewers(client, staffed):
    client.force_login(staffed.staff_c1)  # staff: may see members' phones
    page, _ = get(client, C1)
    assert "13911112222" in page
    client.force_login(staffed.member_c1)  # same dashboard, warm cache, masked phones
    page, _ = get(client, C1)
    assert "13911112222" not in page
    assert "139****2222" in page
    client.force_login(staffed.staff_c1)
    page, _ = get(client, C1)
    assert "13911112222" in page


def test_each_language_has_its_own_cached_map(client, staffed):
    client.force_login(staffed.staff_c1)
    english, _ = get(client, C1)
    chinese, _ = get(client, "/map/grid/100001/")
    assert '"leaders_layer"' not in english  # labels are in the layer specs, not keys
    assert "Building leaders" in english
    assert "Building leaders" not in chinese
    assert "楼长" in chinese


@override_settings(GRIDGOV_TILE_THRESHOLD=0)
def test_layers_over_the_threshold_come_as_tiles(client, staffed):
    client.force_login(staffed.staff_c1)
    page, _ = get(client, C1)
    fmt = "pbf" if POSTGIS else "geojson"
    assert f"/tiles/buildings/{{z}}/{{x}}/{{y}}.{fmt}" in page  # leaders: buildings tiles
    assert f"/tiles/cases/{{z}}/{{x}}/{{y}}.{fmt}" in page
    assert "cases" not in live(page)  # not inline as well
    assert ("Leaflet.VectorGrid" in page) == POSTGIS
    assert "路灯不亮" in page  # the work list is still there


def test_below_the_threshold_nothing_is_tiled(client, staffed):
    client.force_login(staffed.staff_c1)
    page, _ = get(client, C1)
    assert "GridGov.base(" in page  # on the base map
    assert "/tiles/" not in overlays(page)
    assert [f["properties"]["title"] for f in live(page)["cases"]["features"]] == ["路灯不亮"]
    assert [f["properties"]["name"] for f in live(page)["routes"]["features"]] == ["东湖夜巡线"]


@pytest.mark.parametrize(
    ("threshold", "tiled"),
    [
        (3, {"buildings"}),
        (2, {"buildings", "compounds"}),
        (1, {"buildings", "compounds", "communities"}),
        (2000, set()),
    ],
)
def test_street_map_tiles_the_levels_over_the_threshold(client, staffed, threshold, tiled):
    # the fixture has 2 communities, 3 compounds, 4 buildings
    with override_settings(GRIDGOV_TILE_THRESHOLD=threshold):
        page = client.get("/en/map/").content.decode()
    found = set(re.findall(r"/tiles/(\w+)/\{z\}", overlays(page)))
    assert found == tiled
    if "communities" in tiled:
        assert "[[23.0, 113.1], [23.01, 113.12]]" in page  # still fitted to the street


def test_street_map_cache_follows_a_rename(client, staffed):
    from gridgov.grids.services import grid_update

    def in_map(name: str, page: str) -> bool:  # folium writes names \u-escaped
        return json.dumps(name)[1:-1] in page.split('class="folium-map"')[1]

    first = client.get("/en/map/").content.decode()
    assert in_map("南山小区", first)
    grid_update(grid=staffed.tree.k3, acting_user=None, name="南山新村")
    page = client.get("/en/map/").content.decode()
    assert in_map("南山新村", page)
    assert not in_map("南山小区", page)
