"""Vector tiles /tiles/<layer>/<z>/<x>/<y>.(pbf|geojson): the features each tile holds,
who may see the private layers, and refusals as JSON (never a 500).

Tile numbers are worked out here with the usual Web Mercator formula (not the code's): for
the fixture tree, z16 tile 53357/28463 spans lon 113.09875–113.10425, lat 22.99885–23.00391:
it holds buildings B1 and B2 (B2 reaches past its east edge) but not B3 (from 113.106) or B4;
the request in B2 at 113.104 but not the one in B4 at 113.113.
"""

from __future__ import annotations

import json
import math

import pytest
import shapely
from django.db import connection

from tests.maps.conftest import open_case
from tests.maps.helpers import geojson, tile_of

B12 = "16/53357/28463"  # B1, B2 and the request in B2
B4 = "16/53359/28463"  # B4 and the request there
BOTH_ROUTES = "15/26679/14231"  # east half of C1 and all of C2: both routes cross it

POSTGIS = connection.vendor == "postgresql"
needs_postgis = pytest.mark.skipif(not POSTGIS, reason="vector tiles (.pbf) need PostGIS")
spatialite_only = pytest.mark.skipif(POSTGIS, reason="the refusal of .pbf without PostGIS")


def test_tile_numbers_of_the_fixture():
    assert tile_of(113.102, 23.002, 16) == (53357, 28463)
    assert tile_of(113.113, 23.003, 16) == (53359, 28463)
    assert tile_of(113.107, 23.003, 15) == tile_of(113.113, 23.003, 15) == (26679, 14231)


def test_buildings_tile_holds_the_buildings_it_touches_with_their_leader(client, staffed):
    data = geojson(client, "buildings", B12)
    by_id = {f["id"]: f for f in data["features"]}
    assert set(by_id) == {"100001001001", "100001001002"}
    b1, b2 = by_id["100001001001"]["properties"], by_id["100001001002"]["properties"]
    assert (b1["name"], b1["leader"], b1["has_leader"]) == ("1栋", "林楼长", True)
    assert (b2["leader"], b2["has_leader"]) == ("", False)
    assert "phone" not in b1  # a public layer: names only
    shape = shapely.geometry.shape(by_id["100001001001"]["geometry"])
    assert shape.is_valid
    assert shape.bounds == pytest.approx((113.101, 23.001, 113.103, 23.003), abs=1e-5)


def test_grid_levels_come_as_their_own_layers(client, staffed):
    x, y = tile_of(113.105, 23.005, 14)
    communities = geojson(client, "communities", f"14/{x}/{y}")
    assert sorted(f["id"] for f in communities["features"]) == ["100001", "100002"]
    compounds = geojson(client, "compounds", f"14/{x}/{y}")
    assert sorted(f["id"] for f in compounds["features"]) == ["100001001", "100001002", "100002001"]
    assert {f["properties"]["name"] for f in compounds["features"]} == {
        "东湖花园",
        "西苑",
        "南山小区",
    }


def test_empty_and_too_coarse_tiles_are_204(client, staffed):
    assert client.get("/tiles/buildings/16/0/0.geojson").status_code == 204
    x, y = tile_of(113.102, 23.002, 13)
    # buildings are there, but a zoom-13 tile would hold thousands of a district's: none
    response = client.get(f"/tiles/buildings/13/{x}/{y}.geojson")
    assert response.status_code == 204
    assert response.content == b""
    compounds = geojson(client, "compounds", f"13/{x}/{y}")  # the few compounds: drawn
    codes = {f["properties"]["code"] for f in compounds["features"]}
    assert codes == {"100001001", "100001002", "100002001"}


def test_polygons_are_simplified_for_the_tiles_zoom(client, tree):
    from django.contrib.gis.geos import GEOSGeometry

    from gridgov.grids.models import Grid

    # B1 redrawn with 2,000 vertices along a wobbly circle (a surveyed outline)
    ring = [
        (
            113.102 + 0.0009 * math.cos(2 * math.pi * i / 2000) + 1e-6 * (i % 3),
            23.002 + 0.0009 * math.sin(2 * math.pi * i / 2000),
        )
        for i in range(2000)
    ]
    geom = shapely.MultiPolygon([shapely.Polygon(ring)])
    Grid.objects.filter(pk=tree.b1.pk).update(
        geom=GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4326)
    )
    coarse = geojson(client, "buildings", B12)
    x, y = tile_of(113.102, 23.002, 19)
    fine = geojson(client, "buildings", f"19/{x}/{y}")

    def b1(data):
        return shapely.geometry.shape(
            next(f for f in data["features"] if f["id"] == "100001001001")["geometry"]
        )

    at16, at19 = b1(coarse), b1(fine)
    assert at16.is_valid
    assert at19.is_valid
    assert shapely.get_num_coordinates(at16) < 200  # a pixel at z16 is ~2.2 m
    assert shapely.get_num_coordinates(at16) < shapely.get_num_coordinates(at19) <= 2001
    # half a pixel at z16 is ~1e-5 degrees: the outline moved by less than that
    assert shapely.hausdorff_distance(at16, geom) < 1.5e-5


def test_cases_need_a_login_and_keep_to_the_viewers_scope(client, staffed):
    response = client.get(f"/tiles/cases/{B12}.geojson", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["detail"] == "Sign in to see this layer."
    # no language prefix: the browser's language, Chinese first
    assert client.get(f"/tiles/cases/{B12}.geojson").json()["detail"] == "请先登录再查看此图层。"
    client.force_login(staffed.staff_c1)
    mine = client.get(f"/tiles/cases/{B12}.geojson")
    assert mine["Cache-Control"] == "private, max-age=60"
    assert "Cookie" in mine["Vary"]
    features = json.loads(mine.content)["features"]
    assert [f["id"] for f in features] == [staffed.case_c1.number]
    props = features[0]["properties"]
    assert props["title"] == "路灯不亮"
    assert props["sla"] in {"ok", "due_soon", "breached"}
    assert "13700001111" not in mine.content.decode()  # the requester's phone never
    # C2's request is in a tile C1's staff is not shown anything of
    assert client.get(f"/tiles/cases/{B4}.geojson").status_code == 204
    client.force_login(staffed.staff_c2)
    other = geojson(client, "cases", B4)
    assert [f["id"] for f in other["features"]] == [staffed.case_c2.number]
    assert client.get(f"/tiles/cases/{B12}.geojson").status_code == 204


def test_a_closed_request_leaves_the_cases_layer(client, staffed):
    from gridgov.cases.services import case_close

    client.force_login(staffed.staff_c1)
    extra = open_case("楼道堆物", 113.1035, 23.0025)
    assert {f["id"] for f in geojson(client, "cases", B12)["features"]} == {
        staffed.case_c1.number,
        extra.number,
    }
    case_close(case=extra, acting_user=staffed.staff_c1, reason="no_further_action", note="已撤回")
    assert [f["id"] for f in geojson(client, "cases", B12)["features"]] == [staffed.case_c1.number]


def test_routes_keep_to_the_viewers_scope(client, staffed):
    assert client.get(f"/tiles/routes/{BOTH_ROUTES}.geojson").status_code == 401
    client.force_login(staffed.staff_c1)
    data = geojson(client, "routes", BOTH_ROUTES)
    assert [f["properties"]["name"] for f in data["features"]] == ["东湖夜巡线"]
    assert data["features"][0]["properties"]["state"] == "overdue"  # never walked
    assert data["features"][0]["geometry"]["type"] == "LineString"
    client.force_login(staffed.staff_c2)
    data = geojson(client, "routes", BOTH_ROUTES)
    assert [f["properties"]["name"] for f in data["features"]] == ["南山巡逻线"]


@pytest.mark.parametrize(
    ("address", "status", "parameter"),
    [
        ("nope/16/1/1.geojson", 404, "layer"),
        ("buildings/16/1/1.png", 404, "format"),
        ("buildings/23/1/1.geojson", 400, "z"),
        ("buildings/abc/1/1.geojson", 400, "z"),
        ("buildings/2/4/1.geojson", 400, "x"),
        ("buildings/2/1/-1.geojson", 400, "y"),
        ("buildings/16/1/99999999999999999999.geojson", 400, "y"),
        ("buildings/16/１/1.geojson", 400, "x"),  # a full-width digit
        ("cases/2/1/1e3.geojson", 400, "y"),
        ("buildings/16/1/1.2.geojson", 400, "y"),
        ("buildings/16/1/1.", 404, "format"),
    ],
)
def test_bad_tile_addresses_are_refused_as_json(client, tree, address, status, parameter):
    response = client.get(f"/tiles/{address}")
    assert response.status_code == status
    body = response.json()
    assert body["parameter"] == parameter
    assert body["errors"][parameter] == [body["detail"]]


@pytest.mark.parametrize("path", ["/tiles/", "/tiles/buildings/16/1/1", "/tiles/a/b"])
def test_other_paths_under_tiles_are_json_404(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json()["detail"] == ("Tiles are at /tiles/<layer>/<z>/<x>/<y>.pbf or .geojson.")


def test_refusals_name_the_range(client, tree):
    body = client.get("/tiles/buildings/2/4/1.geojson", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["detail"] == "x must be a whole number from 0 to 3."
    assert client.post("/tiles/buildings/16/1/1.geojson").status_code == 405


@spatialite_only
def test_pbf_without_postgis_points_to_geojson(client, tree):
    response = client.get(f"/tiles/buildings/{B12}.pbf", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "Vector tiles (.pbf) need PostGIS; this server has the same tiles as .geojson."
    )


# --- Mapbox Vector Tiles (PostGIS) -------------------------------------------------------------


def mvt(client, layer: str, address: str) -> dict:
    decoder = pytest.importorskip("mapbox_vector_tile")
    response = client.get(f"/tiles/{layer}/{address}.pbf")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    return decoder.decode(response.content)


@needs_postgis
def test_mvt_buildings_decode_with_their_leader(client, staffed):
    tile = mvt(client, "buildings", B12)
    assert list(tile) == ["buildings"]
    props = {f["properties"]["code"]: f["properties"] for f in tile["buildings"]["features"]}
    assert set(props) == {"100001001001", "100001001002"}
    assert props["100001001001"]["leader"] == "林楼长"
    assert props["100001001001"]["has_leader"] is True
    assert props["100001001002"]["has_leader"] is False
    # B1 lies inside the tile: its outline in tile units (4096 across, y up in the decoder)
    b1 = next(f for f in tile["buildings"]["features"] if f["properties"]["code"] == "100001001001")
    xs = [p[0] for p in b1["geometry"]["coordinates"][0]]
    assert 0 < min(xs) < max(xs) < 4096


@needs_postgis
def test_mvt_cases_and_routes_keep_to_the_viewers_scope(client, staffed):
    assert client.get(f"/tiles/cases/{B12}.pbf").status_code == 401
    client.force_login(staffed.staff_c1)
    tile = mvt(client, "cases", B12)
    assert [f["properties"]["number"] for f in tile["cases"]["features"]] == [
        staffed.case_c1.number
    ]
    assert client.get(f"/tiles/cases/{B4}.pbf").status_code == 204
    routes = mvt(client, "routes", BOTH_ROUTES)
    assert [f["properties"]["name"] for f in routes["routes"]["features"]] == ["东湖夜巡线"]
    assert "days_since" not in routes["routes"]["features"][0]["properties"]  # never walked


@needs_postgis
def test_mvt_empty_tile_is_204(client, staffed):
    assert client.get("/tiles/buildings/16/0/0.pbf").status_code == 204
    x, y = tile_of(113.102, 23.002, 13)
    assert client.get(f"/tiles/buildings/13/{x}/{y}.pbf").status_code == 204


@spatialite_only
def test_box_query_uses_spatialites_rtree_where_the_column_has_one(tree):
    """Grid versions keep their R*Tree on SpatiaLite (grids lost theirs to a table rebuild):
    the same box query answers through it."""
    from django.contrib.gis.geos import GEOSGeometry

    from gridgov.grids.models import GridVersion
    from gridgov.grids.services import grid_update
    from maps.tiles.bbox import _spatialite_index, in_box

    assert _spatialite_index("grids_gridversion", "geom")
    grid_update(
        grid=tree.b1,
        acting_user=None,
        geom=GEOSGeometry(
            "MULTIPOLYGON(((113.101 23.001, 113.1029 23.001, 113.1029 23.003, 113.101 23.003, "
            "113.101 23.001)))",
            srid=4326,
        ),
    )
    versions = GridVersion.objects.all()
    assert "SpatialIndex" in str(in_box(versions, "geom", (113.0, 22.9, 113.2, 23.1)).query)
    inside = (113.1015, 23.0015, 113.1016, 23.0016)  # a box within B1's old outline
    assert [v.grid_id for v in in_box(versions, "geom", inside)] == [tree.b1.pk]
    assert list(in_box(versions, "geom", (113.2, 23.2, 113.3, 23.3))) == []
