"""The browser tests' shared parts, loaded for the whole suite by tests/conftest.py: the
``browser`` fixture (Debian's headless chromium through Playwright, one per test module),
the sizes every page is judged at (DESIGN.md: phone 390×844, tablet both ways), and
helpers to open a page at a size, sign in, and see which requests left the machine.

Browser tests are ``transaction=True`` (the live server reads what the test wrote) and
marked ``browser``."""

from __future__ import annotations

import base64
import copy
import os
import re
import shutil
import threading
import time

import pytest

from tests.factories import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SIZES = {"tablet portrait": (768, 1024), "tablet landscape": (1024, 768), "phone": (390, 844)}


@pytest.fixture(scope="module")
def browser():
    """Playwright's sync API runs an event loop in this thread while the browser is open;
    the ORM calls the tests and fixtures make meanwhile are still plain synchronous calls,
    so Django is told not to refuse them (for this module only)."""
    from playwright.sync_api import sync_playwright

    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            yield b
            b.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


class _InFlight:
    """The live server's WSGI application, counting the requests it is answering."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            self.count += 1
        try:
            result = self.app(environ, start_response)
            try:
                return list(result)  # answered in full before it counts as done
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            with self._lock:
                self.count -= 1


@pytest.fixture(autouse=True)
def live_server_settles(request):
    """A page may still be loading when its test closes it (a map's base tiles: the base map
    drawn from the grid, static/js/gridgov-base.js, asks for them as it is drawn). The live
    server shares the in-memory SQLite connection with the test, and a query still reading a
    table when the test's teardown empties it makes the flush fail ("database table is
    locked") and leaves its rows to the next test. So before the database is emptied, wait
    until the server has answered every request it took (quiet for 150 ms; 10 s at most)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first: emptied after this wait
    httpd = request.getfixturevalue("live_server").thread.httpd
    app = httpd.get_app()
    if not isinstance(app, _InFlight):
        app = _InFlight(app)
        httpd.set_app(app)
    yield
    deadline, quiet = time.monotonic() + 10, 0
    while quiet < 3 and time.monotonic() < deadline:
        quiet = quiet + 1 if app.count == 0 else 0
        time.sleep(0.05)


def new_context(browser, size: tuple[int, int] | str = "phone", *, locale="zh-CN", **options):
    """A browser context at a size (a name of SIZES or (width, height)), touch enabled; a
    phone's is mobile."""
    name = size if isinstance(size, str) else None
    width, height = SIZES[size] if name else size
    options.setdefault("is_mobile", (width, height) == SIZES["phone"])
    return browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, locale=locale, **options
    )


def signed_in(context, client, user, live_server):
    """The context carries ``user``'s session (made by the test client, no form)."""
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def sign_in_by_form(page, live_server, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login page, as a person would, by typing."""
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    # The login form's own button: the header holds other forms (language, log out).
    page.locator("section.login form button[type=submit]").click()


def watch_requests(page) -> list[str]:
    """Every URL the page asks for from now on."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    return requests


def left_the_machine(requests: list[str], live_server) -> list[str]:
    """The requests that went elsewhere than this server (data: URLs stay)."""
    return [u for u in requests if not u.startswith((live_server.url, "data:"))]


# --- a Gaode (GCJ-02) background, offline -------------------------------------------------

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
GAODE = re.compile(r"^https://webrd0[1-4]\.is\.autonavi\.com/appmaptile\?")


@pytest.fixture
def gaode(settings):
    """GRIDGOV_TILES=gaode, with the CSP the settings module would then make."""
    from geodata.tilesources import tile_config

    settings.GRIDGOV_TILES = "gaode"
    csp = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    csp["DIRECTIVES"]["img-src"] = [*csp["DIRECTIVES"]["img-src"], *tile_config("gaode").origins()]
    settings.CONTENT_SECURITY_POLICY = csp


def offline(context, live_server) -> tuple[list[str], list[str]]:
    """Gaode's tiles from a local stub (a 1-pixel PNG: the machine has no internet); anything
    else outside this server aborted and recorded. (stubbed, outside) URLs."""
    stubbed: list[str] = []
    outside: list[str] = []

    def handle(route):
        url = route.request.url
        if url.startswith((live_server.url, "data:", "blob:")):
            route.continue_()
        elif GAODE.match(url):
            stubbed.append(url)
            route.fulfill(status=200, content_type="image/png", body=PNG)
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", handle)
    return stubbed, outside


def gcj(lon: float, lat: float) -> tuple[float, float]:
    """Where Gaode draws a WGS84 point (its GCJ-02 coordinates)."""
    from geodata.crs import from_wgs84

    x, y = from_wgs84([lon], [lat], "gcj02")
    return float(x[0]), float(y[0])


def offline_phone_page(browser, live_server):
    """A phone-sized touch page, offline as above; (context, page, stubbed, outside, console
    errors)."""
    context = new_context(browser, "phone")
    stubbed, outside = offline(context, live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return context, page, stubbed, outside, errors
