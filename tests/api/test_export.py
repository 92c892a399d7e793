"""/api/v1/export/<layer>.geojson: streamed through gridgov.grids.exporting, read by GDAL."""

import io
import json
import shutil
import subprocess

import numpy as np
import pytest
from django.core.management import call_command

from geodata import crs as crsmod
from tests.api.conftest import assert_error, body, read_geojson

pytestmark = pytest.mark.django_db


def test_grids_layer_is_streamed_and_gdal_reads_it(api, tree, tmp_path):
    r = api.get("/api/v1/export/buildings.geojson", {"grid": tree.c1.code})
    assert r.status_code == 200
    assert r.streaming
    assert r["Content-Type"] == "application/geo+json"
    data, ds = read_geojson(body(r), tmp_path)
    assert "crs" not in data
    assert len(ds[0]) == 3
    assert {"community_code", "compound_code", "building_code", "code", "name"} <= set(ds[0].fields)
    assert [f.get("building_code") for f in ds[0]] == [tree.b1.code, tree.b2.code, tree.b3.code]


def test_same_text_as_the_export_command(api, tree, members, tmp_path):
    for layer in ("grids", "members", "households"):
        for crs in ("wgs84", "gcj02"):
            streamed = body(api.get(f"/api/v1/export/{layer}.geojson", {"crs": crs}))
            path = tmp_path / f"{layer}-{crs}.geojson"
            call_command(
                "export_geojson", layer, "--crs", crs, "-o", str(path), stderr=io.StringIO()
            )
            assert streamed == path.read_bytes(), (layer, crs)
            assert json.loads(streamed)["features"], (layer, crs)


def test_members_layer_is_the_public_projection(api, tree, members, tmp_path):
    data, ds = read_geojson(body(api.get("/api/v1/export/members.geojson")), tmp_path)
    assert len(ds[0]) == 2  # 赵敏 never reported and holds no role
    assert set(ds[0].fields) == {
        "community_code",
        "compound_code",
        "building_code",
        "name",
        "kind",
        "specialty",
        "pledge",
        "phone",
    }
    phones = {f["properties"]["name"]: f["properties"]["phone"] for f in data["features"]}
    assert phones == {"王芳": "139****5678", "李强": "137****1111"}  # opted in: masked too
    assert "东湖花园1栋101" not in json.dumps(data, ensure_ascii=False)


def test_gcj02_export_is_labelled_and_converted(api, tree):
    data = json.loads(
        body(api.get("/api/v1/export/communities.geojson", {"crs": "gcj02", "grid": tree.c1.code}))
    )
    assert data["gridgov:crs"]["name"] == "gcj02"
    x0, y0 = data["features"][0]["geometry"]["coordinates"][0][0][0]
    gx, gy = crsmod.from_wgs84(np.array([113.1]), np.array([23.0]), "gcj02")
    assert (x0, y0) == pytest.approx((gx[0], gy[0]), abs=2e-7)


@pytest.mark.parametrize(
    ("url", "parameter", "status"),
    [
        ("/api/v1/export/people.geojson", "layer", 400),
        ("/api/v1/export/grids.geojson?crs=bd09", "crs", 400),
        ("/api/v1/export/grids.geojson?crs=", "crs", 400),  # empty is not the default
        ("/api/v1/export/members.geojson?crs=", "crs", 400),
        ("/api/v1/export/grids.geojson?grid=999", "grid", 404),  # no such grid
    ],
)
def test_bad_input(api, tree, url, parameter, status):
    assert_error(api.get(url), status, parameter)


@pytest.mark.skipif(not shutil.which("ogrinfo"), reason="needs GDAL's ogrinfo")
@pytest.mark.django_db(transaction=True)
def test_ogrinfo_reads_the_export_url_of_a_running_server(live_server, tree):
    url = f"{live_server.url}/api/v1/export/grids.geojson?grid={tree.c1.code}"
    out = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", url],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "Feature Count: 6" in out
    for field in ("community_code", "compound_code", "building_code"):
        assert f"{field}: String" in out
