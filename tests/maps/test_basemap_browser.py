"""The base map drawn from the grid in Debian's headless Chromium, without a tile server
(GRIDGOV_TILES=none): the registration map shows the grid (names and outlines, not a grey
square), a dashboard stands on it, and the admin's map widget opens at the object (or, for
a new one, at the user's grid) with the neighbours named around it and not one request to
another server. Screenshots at phone and tablet size in var/screenshots/."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from tests.plugins.browser import left_the_machine, new_context, signed_in, watch_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
SIZES = {"phone": (390, 844), "tablet": (768, 1024)}


def open_page(context, live_server, path):
    page = context.new_page()
    requests = watch_requests(page)
    errors: list[str] = []
    # (the admin's pages link no icon: the browser's own /favicon.ico is not ours to judge)
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + path)
    return page, requests, errors


def shown(page) -> dict[str, str]:
    """The names drawn now: text → level."""
    return page.evaluate("""() => Object.fromEntries(
        Array.from(document.querySelectorAll('.gridgov-label'))
            .filter(el => el.style.display !== 'none' && el.offsetWidth > 0)
            .map(el => [el.textContent, el.className.replace(/.*gridgov-label-/, '')]))""")


def wait_for_label(page, text: str) -> None:
    page.wait_for_function(
        """(text) => Array.from(document.querySelectorAll('.gridgov-label'))
            .some(el => el.textContent === text && el.style.display !== 'none')""",
        arg=text,
        timeout=30_000,
    )


def drawn_features(page, selector: str) -> dict[str, int]:
    """How many grids of each level the base of the map in ``selector`` has drawn."""
    return page.evaluate(
        """(selector) => {
        const el = document.querySelector(selector);
        const base = GridGov.base.of(el.gridgovMap || window[el.id]);
        return Object.fromEntries(
            Object.entries(base.layers).map(([k, l]) => [k, l.featureCount()]));
    }""",
        selector,
    )


@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_the_registration_map_shows_the_grid(browser, live_server, tree, size):
    page, requests, errors = open_page(
        new_context(browser, SIZES[size]), live_server, "/reporting/register/"
    )
    page.wait_for_function("() => !!document.getElementById('report-map').gridgovMap")
    page.locator("#report-map").scroll_into_view_if_needed()
    # fitted to the communities: their names and the compounds' outlines
    wait_for_label(page, "东湖社区")
    assert shown(page)["南山社区"] == "community"
    page.wait_for_function(
        "() => GridGov.base.of(document.getElementById('report-map').gridgovMap)"
        ".layers.compounds.featureCount() === 3"
    )
    page.screenshot(path=str(SHOTS / f"basemap-register-{size}.png"))
    # where a member looks for their home: the buildings, named
    page.evaluate(
        "() => document.getElementById('report-map').gridgovMap"
        ".setView([23.002, 113.103], 17, {animate: false})"
    )
    wait_for_label(page, "1栋")
    assert drawn_features(page, "#report-map")["buildings"] >= 2
    assert left_the_machine(requests, live_server) == []
    assert errors == []
    page.context.close()


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "x-Pass-2026!")


@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_the_admin_widget_opens_at_the_object(browser, live_server, client, tree, root, size):
    context = signed_in(new_context(browser, SIZES[size]), client, root, live_server)
    page, requests, errors = open_page(
        context, live_server, f"/admin/grids/grid/{tree.b1.pk}/change/"
    )
    page.wait_for_function("() => !!document.querySelector('#id_geom-map').gridgovMap")
    page.locator("#id_geom-map").scroll_into_view_if_needed()
    wait_for_label(page, "2栋")  # the neighbour, named
    view = page.evaluate("""() => {
        const map = document.querySelector('#id_geom-map').gridgovMap;
        const b = map.getBounds(), c = map.getCenter();
        return {zoom: map.getZoom(), lat: c.lat, lng: c.lng,
                south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast()};
    }""")
    # at the object: centred on 1栋 (113.101–113.103, 23.001–23.003), all of it in view
    assert 23.001 < view["lat"] < 23.003, view
    assert 113.101 < view["lng"] < 113.103, view
    assert view["south"] <= 23.001, view
    assert view["north"] >= 23.003, view
    assert view["west"] <= 113.101, view
    assert view["east"] >= 113.103, view
    assert view["zoom"] >= 15, view  # not the world
    # its parent 东湖花园 outlined (read-only), the edited outline on top
    assert page.locator("#id_geom-map .leaflet-overlay-pane path").count() == 2
    assert page.locator("#id_geom-map .leaflet-tile-pane img").count() == 0  # no raster tiles
    page.screenshot(path=str(SHOTS / f"basemap-admin-change-{size}.png"))
    assert left_the_machine(requests, live_server) == []
    assert errors == []
    context.close()


def test_a_new_object_opens_at_the_users_grid(browser, live_server, client, tree, root):
    context = signed_in(new_context(browser, SIZES["tablet"]), client, root, live_server)
    page, requests, errors = open_page(context, live_server, "/admin/patrols/patrolroute/add/")
    page.wait_for_function("() => !!document.querySelector('#id_route-map').gridgovMap")
    wait_for_label(page, "东湖社区")
    view = page.evaluate("""() => {
        const map = document.querySelector('#id_route-map').gridgovMap, b = map.getBounds();
        return {zoom: map.getZoom(), south: b.getSouth(), west: b.getWest(),
                north: b.getNorth(), east: b.getEast()};
    }""")
    # the superuser's grid is every community (113.10–113.12, 23.00–23.01): all in view
    assert view["south"] <= 23.0, view
    assert view["north"] >= 23.01, view
    assert view["west"] <= 113.1, view
    assert view["east"] >= 113.12, view
    assert view["zoom"] >= 13, view
    assert left_the_machine(requests, live_server) == []
    assert errors == []
    context.close()


@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_a_dashboard_stands_on_the_base(browser, live_server, client, tree, make_user, size):
    leader = make_user("gl", "grid_leader", grid=tree.k1)
    context = signed_in(new_context(browser, SIZES[size]), client, leader, live_server)
    page, requests, errors = open_page(context, live_server, "/map/grid/100001001/")
    page.wait_for_selector("path.child-grid")
    wait_for_label(page, "东湖花园")
    page.wait_for_function(
        "() => GridGov.base.of(window[document.querySelector('.folium-map').id])"
        ".layers.buildings.featureCount() >= 3"
    )
    page.screenshot(path=str(SHOTS / f"basemap-dashboard-{size}.png"))
    assert left_the_machine(requests, live_server) == []
    assert errors == []
    context.close()
