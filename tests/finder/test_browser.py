"""The finder in Debian's headless chromium at phone size (390×844): find a building by
typing an address, by tapping the map and by the phone's location; see the building leader
with a masked phone; not one request leaves the machine."""

import pytest

from tests.plugins.browser import SIZES
from tests.world import GROUP_PHONE, LEADER_MASKED, LEADER_PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone_page(browser, live_server, path="/find/", **context):
    width, height = SIZES["phone"]
    ctx = browser.new_context(
        viewport={"width": width, "height": height},
        has_touch=True,
        is_mobile=True,
        locale="zh-CN",
        **context,
    )
    page = ctx.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_server.url + path)
    page.wait_for_function("typeof window.L !== 'undefined' && L.version !== undefined")
    return page, requests


def local_only(requests, live_server):
    return [u for u in requests if not u.startswith((live_server.url, "data:"))] == []


def see_leader(page):
    page.wait_for_selector(".finder-name")
    assert page.locator(".finder-name").first.inner_text() == "王楼长"
    phones = page.locator(".finder-phone").all_inner_texts()
    assert phones[0] == LEADER_MASKED
    assert GROUP_PHONE in phones
    assert page.locator(".finder-name").first.is_visible()
    assert LEADER_PHONE not in page.content()


def test_find_by_typing_an_address(browser, live_server, people):
    page, requests = phone_page(browser, live_server)
    assert not page.locator("#finder-locate-error").is_visible()  # until geolocation fails
    page.fill("#finder-q", "亲仁路13号 东湖花园 一栋 2单元 301室")
    page.press("#finder-q", "Enter")
    page.wait_for_url("**/find/?q=*")
    see_leader(page)
    # the search box fits the phone and stays a comfortable touch target
    field = page.locator("#finder-q").bounding_box()
    assert field["x"] + field["width"] <= 390
    assert field["height"] >= 44
    assert local_only(requests, live_server)
    page.context.close()


def test_ambiguous_address_then_choose(browser, live_server, people):
    page, requests = phone_page(browser, live_server, "/find/?q=1栋")
    page.locator(".finder-choices a", has_text="东湖花园").click()
    see_leader(page)
    assert local_only(requests, live_server)
    page.context.close()


def test_find_by_tapping_the_map(browser, live_server, people):
    page, requests = phone_page(browser, live_server)
    page.locator("#finder-map").scroll_into_view_if_needed()
    # Zoom in as a resident would (1栋 is ~20 px wide at the fitted zoom), then tap its middle.
    x, y = page.evaluate("""() => {
        const el = document.querySelector('#finder-map .folium-map');
        const map = window[el.id];
        map.setView([23.002, 113.102], 17, {animate: false});
        const p = map.latLngToContainerPoint([23.002, 113.102]);  // 东湖花园 1栋
        const r = el.getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }""")
    assert 0 <= x <= 390
    assert 0 <= y <= 844
    page.touchscreen.tap(x, y)
    page.wait_for_url("**/find/?lon=*")
    lon, lat = (float(v.split("=")[1]) for v in page.url.split("?")[1].split("&")[:2])
    assert abs(lon - 113.102) < 0.0005, page.url
    assert abs(lat - 23.002) < 0.0005, page.url
    see_leader(page)
    assert page.locator("path.leaflet-interactive, .leaflet-overlay-pane path").count() >= 2
    assert local_only(requests, live_server)
    page.context.close()


def test_find_by_the_phones_location(browser, live_server, people):
    page, requests = phone_page(
        browser,
        live_server,
        geolocation={"longitude": 113.1021, "latitude": 23.0022},
        permissions=["geolocation"],
    )
    page.locator("#finder-locate").click()
    page.wait_for_url("**/find/?lon=*")
    see_leader(page)
    assert local_only(requests, live_server)
    page.context.close()


def test_tap_outside_the_area(browser, live_server, people):
    page, requests = phone_page(browser, live_server, "/find/?lon=113.09&lat=23.002")
    assert page.get_by_text("东湖社区").first.is_visible()
    assert page.locator(".finder-name").count() == 0
    page.context.close()
