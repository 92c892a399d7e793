"""The street map in a real headless Chromium (Debian's), at tablet and phone sizes: Leaflet
loads from this server, the three levels are drawn, the layer switch works, and not one
request leaves the machine."""

import pytest

from tests.plugins.browser import SIZES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_map(browser, live_server, size, path="/map/"):
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_server.url + path)
    page.wait_for_function("typeof window.L !== 'undefined' && L.version !== undefined")
    page.wait_for_selector("path.leaflet-interactive")
    return page, requests


@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_street_map_draws_three_levels_offline(browser, live_server, tree, size):
    page, requests = open_map(browser, live_server, size)
    # 4 buildings and 3 compounds are interactive paths; the 2 communities are outlines.
    assert page.locator("path.leaflet-interactive").count() == 7
    assert page.locator(".leaflet-overlay-pane path").count() == 9
    box = page.locator(".folium-map").bounding_box()
    landscape = size[0] > size[1]
    # beside the side panel in landscape, full width above it in portrait
    assert box["width"] >= size[0] * (0.6 if landscape else 0.95)
    assert box["height"] >= 300
    assert page.get_by_text("东湖社区").first.is_visible()  # side panel
    zoom_in = page.locator(".leaflet-control-zoom-in").bounding_box()
    assert zoom_in["width"] >= 44
    assert zoom_in["height"] >= 44
    outside = [u for u in requests if not u.startswith((live_server.url, "data:"))]
    assert outside == []
    page.context.close()


def test_layer_switch_hides_buildings(browser, live_server, tree):
    page, _ = open_map(browser, live_server, SIZES["tablet landscape"])
    before = page.locator("path.leaflet-interactive").count()
    page.locator(".leaflet-control-layers label", has_text="楼栋").locator("input").uncheck()
    assert page.locator("path.leaflet-interactive").count() == before - 4
    page.context.close()


def test_english_map_page(browser, live_server, tree):
    page, requests = open_map(browser, live_server, SIZES["tablet portrait"], "/en/map/")
    assert page.locator(".leaflet-control-layers label", has_text="Buildings").count() == 1
    assert page.get_by_text("building without a building leader").is_visible()
    page.context.close()
