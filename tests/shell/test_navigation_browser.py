"""Each role, on its own device, signs in by typing, lands on its page, and reaches every
page its navigation offers by taps (issue 18 part 2): phones (390×844, and 360 wide) for the
anonymous resident and the member, tablets for staff. Every page opened is judged as the
person sees it: no refusal page, nothing scrolls sideways, the tabs are at most five and at
least 44 px tall."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from gridgov.accounts.models import StaffRole
from tests.factories import MemberFactory
from tests.plugins.browser import new_context, sign_in_by_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "x-Pass-2026!"
REFUSALS = ("无权访问", "找不到", "服务器错误", "表单已失效")


def _judge(page, where: str) -> None:
    """The page as a person sees it: not a refusal, nothing sideways, tabs a thumb can hit."""
    body = page.locator("main").inner_text()
    assert not any(word in body for word in REFUSALS), f"{where}: refused: {body[:200]}"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{where}: scrolls sideways by {overflow} px"
    tabs = page.locator("nav.tabs a")
    assert 2 <= tabs.count() <= 5, f"{where}: {tabs.count()} tabs"
    for i in range(tabs.count()):
        box = tabs.nth(i).bounding_box()
        assert box, f"{where}: tab {i} {box}"
        assert box["height"] >= 44, f"{where}: tab {i} {box}"
        assert box["width"] >= 44, f"{where}: tab {i} {box}"


def _walk_the_menu(page) -> list[str]:
    """Tap "more", then each of its entries in turn, judging every page; returns the paths."""
    page.locator("nav.tabs a[data-nav=more]").click()
    page.wait_for_load_state()
    _judge(page, "more")
    keys = page.locator(".menu-list a[data-nav]").evaluate_all(
        "links => links.map(a => a.dataset.nav)"
    )
    seen = []
    for key in keys:
        link = page.locator(f".menu-list a[data-nav={key}]")
        link.evaluate("a => a.scrollIntoView({block: 'center'})")  # as a thumb scrolls to it
        with page.expect_navigation() as navigation:
            link.click()
        response = navigation.value
        assert response is not None, key
        assert response.status == 200, f"{key}: {response.status}"
        _judge(page, key)
        seen.append(page.url)
        page.locator("nav.tabs a[data-nav=more]").click()
        page.wait_for_load_state()
    return seen


@pytest.mark.parametrize("width", [390, 360])
def test_a_resident_on_a_phone_reaches_every_public_page_by_taps(browser, live_server, tree, width):
    context = new_context(browser, (width, 844), is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + "/")
    _judge(page, "home")
    tabbar = page.locator("nav.tabs").bounding_box()
    assert tabbar["y"] + tabbar["height"] >= 844 - 2, "the tab bar sits at the bottom"
    assert page.locator("[data-action=finder]").is_visible()
    seen = _walk_the_menu(page)
    assert any("/find/" in url for url in seen)
    context.close()


def test_a_member_on_a_phone_lands_on_their_home_and_reaches_their_pages(
    browser, live_server, tree
):
    user = get_user_model().objects.create_user(username="dangyuan", password=PASSWORD)
    MemberFactory(user=user, confirmed=True, name="李党员")
    context = new_context(browser, "phone")
    page = context.new_page()
    sign_in_by_form(page, live_server, "dangyuan", PASSWORD)
    page.wait_for_url("**/me/")
    assert page.get_by_role("heading", name="李党员，您好").is_visible()
    _judge(page, "member home")
    seen = _walk_the_menu(page)
    assert any("/points/me/" in url for url in seen)
    assert any("/reporting/me/" in url for url in seen)
    context.close()


STAFF = [
    (StaffRole.GRID_LEADER, "k1", "tablet portrait", "/map/grid/{code}/"),
    (StaffRole.COMMUNITY_SECRETARY, "c1", "tablet landscape", "/cases/"),
    (StaffRole.STREET_ADMIN, None, "tablet portrait", "/map/"),
]


@pytest.mark.parametrize(("role", "grid", "size", "landing"), STAFF)
def test_staff_on_a_tablet_land_on_their_work_and_reach_every_offered_page(
    browser, live_server, tree, make_user, role, grid, size, landing
):
    where = getattr(tree, grid) if grid else None
    make_user("staff", role, where)
    context = new_context(browser, size)
    page = context.new_page()
    sign_in_by_form(page, live_server, "staff", PASSWORD)
    page.wait_for_url("**" + landing.format(code=where.code if where else ""))
    _judge(page, "landing")
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= 120, f"the top bar takes {header['height']} px"
    _walk_the_menu(page)
    context.close()
