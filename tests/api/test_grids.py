"""/api/v1/grids/: GeoJSON read by GDAL, the filters, and each bad input's 4xx."""

import pytest

from tests.api.conftest import assert_error, read_geojson

URL = "/api/v1/grids/"
pytestmark = pytest.mark.django_db


def test_grids_are_a_public_feature_collection_gdal_reads(api, tree, tmp_path):
    r = api.get(URL)
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/json")
    data, ds = read_geojson(r.content, tmp_path)
    assert data["type"] == "FeatureCollection"
    assert data["count"] == 9
    layer = ds[0]
    assert len(layer) == 9
    assert {
        "code",
        "name",
        "level",
        "kind",
        "parent_code",
        "community_code",
        "compound_code",
        "building_code",
    } <= set(layer.fields)
    b1 = next(f for f in data["features"] if f["properties"]["code"] == tree.b1.code)
    assert b1["properties"]["community_code"] == tree.c1.code
    assert b1["properties"]["compound_code"] == tree.k1.code
    assert b1["geometry"]["type"] == "MultiPolygon"


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("level=1", ["100001", "100002"]),
        ("parent=100001", ["100001001", "100001002"]),
        ("code_prefix=100002", ["100002", "100002001", "100002001001"]),
        ("code=100001001", ["100001001"]),
        ("level=3&bbox=113.1115,23.0015,113.1125,23.0025", ["100002001001"]),
        ("point=113.107,23.003", ["100001", "100001002", "100001002001"]),
        ("point=113.103,23.002&level=3", ["100001001001", "100001001002"]),  # shared edge
        ("point=114,24", []),
    ],
)
def test_filters(api, tree, query, codes):
    r = api.get(f"{URL}?{query}")
    assert r.status_code == 200, r.content
    assert [f["properties"]["code"] for f in r.json()["features"]] == codes


def test_pages(api, tree):
    first = api.get(f"{URL}?page_size=4").json()
    assert len(first["features"]) == 4
    assert first["count"] == 9
    assert first["next"]
    last = api.get(f"{URL}?page_size=4&page=3").json()
    assert len(last["features"]) == 1
    assert last["next"] is None


@pytest.mark.parametrize(
    ("query", "parameter", "status"),
    [
        ("bbox=1,2,3", "bbox", 400),
        ("bbox=a,b,c,d", "bbox", 400),
        ("bbox=113.2,23,113.1,23.1", "bbox", 400),
        ("bbox=113,95,114,96", "bbox", 400),
        ("bbox=nan,1,2,3", "bbox", 400),
        ("point=200,23", "point", 400),
        ("point=113", "point", 400),
        ("level=9", "level", 400),
        ("page=99", "page", 404),  # past the end
        ("page=abc", "page", 400),  # malformed
        ("page=0", "page", 400),
        ("page=", "page", 400),
        ("page=%D9%A3", "page", 400),  # an Arabic-Indic 3: int() would take it
        ("page_size=", "page_size", 400),
        ("page_size=0", "page_size", 400),
        ("page_size=100000", "page_size", 400),
    ],
)
def test_bad_input_names_the_parameter(api, tree, query, parameter, status):
    assert_error(api.get(f"{URL}?{query}"), status, parameter)
