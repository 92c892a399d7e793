"""A Gaode (GCJ-02) background in Debian's headless Chromium: the overlays are drawn where
Gaode's tiles show the place (shifted ~500 m from WGS84), and a place tapped on the map is
sent back in WGS84. The machine has no internet: Gaode's tile servers are answered by a
local stub (a 1-pixel PNG) and any other request leaving the machine fails the test."""

import pytest

from geodata.crs import to_wgs84
from tests.maps.dashboards import (
    logged_in_page,
    tap,
)
from tests.plugins.browser import SIZES, gcj, offline, offline_phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tap_on_a_gaode_finder_map_sends_wgs84(browser, live_server, contacts, gaode):
    context, page, stubbed, outside, errors = offline_phone_page(browser, live_server)
    page.goto(live_server.url + "/find/")
    # (predicates as functions: a bare expression is re-evaluated with eval, which the CSP forbids)
    page.wait_for_function("() => typeof window.GridGov !== 'undefined' && !!GridGov.crs")
    # the browser's formulas are the server's (geodata.crs), both ways
    gx, gy = gcj(113.102, 23.002)
    js = page.evaluate(
        "([x, y]) => [GridGov.crs.fromWgs84(113.102, 23.002, 'gcj02'),"
        " GridGov.crs.toWgs84(x, y, 'gcj02')]",
        [gx, gy],
    )
    assert js[0] == pytest.approx([gx, gy], abs=1e-9)
    back = to_wgs84([gx], [gy], "gcj02")
    assert js[1] == pytest.approx([float(back[0][0]), float(back[1][0])], abs=1e-9)
    # 东湖花园 1栋's middle is 113.102/23.002 in WGS84; on Gaode's map it is drawn ~500 m
    # away, at its GCJ-02 place: tap there
    page.locator("#finder-map").scroll_into_view_if_needed()
    page.evaluate(
        """([lon, lat]) => {
        const el = document.querySelector('#finder-map .folium-map');
        window[el.id].setView([lat, lon], 17, {animate: false});
    }""",
        [gx, gy],
    )
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-tile-pane img.leaflet-tile-loaded').length > 0",
        timeout=30_000,
    )
    # A touch lands on a whole pixel, and the map may lie at a fractional height on the page
    # (y = 313.47 px under the navigation): tap the whole pixel nearest the place, and expect
    # exactly the place under that pixel (as Leaflet reads the event), shifted back to WGS84.
    x, y, tapped_lon, tapped_lat = page.evaluate(
        """([lon, lat]) => {
        const el = document.querySelector('#finder-map .folium-map');
        const map = window[el.id];
        const p = map.latLngToContainerPoint([lat, lon]);
        const r = el.getBoundingClientRect();
        const x = Math.round(r.left + p.x), y = Math.round(r.top + p.y);
        const at = map.mouseEventToLatLng({clientX: x, clientY: y});
        return [x, y, at.lng, at.lat];
    }""",
        [gx, gy],
    )
    page.touchscreen.tap(x, y)
    page.wait_for_url("**/find/?lon=*", timeout=30_000)
    query = dict(part.split("=") for part in page.url.split("?")[1].split("&"))
    assert "crs" not in query  # sent as WGS84
    expected = to_wgs84([tapped_lon], [tapped_lat], "gcj02")
    assert float(query["lon"]) == pytest.approx(float(expected[0][0]), abs=2e-7), page.url
    assert float(query["lat"]) == pytest.approx(float(expected[1][0]), abs=2e-7), page.url
    # within a pixel (~1 m at zoom 17) of 1栋's middle, not ~500 m away in GCJ-02
    assert float(query["lon"]) == pytest.approx(113.102, abs=2e-5), page.url
    assert float(query["lat"]) == pytest.approx(23.002, abs=2e-5), page.url
    page.wait_for_selector(".finder-name", timeout=30_000)
    assert page.locator(".finder-name").first.inner_text() == "王楼长"
    assert stubbed
    assert outside == []
    assert errors == []
    context.close()


def test_dashboard_overlays_sit_on_gaode_places(browser, live_server, leader_login, gaode):
    routed = {}

    def prepare(context):
        routed["stubbed"], routed["outside"] = offline(context, live_server)

    page, errors, _ = logged_in_page(
        browser, live_server, SIZES["tablet landscape"], prepare=prepare
    )
    # B2's middle (113.104/23.002) where Gaode draws it: tapping there opens B2
    gx, gy = gcj(113.104, 23.002)
    x, y = page.evaluate(
        """([lon, lat]) => {
        const el = document.querySelector('.folium-map');
        const map = window[el.id];
        const p = map.latLngToContainerPoint([lat, lon]);
        const r = el.getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }""",
        [gx, gy],
    )
    tap(page, x, y, "path.child-grid")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=30_000)
    assert "2栋" in popup.inner_text()
    assert "100001001002" in popup.inner_text()
    assert page.locator("path.child-grid").count() == 2
    assert routed["stubbed"]
    assert routed["outside"] == []
    assert errors == []
    page.context.close()
