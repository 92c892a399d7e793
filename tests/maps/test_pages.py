"""Home and street map pages as a visitor gets them: zh-hans first, English at /en/, and
every asset served from this machine."""

import re

import pytest
from django.test import override_settings

from gridgov.grids.models import Grid
from tests.maps.helpers import CDN  # hosts of the public CDNs folium and Leaflet default to
from tests.pages import shows

URL_ATTR = re.compile(r'(?:src|href)="([^"]+)"')


def test_home_is_chinese_first_with_totals(client, tree):
    page = client.get("/").content.decode()
    assert 'lang="zh-hans"' in page
    assert "组织建在网格上，党员融入群众中" in page
    assert "街道地图" in page
    # 2 communities, 3 compounds, 4 buildings in the fixture
    assert re.search(r'<span class="num">2</span><span>个社区', page)
    assert re.search(r'<span class="num">4</span><span>栋楼', page)


def test_english_under_en_prefix(client, tree):
    page = client.get("/en/").content.decode()
    assert 'lang="en"' in page
    assert "organisation built on the grid" in page


def test_language_switch_sets_english(client, tree):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/map/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/en/map/"
    assert "Street map" in response.content.decode()


def test_street_map_uses_only_local_assets(client, tree):
    page = client.get("/map/").content.decode()
    urls = URL_ATTR.findall(page)
    assert "/static/vendor/leaflet/leaflet.js" in urls
    assert "/static/vendor/leaflet/leaflet.css" in urls
    assert not [u for u in urls if u.startswith(("http:", "https:", "//"))]
    assert not CDN.search(page)
    for name in Grid.objects.filter(level=1).values_list("name", flat=True):
        assert name in page  # the side panel lists every community
    assert "有楼长的楼栋" in page  # legend


def test_static_leaflet_is_served(client):
    response = client.get("/static/vendor/leaflet/leaflet.js")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Leaflet" in body[:2000]


@override_settings(GRIDGOV_TILES="http://tiles.intranet.example/{z}/{x}/{y}.png")
def test_tile_source_is_configurable(client, tree):
    page = client.get("/map/").content.decode()
    assert "http://tiles.intranet.example/{z}/{x}/{y}.png" in page


def test_empty_database_pages_still_work(client, db):
    assert "load_demo" in client.get("/").content.decode()
    shows(client.get("/map/"), "街道地图", "还没有网格。")  # "no grids yet"


@pytest.mark.parametrize("url", ["/admin/grids/grid/add/", "/admin/people/member/add/"])
def test_admin_map_widgets_are_local(admin_client, url):
    page = admin_client.get(url).content.decode()
    urls = URL_ATTR.findall(page)
    assert any("leaflet" in u for u in urls)
    assert not [u for u in urls if u.startswith(("http:", "https:", "//"))]


def test_admin_refuses_overlapping_grid_with_reason(admin_client, tree):
    geom = (
        '{"type": "MultiPolygon", "coordinates": [[[[113.102, 23.002], [113.1025, 23.002],'
        " [113.1025, 23.004], [113.102, 23.004], [113.102, 23.002]]]]}"
    )
    response = admin_client.post(
        "/admin/grids/grid/add/",
        {
            "level": 3,
            "parent": tree.k1.pk,
            "code": "100001001077",
            "name": "7栋",
            "kind": "building",
            "geom": geom,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200  # the form again, with the error
    assert "100001001077" in page
    assert "100001001001" in page
    assert "平方米" in page
    assert not Grid.objects.filter(code="100001001077").exists()


def test_admin_creates_a_valid_grid_through_the_service(admin_client, tree):
    geom = (
        '{"type": "Polygon", "coordinates": [[[113.1011, 23.0041], [113.1019, 23.0041],'
        " [113.1019, 23.0049], [113.1011, 23.0049], [113.1011, 23.0041]]]}"
    )
    response = admin_client.post(
        "/admin/grids/grid/add/",
        {
            "level": 3,
            "parent": tree.k1.pk,
            "code": "100001001003",
            "name": "3栋",
            "kind": "building",
            "geom": geom,
        },
    )
    assert response.status_code == 302
    g = Grid.objects.get(code="100001001003")
    assert g.geom.geom_type == "MultiPolygon"
    from gridgov.accounts.models import AuditEntry

    assert AuditEntry.objects.filter(action="grid.create", object_id=str(g.pk)).exists()
