"""Layers over the tile threshold in a real headless Chromium: the street map draws its
buildings from tiles (Leaflet.VectorGrid on PostGIS, the GeoJSON tile loader on SpatiaLite),
a tap on a building names its leader, no console errors, nothing fetched from elsewhere."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection

from tests.plugins.browser import SIZES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
POSTGIS = connection.vendor == "postgresql"
VECTORGRID = (
    "vendor/vectorgrid",
    Path(settings.BASE_DIR) / "node_modules" / "leaflet.vectorgrid" / "dist",
)


@pytest.fixture
def tiled_street(settings, staffed):
    """Buildings over the threshold (the fixture has 4); Leaflet.VectorGrid served from
    node_modules as the settings will serve it (added here until they do)."""
    settings.GRIDGOV_TILE_THRESHOLD = 3
    if not any(isinstance(d, tuple) and d[0] == VECTORGRID[0] for d in settings.STATICFILES_DIRS):
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, VECTORGRID]
    finders.get_finder.cache_clear()
    yield staffed
    finders.get_finder.cache_clear()


def test_street_map_draws_buildings_from_tiles(browser, live_server, tiled_street):
    context = browser.new_context(
        viewport=dict(zip(("width", "height"), SIZES["tablet landscape"], strict=True)),
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    tiles: dict[str, int] = {}
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: requests.append(r.url))
    page.on(
        "response", lambda r: tiles.__setitem__(r.url, r.status) if "/tiles/" in r.url else None
    )
    page.goto(live_server.url + "/map/")
    # (predicates as functions: a bare expression is re-evaluated with eval, which the CSP forbids)
    page.wait_for_function("() => typeof window.GridGov !== 'undefined'")
    fmt = ".pbf" if POSTGIS else ".geojson"
    page.wait_for_function(
        f"() => performance.getEntriesByType('resource')"
        f".some(e => e.name.includes('/tiles/buildings/') "
        f"&& e.name.endsWith('{fmt}') && e.responseEnd > 0)"
    )
    page.wait_for_timeout(500)
    assert [s for u, s in tiles.items() if "/tiles/buildings/" in u and s == 200]
    assert all(s in (200, 204) for s in tiles.values()), tiles
    # the overlay's tiles in this server's format; the base map's are GeoJSON on any backend
    assert [u for u in tiles if u.endswith(fmt)]
    assert all(u.endswith((fmt, ".geojson")) for u in tiles)
    if not POSTGIS:  # drawn as SVG paths, each building once however many tiles hold it
        page.wait_for_selector("path.tile-building")
        assert page.locator("path.tile-building").count() == 4
    # tap B1 (113.101–113.103, 23.001–23.003): its leader is named
    point = page.evaluate("""() => {
        const map = Object.values(window).find(v => v instanceof L.Map);
        const p = map.latLngToContainerPoint([23.0025, 113.1015]);
        const r = map.getContainer().getBoundingClientRect();
        return {x: r.left + p.x, y: r.top + p.y};
    }""")
    page.mouse.click(point["x"], point["y"])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "1栋" in popup.inner_text()
    assert "林楼长" in popup.inner_text()
    assert errors == []
    assert [u for u in requests if not u.startswith((live_server.url, "data:"))] == []
    context.close()
