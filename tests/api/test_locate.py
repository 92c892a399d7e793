"""/api/v1/locate/: inside, on a shared edge, in a community but no building, outside,
GCJ-02 input, and bad input."""

import numpy as np
import pytest

from geodata import crs as crsmod
from tests.api.conftest import assert_error

URL = "/api/v1/locate/"
pytestmark = pytest.mark.django_db


def test_inside_a_building_with_its_leaders_public_contact(api, tree, members):
    r = api.get(URL, {"lon": 113.102, "lat": 23.002})
    assert r.status_code == 200
    data = r.json()
    assert data["in_area"] is True
    assert data["community"] == {"code": tree.c1.code, "name": tree.c1.name}
    assert data["compound"] == {"code": tree.k1.code, "name": tree.k1.name}
    assert data["building"] == {"code": tree.b1.code, "name": tree.b1.name}
    assert data["contact"] == {
        "role": "building_leader",
        "name": "王芳",
        "pledge": "有事找我",
        "specialty": "水电维修",
        "phone": "139****5678",
    }
    assert "address" not in str(data)
    assert "东湖花园1栋101" not in str(data)


def test_on_the_shared_edge_the_smaller_code_answers(api, tree):
    data = api.get(URL, {"lon": 113.103, "lat": 23.002}).json()
    assert data["building"]["code"] == tree.b1.code  # B1 | B2 share x=113.103
    assert data["contact"] is None  # nobody leads it in this test


def test_in_a_community_but_no_building(api, tree):
    data = api.get(URL, {"lon": 113.104, "lat": 23.008}).json()
    assert data["in_area"] is True
    assert data["compound"]["code"] == tree.k1.code
    assert data["building"] is None
    # B3 (0.002° east, 0.004° south: ~487 m) is nearer than B2 (0.005° south: ~553 m).
    assert data["nearest_building"]["code"] == tree.b3.code
    assert 470 < data["nearest_building"]["distance_m"] < 500


def test_outside_every_grid_is_404_with_the_nearest_building(api, tree):
    r = api.get(URL, {"lon": 113.125, "lat": 23.003})
    data = assert_error(r, 404, "lon")
    assert data["in_area"] is False
    assert data["community"] is None
    assert data["nearest_building"]["code"] == tree.b4.code
    assert data["nearest_community"]["code"] == tree.c2.code
    # 113.114 -> 113.125 at 23.003° N: ~1127 m
    assert 1100 < data["nearest_building"]["distance_m"] < 1160


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_chinese_map_coordinates_are_converted_first(api, tree, crs):
    lon, lat = crsmod.from_wgs84(np.array([113.107]), np.array([23.003]), crs)
    data = api.get(URL, {"lon": lon[0], "lat": lat[0], "crs": crs}).json()
    assert data["building"]["code"] == tree.b3.code
    back = crsmod.to_wgs84(lon, lat, crs)
    assert data["lon"] == pytest.approx(back[0][0], abs=1e-7)
    # Taken as WGS84 the same numbers miss B3 by hundreds of metres.
    raw = api.get(URL, {"lon": lon[0], "lat": lat[0]}).json()
    assert (raw.get("building") or {}).get("code") != tree.b3.code


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"lat": 23}, "lon"),
        ({"lon": 113}, "lat"),
        ({"lon": "x", "lat": 23}, "lon"),
        ({"lon": 181, "lat": 23}, "lon"),
        ({"lon": 113, "lat": -91}, "lat"),
        ({"lon": "inf", "lat": 23}, "lon"),
        ({"lon": 113, "lat": 23, "crs": "epsg:3857"}, "crs"),
        ({"lon": 113, "lat": 23, "crs": ""}, "crs"),  # empty is not the default
        # In range as BD-09, out of range once converted (was a 500 under fuzzing).
        ({"lon": -180, "lat": -90, "crs": "bd09"}, "lon"),
        ({"lon": 0, "lat": -90, "crs": "bd09"}, "lat"),
    ],
)
def test_bad_input(api, tree, query, parameter):
    assert_error(api.get(URL, query), 400, parameter)
