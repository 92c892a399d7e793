"""Check-in in Debian's headless chromium at phone size (390×844): the page asks the
browser for its position (navigator.geolocation), sends it, and the member is checked in —
or told how far away they are. The list fits the phone's width with ≥ 44 px targets."""

import datetime as dt

import pytest

from gridgov.service import services
from tests.plugins.browser import SIZES, new_context, signed_in
from tests.service.helpers import PLACE, shift

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def phone(browser, live_server, client, user, **context):
    ctx = new_context(browser, "phone", locale="en-GB", **context)
    return signed_in(ctx, client, user, live_server).new_page()


@pytest.fixture
def running(publish, people):
    activity = publish()
    services.signup_create(activity=activity, member=people.wang, acting_user=None)
    return shift(activity, started=dt.timedelta(minutes=5))


@pytest.mark.parametrize(
    ("north", "expected"),
    [
        (0.0005, "You are checked in."),  # about 55 m away
        (0.01, "m from the place of “清理楼道杂物”"),  # about 1.1 km away
    ],
)
def test_check_in_with_the_phones_position(
    browser,
    live_server,
    client,
    people,
    running,
    north,
    expected,
):
    page = phone(
        browser,
        live_server,
        client,
        people.wang.user,
        permissions=["geolocation"],
        geolocation={"latitude": PLACE.y + north, "longitude": PLACE.x},
    )
    page.goto(f"{live_server.url}/en/service/activities/{running.pk}/")
    button = page.locator("#locate-checkin")
    assert button.is_visible()
    assert button.bounding_box()["height"] >= 44
    with page.expect_navigation():
        button.click()
    assert expected in page.locator(".messages").inner_text()
    assert page.locator("#checked-in").count() == (1 if north < 0.001 else 0)
    page.context.close()


def test_list_fits_a_phone(browser, live_server, client, people, running):
    page = phone(browser, live_server, client, people.wang.user)
    page.goto(f"{live_server.url}/service/activities/")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"][0]
    card = page.locator(".svc-card a").first.bounding_box()
    assert card["height"] >= 44
    assert card["x"] + card["width"] <= SIZES["phone"][0]
    page.goto(f"{live_server.url}/service/activities/{running.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"][0]
    page.goto(f"{live_server.url}/service/self/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"][0]
    page.context.close()
    page = phone(browser, live_server, client, people.k1_staff)
    for path in (f"/service/activities/{running.pk}/manage/", "/service/activities/new/"):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"][0], path
        assert page.locator("button[type=submit]").first.bounding_box()["height"] >= 44
    page.context.close()
