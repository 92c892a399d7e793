"""The public street map, its tiles (GeoJSON on both backends, MVT's SQL on PostGIS) and the
dashboard name the building leaders current today (``GridRole.objects.current``), as /find/
does: not one appointed from tomorrow, still one whose term ends in a few days (issue 16,
item 1). A role beginning at midnight shows at once: the cached maps' fingerprints hold the
day. Another day is reached by another time zone (timezone.override), not by a mock."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone

from gridgov.api.locate_index import fingerprint as locate_fingerprint
from gridgov.grids.models import GridRole, RoleKind
from maps.dashboard_data import fingerprint, street_fingerprint
from tests.factories import MemberFactory
from tests.maps.helpers import geojson, tile_of

POSTGIS = connection.vendor == "postgresql"
C1 = "/en/map/grid/100001/"
# UTC+14 and UTC-11: always on different dates (25 hours apart)
EAST = zoneinfo.ZoneInfo("Pacific/Kiritimati")
WEST = zoneinfo.ZoneInfo("Pacific/Pago_Pago")


def on_street_map(name: str, client) -> bool:
    """Whether the street map names ``name`` (folium writes names \\u-escaped)."""
    page = client.get("/en/map/").content.decode()
    return json.dumps(name)[1:-1] in page.split('class="folium-map"')[1]


@pytest.fixture
def terms(staffed):
    """B2 gets a leader from tomorrow, B3 one whose term ends in five days."""
    today = timezone.localdate()
    tree = staffed.tree
    GridRole.objects.create(
        grid=tree.b2,
        member=MemberFactory(name="未上任"),
        role=RoleKind.BUILDING_LEADER,
        since=today + dt.timedelta(days=1),
    )
    GridRole.objects.create(
        grid=tree.b3,
        member=MemberFactory(name="将卸任"),
        role=RoleKind.BUILDING_LEADER,
        since=today - dt.timedelta(days=30),
        until=today + dt.timedelta(days=5),
    )
    return staffed


def test_the_street_map_names_todays_leaders(client, terms):
    assert on_street_map("将卸任", client)
    assert on_street_map("林楼长", client)
    assert not on_street_map("未上任", client)


def test_the_building_tiles_name_todays_leaders(client, terms):
    x, y = tile_of(113.105, 23.003, 14)  # B1 to B4
    features = {
        f["id"]: f["properties"] for f in geojson(client, "buildings", f"14/{x}/{y}")["features"]
    }
    tree = terms.tree
    assert (features[tree.b1.code]["leader"], features[tree.b1.code]["has_leader"]) == (
        "林楼长",
        True,
    )
    assert (features[tree.b2.code]["leader"], features[tree.b2.code]["has_leader"]) == ("", False)
    assert (features[tree.b3.code]["leader"], features[tree.b3.code]["has_leader"]) == (
        "将卸任",
        True,
    )


@pytest.mark.skipif(not POSTGIS, reason="vector tiles (.pbf) need PostGIS")
def test_the_vector_tiles_sql_names_todays_leaders(client, terms):
    x, y = tile_of(113.105, 23.003, 14)
    response = client.get(f"/tiles/buildings/14/{x}/{y}.pbf")
    assert response.status_code == 200
    tile = response.content
    assert "将卸任".encode() in tile
    assert "林楼长".encode() in tile
    assert "未上任".encode() not in tile


@pytest.mark.skipif(not POSTGIS, reason="vector tiles (.pbf) need PostGIS")
def test_a_handover_day_gives_one_feature_per_building(client, staffed):
    today = timezone.localdate()
    GridRole.objects.filter(grid=staffed.tree.b1).update(until=today)
    GridRole.objects.create(
        grid=staffed.tree.b1,
        member=MemberFactory(name="新楼长"),
        role=RoleKind.BUILDING_LEADER,
        since=today,
    )
    x, y = tile_of(113.102, 23.002, 16)
    tile = client.get(f"/tiles/buildings/16/{x}/{y}.pbf").content
    assert "新楼长".encode() in tile
    assert "林楼长".encode() not in tile
    assert tile.count(staffed.tree.b1.code.encode()) == 1


def test_the_dashboard_names_todays_leaders(client, terms):
    client.force_login(terms.staff_c1)
    page = client.get(C1).content.decode()
    assert "将卸任" in page
    assert "林楼长" in page
    assert "未上任" not in page
    assert "2 / 3" in page  # buildings with a leader: B1 and B3, not B2


def test_a_role_beginning_at_midnight_shows_at_once(client, staffed, make_user):
    """The maps are cached under fingerprints; a role from the eastern zone's date is not
    current yet on the western zone's date, and becomes current when the day (here: the
    zone) turns, with nothing written in between."""
    with timezone.override(EAST):
        east_day = timezone.localdate()
    GridRole.objects.create(
        grid=staffed.tree.b2,
        member=MemberFactory(name="零点上任"),
        role=RoleKind.BUILDING_LEADER,
        since=east_day,
    )
    client.force_login(staffed.staff_c1)
    with timezone.override(WEST):
        assert timezone.localdate() < east_day
        street_west, dash_west = street_fingerprint(), fingerprint(staffed.tree.c1)
        locate_west = locate_fingerprint()
        assert not on_street_map("零点上任", client)
        assert "零点上任" not in client.get(C1).content.decode()
    with timezone.override(EAST):
        assert street_fingerprint() != street_west
        assert fingerprint(staffed.tree.c1) != dash_west
        assert locate_fingerprint() != locate_west
        assert on_street_map("零点上任", client)
        assert "零点上任" in client.get(C1).content.decode()
