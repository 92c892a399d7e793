"""The small maps outside the dashboards (patrol routes, dual-reporting registration) draw the
configured background: Tianditu's two layers, or Gaode's GCJ-02 tiles with the page told to
shift what it draws and to shift a tap back (static/js/gridgov-crs.js)."""

import json
import re

import pytest
from django.test import override_settings

from tests.patrols.helpers import EN, page

pytestmark = pytest.mark.django_db


def _json(html: str, element_id: str):
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(found.group(1))


@override_settings(GRIDGOV_TILES="gaode")
def test_patrol_map_on_gaode_is_told_to_shift(client, k1):
    client.force_login(k1.leader)
    html = page(client.get(f"{EN}routes/{k1.route.pk}/"))
    data = _json(html, "patrol-map-data")
    assert data["display_crs"] == "gcj02"
    assert [t["subdomains"] for t in data["tiles"]] == ["1234"]
    assert "autonavi.com" in data["tiles"][0]["url"]
    assert "/static/js/gridgov-crs.js" in html
    assert "coordsToLatLng" in html


@override_settings(GRIDGOV_TILES="tianditu", GRIDGOV_TIANDITU_KEY="abc123")
def test_patrol_map_on_tianditu_draws_base_and_labels(client, k1):
    client.force_login(k1.leader)
    data = _json(page(client.get(f"{EN}routes/{k1.route.pk}/")), "patrol-map-data")
    assert data["display_crs"] == "wgs84"
    urls = [t["url"] for t in data["tiles"]]
    assert len(urls) == 2
    assert "vec_w" in urls[0]
    assert "cva_w" in urls[1]
    assert all("tk=abc123" in u for u in urls)


@pytest.mark.parametrize(("tiles", "crs", "count"), [("none", "wgs84", 0), ("gaode", "gcj02", 1)])
def test_registration_map_uses_the_background(client, tree, tiles, crs, count):
    with override_settings(GRIDGOV_TILES=tiles):
        html = client.get("/en/reporting/register/").content.decode()
    assert len(_json(html, "report-tiles")) == count
    assert f'var shown = "{crs}"' in html
    assert "/static/js/gridgov-crs.js" in html
