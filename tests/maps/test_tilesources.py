"""Background tile sources (GRIDGOV_TILES): what each setting means, refusals at start-up,
the Content-Security-Policy admitting the tile servers, and on a GCJ-02 (Gaode) background
every overlay shifted — checked against geodata.crs.from_wgs84 for known points of the
fixture (B1's corner 113.101/23.001, the request in B2 at 113.104/23.002)."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from geodata.crs import from_wgs84
from geodata.tilesources import TileConfigError, tile_config
from tests.maps.helpers import tile_of

KEY = "0123456789abcdef0123456789abcdef"
POSTGIS = connection.vendor == "postgresql"


def gcj(lon: float, lat: float, digits: int = 7) -> tuple[float, float]:
    x, y = from_wgs84([lon], [lat], "gcj02")
    return round(float(x[0]), digits), round(float(y[0]), digits)


# --- the settings' strings ----------------------------------------------------------------------


def test_default_is_no_background():
    config = tile_config("none")
    assert (config.layers, config.crs, config.origins()) == ((), "wgs84", [])
    assert tile_config("").layers == ()


def test_tianditu_without_a_key_is_refused():
    with pytest.raises(TileConfigError, match="GRIDGOV_TIANDITU_KEY"):
        tile_config("tianditu")
    with pytest.raises(TileConfigError, match="letters and digits"):
        tile_config("tianditu", key="abc&x=1")


def test_tianditu_is_vector_base_and_labels_on_eight_servers():
    config = tile_config("tianditu", key=KEY)
    assert config.crs == "wgs84"  # CGCS2000: drawn where they are
    base, labels = config.layers
    assert "/vec_w/wmts?" in base.url
    assert "LAYER=vec" in base.url
    assert "/cva_w/wmts?" in labels.url
    assert "LAYER=cva" in labels.url
    for layer in config.layers:
        assert layer.url.startswith("https://t{s}.tianditu.gov.cn/")
        assert "TILEMATRIXSET=w" in layer.url
        assert f"tk={KEY}" in layer.url
        assert "TILEMATRIX={z}&TILEROW={y}&TILECOL={x}" in layer.url
        assert layer.subdomains == tuple("01234567")
    assert config.origins() == [f"https://t{i}.tianditu.gov.cn" for i in range(8)]


def test_gaode_sets_the_display_crs_to_gcj02():
    config = tile_config("gaode")
    assert config.crs == "gcj02"
    assert config.shifted
    (layer,) = config.layers
    assert layer.url.startswith("https://webrd0{s}.is.autonavi.com/appmaptile?")
    assert "x={x}&y={y}&z={z}" in layer.url
    assert config.origins() == [f"https://webrd0{i}.is.autonavi.com" for i in range(1, 5)]


def test_a_custom_url_declares_its_crs_and_subdomains():
    plain = tile_config("http://tiles.intranet/{z}/{x}/{y}.png")
    assert plain.crs == "wgs84"
    assert plain.origins() == ["http://tiles.intranet"]
    mirror = tile_config(
        "http://{s}.gaode.intranet:8080/{z}/{x}/{y}.png", crs="gcj02", subdomains="m1,m2"
    )
    assert mirror.crs == "gcj02"
    assert mirror.origins() == ["http://m1.gaode.intranet:8080", "http://m2.gaode.intranet:8080"]
    assert tile_config("/media/tiles/{z}/{x}/{y}.png").origins() == []  # this server's own
    with pytest.raises(TileConfigError, match="GRIDGOV_TILES_CRS"):
        tile_config("http://tiles.intranet/{z}/{x}/{y}.png", crs="bd09")
    with pytest.raises(TileConfigError, match=r"\{z\}, \{x\} and \{y\}"):
        tile_config("tiles.intranet")


def settings_in_a_new_process(**env) -> subprocess.CompletedProcess:
    """Django started as the server starts it, with these environment variables."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GRIDGOV_TILES")}
    environ.update(GRIDGOV_SECRET_KEY="t", DJANGO_SETTINGS_MODULE="gridgov.settings", **env)
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
    )


def test_the_server_refuses_to_start_with_tianditu_and_no_key():
    done = settings_in_a_new_process(GRIDGOV_TILES="tianditu", GRIDGOV_TIANDITU_KEY="")
    assert done.returncode != 0
    assert "ImproperlyConfigured: GRIDGOV_TILES=tianditu needs GRIDGOV_TIANDITU_KEY" in done.stderr


def test_csp_admits_every_tile_server():
    done = settings_in_a_new_process(GRIDGOV_TILES="gaode")
    assert done.returncode == 0, done.stderr
    img = json.loads(done.stdout)
    assert {f"https://webrd0{i}.is.autonavi.com" for i in range(1, 5)} <= set(img)
    done = settings_in_a_new_process(GRIDGOV_TILES="none")
    assert json.loads(done.stdout) == ["'self'", "data:", "blob:"]


# --- a Gaode background: overlays shifted ---------------------------------------------------------


@override_settings(GRIDGOV_TILES="gaode")
def test_dashboard_on_gaode_carries_gcj02_coordinates(client, staffed):
    client.force_login(staffed.staff_c1)
    page = client.get("/map/grid/100001001/").content.decode()
    assert "webrd0{s}.is.autonavi.com" in page
    assert '"gridgovCrs": "gcj02"' in page
    x, y = gcj(113.101, 23.001)  # B1's south-west corner, in the children layer
    assert f"[{x},{y}]" in page
    assert "[113.101,23.001]" not in page
    live = json.loads(
        re.search(
            r'<script id="gridgov-live" type="application/json">(.*?)'
            r"</script>",
            page,
            re.S,
        ).group(1)
    )
    (case,) = live["cases"]["features"]
    assert case["geometry"]["coordinates"] == pytest.approx(list(gcj(113.104, 23.002)), abs=1e-7)
    first = live["routes"]["features"][0]["geometry"]["coordinates"][0]
    assert first == pytest.approx(list(gcj(113.1015, 23.0035)), abs=1e-6)


def test_dashboard_on_no_background_keeps_wgs84(client, staffed):
    client.force_login(staffed.staff_c1)
    page = client.get("/map/grid/100001001/").content.decode()
    assert "[113.101,23.001]" in page
    assert "autonavi" not in page


@override_settings(GRIDGOV_TILES="gaode", GRIDGOV_TILE_THRESHOLD=0)
def test_tiled_layers_ask_for_gcj02_tiles(client, staffed):
    client.force_login(staffed.staff_c1)
    page = client.get("/map/grid/100001001/").content.decode()
    assert re.search(r"/tiles/cases/\{z\}/\{x\}/\{y\}\.(pbf|geojson)\?crs=gcj02", page)


@override_settings(GRIDGOV_TILES="gaode")
def test_finder_on_gaode_marks_the_place_shifted(client, tree):
    page = client.get("/find/?lon=113.102&lat=23.002").content.decode()
    x, y = gcj(113.102, 23.002)
    assert f"[{y}, {x}]" in page  # the tapped point's marker (folium writes [lat, lon])
    assert "js/gridgov-crs.js" in page
    assert "GridGov.crs.tapped" in page


def test_geojson_tile_in_gcj02_holds_the_shifted_building(client, tree):
    x, y = gcj(113.102, 23.002)  # B1's middle, where it is drawn on a Gaode map
    tx, ty = tile_of(x, y, 16)
    response = client.get(f"/tiles/buildings/16/{tx}/{ty}.geojson?crs=gcj02")
    assert response.status_code == 200
    features = {f["id"]: f for f in json.loads(response.content)["features"]}
    ring = features["100001001001"]["geometry"]["coordinates"][0]
    west, south = gcj(113.101, 23.001)
    assert min(p[0] for p in ring) == pytest.approx(west, abs=2e-6)
    assert min(p[1] for p in ring) == pytest.approx(south, abs=2e-6)


def test_tile_crs_must_be_known(client, tree):
    response = client.get("/tiles/buildings/16/53357/28463.geojson?crs=bd09")
    assert response.status_code == 400
    assert response.json()["parameter"] == "crs"


@pytest.mark.skipif(not POSTGIS, reason="vector tiles (.pbf) need PostGIS")
def test_mvt_tile_in_gcj02_holds_the_shifted_building(client, tree):
    decoder = pytest.importorskip("mapbox_vector_tile")
    x, y = gcj(113.102, 23.002)
    z = 16
    tx, ty = tile_of(x, y, z)
    response = client.get(f"/tiles/buildings/{z}/{tx}/{ty}.pbf?crs=gcj02")
    assert response.status_code == 200
    tile = decoder.decode(response.content)
    b1 = next(f for f in tile["buildings"]["features"] if f["properties"]["code"] == "100001001001")
    assert b1["properties"]["name"] == "1栋"
    # the west edge in tile units → longitude; the decoder's y is up from the bottom
    n = 2**z
    west_units = min(p[0] for p in b1["geometry"]["coordinates"][0])
    lon = (tx + west_units / 4096) / n * 360 - 180
    assert lon == pytest.approx(gcj(113.101, 23.001)[0], abs=360 / n / 4096 * 2)
    # its north edge (its south one lies in the next tile down: clipped there)
    north_units = max(p[1] for p in b1["geometry"]["coordinates"][0])
    row = ty + 1 - north_units / 4096
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))
    assert lat == pytest.approx(gcj(113.103, 23.003)[1], abs=1e-5)
