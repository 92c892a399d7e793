"""The registration map on a Gaode (GCJ-02) background in headless Chromium: the home a
member taps where Gaode draws it is filled in as WGS84, and nothing leaves the machine
(Gaode's tiles come from a local stub)."""

import pytest

from geodata.crs import to_wgs84
from tests.plugins.browser import gcj, offline_phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_tap_on_the_gaode_registration_map_fills_in_wgs84(browser, live_server, tree, gaode):
    context, page, stubbed, outside, errors = offline_phone_page(browser, live_server)
    page.goto(live_server.url + "/en/reporting/register/")
    page.wait_for_function("() => !!document.getElementById('report-map').gridgovMap")
    page.locator("#report-map").scroll_into_view_if_needed()
    gx, gy = gcj(113.102, 23.002)  # where Gaode draws 113.102/23.002
    # A click lands on a whole pixel; the map has a 1-px border and may lie at a fractional
    # height on the page: click the whole pixel nearest the place and expect exactly the
    # place under it (as Leaflet reads the event), shifted back to WGS84.
    x, y, at_lon, at_lat = page.evaluate(
        """([lon, lat]) => {
        const el = document.getElementById('report-map');
        const map = el.gridgovMap;
        map.setView([lat, lon], 17, {animate: false});
        const p = map.latLngToContainerPoint([lat, lon]);
        const r = el.getBoundingClientRect();
        const x = Math.round(r.left + el.clientLeft + p.x);
        const y = Math.round(r.top + el.clientTop + p.y);
        const at = map.mouseEventToLatLng({clientX: x, clientY: y});
        return [x, y, at.lng, at.lat];
    }""",
        [gx, gy],
    )
    page.mouse.click(x, y)
    page.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    lon, lat = to_wgs84([at_lon], [at_lat], "gcj02")
    assert float(page.input_value("#id_lon")) == pytest.approx(float(lon[0]), abs=2e-7)
    assert float(page.input_value("#id_lat")) == pytest.approx(float(lat[0]), abs=2e-7)
    # within a pixel (~1 m at zoom 17) of the place, not ~500 m away in GCJ-02
    assert float(page.input_value("#id_lon")) == pytest.approx(113.102, abs=2e-5)
    assert float(page.input_value("#id_lat")) == pytest.approx(23.002, abs=2e-5)
    assert page.input_value("#id_crs") == "wgs84"
    assert stubbed
    assert outside == []
    assert errors == []
    context.close()
