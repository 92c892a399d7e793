"""The registration map on a Gaode (GCJ-02) background in headless Chromium: the home a
member taps where Gaode draws it is filled in as WGS84, and nothing leaves the machine
(Gaode's tiles come from a local stub)."""

import pytest

from tests.plugins.browser import gcj, offline_phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_tap_on_the_gaode_registration_map_fills_in_wgs84(browser, live_server, tree, gaode):
    context, page, stubbed, outside, errors = offline_phone_page(browser, live_server)
    page.goto(live_server.url + "/en/reporting/register/")
    page.wait_for_function("() => !!document.getElementById('report-map').gridgovMap")
    page.locator("#report-map").scroll_into_view_if_needed()
    gx, gy = gcj(113.102, 23.002)  # where Gaode draws 113.102/23.002
    x, y = page.evaluate(
        """([lon, lat]) => {
        const el = document.getElementById('report-map');
        const map = el.gridgovMap;
        map.setView([lat, lon], 17, {animate: false});
        const p = map.latLngToContainerPoint([lat, lon]);
        const r = el.getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }""",
        [gx, gy],
    )
    page.mouse.click(x, y)
    page.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    assert float(page.input_value("#id_lon")) == pytest.approx(113.102, abs=2e-5)
    assert float(page.input_value("#id_lat")) == pytest.approx(23.002, abs=2e-5)
    assert page.input_value("#id_crs") == "wgs84"
    assert stubbed
    assert outside == []
    assert errors == []
    context.close()
