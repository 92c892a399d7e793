"""The finder without a tile server (GRIDGOV_TILES=none, the default), on a phone (390×844) in
Debian's headless Chromium: at street zoom the buildings' names are drawn from the grid
(static/js/gridgov-base.js), readable and apart, and a tap on a building finds that
building; zoomed out, only communities' and compounds' names are drawn. Nothing leaves the
machine. Screenshots in var/screenshots/."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.plugins.browser import left_the_machine, new_context, watch_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

# Between 东湖花园 1栋 (113.101–113.103, 23.001–23.003) and 2栋 (113.103–113.105)
B1_B2 = (23.002, 113.103)


def finder_at(browser, live_server, size, lat, lon, zoom):
    """The finder's map at a place and zoom, its base drawn; (page, requests, errors)."""
    page = new_context(browser, size).new_page()
    requests = watch_requests(page)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/find/")
    page.wait_for_function("() => typeof window.GridGov !== 'undefined' && !!GridGov.base")
    page.locator("#finder-map").scroll_into_view_if_needed()
    page.evaluate(
        """([lat, lon, zoom]) => {
        const el = document.querySelector('#finder-map .folium-map');
        window[el.id].setView([lat, lon], zoom, {animate: false});
    }""",
        [lat, lon, zoom],
    )
    return page, requests, errors


def shown_labels(page) -> list[dict]:
    """The names drawn now: text, level, box on the screen, font size."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.gridgov-label'))
        .filter(el => el.style.display !== 'none' && el.offsetWidth > 0)
        .map(el => {
            const r = el.getBoundingClientRect();
            return {text: el.textContent, level: el.className.replace(/.*gridgov-label-/, ''),
                    x0: r.left, y0: r.top, x1: r.right, y1: r.bottom,
                    size: parseFloat(getComputedStyle(el).fontSize)};
        })""")


def wait_for_label(page, text: str) -> None:
    page.wait_for_function(
        """(text) => Array.from(document.querySelectorAll('.gridgov-label'))
            .some(el => el.textContent === text && el.style.display !== 'none')""",
        arg=text,
        timeout=30_000,
    )


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["text"], b["text"])
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]
    ]


def test_building_names_at_street_zoom_and_a_tap_finds_the_building(browser, live_server, tree):
    page, requests, errors = finder_at(browser, live_server, "phone", *B1_B2, 17)
    wait_for_label(page, "1栋")
    wait_for_label(page, "2栋")
    labels = shown_labels(page)
    b1 = next(label for label in labels if label["text"] == "1栋")
    box = page.locator("#finder-map").bounding_box()
    # on the map, on the phone's screen, large enough to read
    assert box["x"] <= b1["x0"]
    assert b1["x1"] <= box["x"] + box["width"]
    assert box["y"] <= b1["y0"]
    assert b1["y1"] <= box["y"] + box["height"]
    assert 0 <= b1["x0"]
    assert b1["x1"] <= 390
    assert 0 <= b1["y0"]
    assert b1["y1"] <= 844
    assert b1["size"] >= 12
    assert b1["level"] == "building"
    assert {label["level"] for label in labels} == {"building"}  # the compound's name is off
    # screen (its middle is 330 m north), the community's is not drawn at street zoom
    assert overlapping(labels) == []  # no name drawn over another
    page.screenshot(path=str(SHOTS / "basemap-finder-street-phone.png"))
    # the name sits on its building: a tap there finds that building
    page.touchscreen.tap((b1["x0"] + b1["x1"]) / 2, (b1["y0"] + b1["y1"]) / 2)
    page.wait_for_url("**/find/?lon=*", timeout=30_000)
    page.wait_for_selector(".finder-building")
    assert page.locator(".finder-building").inner_text() == "东湖花园 1栋"
    assert left_the_machine(requests, live_server) == []
    assert errors == []
    page.context.close()


def test_zoomed_out_only_communities_and_compounds_are_named(browser, live_server, tree):
    page, requests, errors = finder_at(browser, live_server, "phone", 23.005, 113.11, 14)
    wait_for_label(page, "东湖社区")
    wait_for_label(page, "东湖花园")
    page.wait_for_timeout(300)  # every tile in
    levels = {label["level"] for label in shown_labels(page)}
    assert "building" not in levels
    assert {"community", "compound"} <= levels
    assert overlapping(shown_labels(page)) == []
    page.screenshot(path=str(SHOTS / "basemap-finder-district-phone.png"))
    assert left_the_machine(requests, live_server) == []
    assert errors == []
    page.context.close()


def test_the_finder_at_tablet_size(browser, live_server, tree):
    page, requests, errors = finder_at(browser, live_server, "tablet portrait", *B1_B2, 16)
    wait_for_label(page, "1栋")
    page.screenshot(path=str(SHOTS / "basemap-finder-street-tablet.png"))
    assert left_the_machine(requests, live_server) == []
    assert errors == []
    page.context.close()
