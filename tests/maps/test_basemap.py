"""The base map drawn from the grid (maps/basemap.py, static/js/gridgov-base.js) under every
map: what each page hands the browser, the tiles it reads, and the admin's map widget
(gridgov/grids/admin_map.py) with only the configured background, the parent grid and the
view to open at. What a person sees is tested in test_basemap_browser.py."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString
from django.test import override_settings

from geodata.tilesources import tile_config
from gridgov.grids.admin_map import home_bounds, parent_grid
from gridgov.patrols.services import route_create
from maps.basemap import base_spec
from maps.builders import Tiles, embed, offline_map

BASE_CALL = re.compile(r"GridGov\.base\([^,]+, (\{.*?\})\);")
TILE_URLS = {
    layer: f"/tiles/{layer}/{{z}}/{{x}}/{{y}}.geojson"
    for layer in ("communities", "compounds", "buildings")
}


def spec_in(page: str) -> dict:
    found = BASE_CALL.search(page)
    assert found, "no base map on the page"
    return json.loads(found.group(1))


def json_script(page: str, element_id: str) -> dict:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page)
    assert found, f"no #{element_id}"
    return json.loads(found.group(1))


def test_the_spec_names_the_three_levels_tiles(db):
    spec = base_spec(tile_config("none"))
    assert spec["tiles"] == TILE_URLS
    assert spec["minZoom"] == {"communities": 0, "compounds": 11, "buildings": 14}
    assert spec["background"] is False  # no tiles beneath: the paper map


def test_on_a_gaode_background_the_base_comes_shifted(db):
    spec = base_spec(tile_config("gaode"))
    assert spec["background"] is True  # outlines only over the raster tiles
    assert all(url.endswith(".geojson?crs=gcj02") for url in spec["tiles"].values())
    # the admin asks for it in WGS84, as the geometry it edits is drawn
    assert base_spec(tile_config("gaode"), crs="wgs84")["tiles"] == TILE_URLS


def test_every_folium_map_stands_on_the_base(db):
    parts = embed(offline_map(bounds=[], tiles=Tiles(), static=lambda p: f"/s/{p}"))
    assert spec_in(parts["script"])["tiles"] == TILE_URLS
    assert "/s/js/gridgov-base.js" in parts["head"]
    assert "/s/css/gridgov-base.css" in parts["head"]
    bare = embed(offline_map(bounds=[], tiles=Tiles(), static=lambda p: p, base=False))
    assert "GridGov.base(" not in bare["script"]


@pytest.mark.parametrize("path", ["/find/", "/map/", "/find/?q=东湖花园1栋"])
def test_public_maps_carry_the_base(client, tree, path):
    page = client.get(path).content.decode()
    assert spec_in(page)["tiles"] == TILE_URLS
    assert "/static/js/gridgov-base.js" in page


def test_the_finder_draws_no_community_outlines_of_its_own(client, tree):
    """The base draws the communities (with their names); the page no longer carries every
    community's outline inline."""
    page = client.get("/find/").content.decode()
    assert '"东湖社区"' not in page
    assert "\\u4e1c\\u6e56\\u793e\\u533a" not in page


def test_a_dashboard_carries_the_base(client, tree, make_user):
    client.force_login(make_user("gl", "grid_leader", grid=tree.k1))
    page = client.get("/map/grid/100001001/").content.decode()
    assert spec_in(page)["tiles"] == TILE_URLS


def test_the_registration_map_carries_the_base(client, tree):
    page = client.get("/reporting/register/").content.decode()
    assert json_script(page, "report-base")["tiles"] == TILE_URLS
    assert "/static/js/gridgov-base.js" in page
    assert "/static/css/gridgov-base.css" in page


def test_the_patrol_map_carries_the_base(client, tree, make_user):
    route = route_create(
        acting_user=None,
        grid=tree.k1,
        name="东湖夜巡线",
        line=LineString((113.1015, 23.0035), (113.1045, 23.0035), srid=4326),
    )
    client.force_login(make_user("gl", "grid_leader", grid=tree.k1))
    page = client.get(f"/patrols/routes/{route.pk}/").content.decode()
    assert json_script(page, "patrol-map-base")["tiles"] == TILE_URLS
    assert "/static/js/gridgov-base.js" in page


def test_the_base_tiles_carry_the_names_for_anyone(client, tree):
    """Buildings at street zoom: the tile holding 1栋 names it, without a login."""
    response = client.get("/tiles/buildings/17/106715/56926.geojson")
    assert response.status_code == 200
    names = {f["properties"]["name"] for f in json.loads(response.content)["features"]}
    assert "1栋" in names


# --- the admin's map widget ---------------------------------------------------------------


@pytest.fixture
def superuser_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "x-Pass-2026!")
    client.force_login(user)
    return client


def test_django_leaflet_reads_our_config():
    """Importing django-leaflet before LEAFLET_CONFIG existed left it with OpenStreetMap's
    tiles and no view: every admin widget asked tile.openstreetmap.org (refused by the CSP)
    and opened at the world."""
    import leaflet

    assert leaflet.app_settings["TILES"] == []  # GRIDGOV_TILES=none: no tile layer at all
    assert leaflet.app_settings["DEFAULT_ZOOM"] == 14
    assert leaflet.app_settings["DEFAULT_CENTER"] is not None


def test_the_change_page_draws_the_parent_on_the_base(superuser_client, tree):
    page = superuser_client.get(f"/admin/grids/grid/{tree.b1.pk}/change/").content.decode()
    data = json_script(page, "id_geom-gridgov")
    assert data["parent"]["name"] == "东湖花园"
    assert data["parent"]["code"] == "100001001"
    assert data["parent"]["geometry"]["type"] == "MultiPolygon"
    assert data["home"] is None  # an existing object opens at itself
    assert json_script(page, "id_geom-gridgov-base")["tiles"] == TILE_URLS
    assert "/static/js/gridgov-base.js" in page
    assert "tile.openstreetmap.org" not in page
    assert '"layers": []' in page


def test_the_add_page_opens_at_the_users_grid(superuser_client, tree):
    page = superuser_client.get("/admin/patrols/patrolroute/add/").content.decode()
    data = json_script(page, "id_route-gridgov")
    # a superuser's grid is the whole deployment: every community
    assert data["home"] == [[23.0, 113.1], [23.01, 113.12]]
    assert data["parent"] is None


def test_a_gaode_background_is_the_admins_only_tile_source(superuser_client, tree):
    """The widget's background is the configured one (read by django-leaflet at start-up:
    here its settings as the settings module makes them for gaode); the base stays WGS84."""
    import leaflet

    gaode = tile_config("gaode").leaflet()[0]
    layers = [("", gaode["url"], {"subdomains": gaode["subdomains"]})]
    with override_settings(GRIDGOV_TILES="gaode"):
        saved = leaflet.app_settings["TILES"]
        leaflet.app_settings["TILES"] = layers
        try:
            page = superuser_client.get(f"/admin/grids/grid/{tree.b1.pk}/change/").content.decode()
        finally:
            leaflet.app_settings["TILES"] = saved
    assert "webrd0{s}.is.autonavi.com" in page
    assert "openstreetmap" not in page
    assert json_script(page, "id_geom-gridgov-base")["tiles"] == TILE_URLS


def test_home_is_the_users_own_grid(tree, make_user):
    staff = make_user("s1", "community_staff", grid=tree.c1, is_staff=True)
    assert home_bounds(staff, "plan") == [[23.0, 113.1], [23.01, 113.11]]
    street = make_user("st", "street_admin", scope="100")
    assert home_bounds(street, "plan") == [[23.0, 113.1], [23.01, 113.12]]
    nobody = make_user("m1", "member", grid=tree.b1)
    assert home_bounds(nobody, "plan") is None
    assert home_bounds(staff, "") is None


def test_parent_of_each_kind_of_object(tree):
    route = route_create(
        acting_user=None,
        grid=tree.k1,
        name="东湖夜巡线",
        line=LineString((113.1015, 23.0035), (113.1045, 23.0035), srid=4326),
    )
    assert parent_grid(tree.b1) == tree.k1  # a grid: its parent
    assert parent_grid(route) == tree.k1  # a route: its grid
    assert parent_grid(tree.c1) is None
    assert parent_grid(None) is None

    class Located:
        grid_code = "100001001002"

    assert parent_grid(Located()) == tree.b2  # a located row: the grid it lies in
