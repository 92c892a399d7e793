"""Issue 16, a building leader's journey on a phone (390×844, Debian's headless chromium):
from the login page, by taps and typing, to a request in their building — they see where
it is, not who raised it (no name, phone or room), and the page says why."""

import pytest

from gridgov.accounts.models import StaffRole
from tests.plugins.browser import new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME, PHONE, ROOM = "陈阿姨", "13800001234", "惠景花园3栋2单元302室"


def test_a_building_leader_reaches_a_request_and_sees_no_requester(
    browser, live_server, tree, make_user, new_case
):
    case = new_case(requester_name=NAME, requester_phone=PHONE, address=ROOM)
    make_user("louzhang", StaffRole.BUILDING_LEADER, tree.b1)
    context = new_context(browser, "phone")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "louzhang")
    page.fill("#id_password", "x-Pass-2026!")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="诉求", exact=True).filter(visible=True).first.click()
    page.get_by_role("link", name=case.number).filter(visible=True).first.click()
    page.wait_for_url(f"**/cases/{case.number}/")

    place = page.locator("#place").inner_text()
    assert tree.b1.name in place
    assert tree.k1.name in place
    requester = page.locator("#requester").inner_text()
    assert "负责居民信息的工作人员" in requester  # says why, in the site's language
    text = page.locator("body").inner_text()
    for secret in (NAME, PHONE, PHONE[-4:], "302室"):
        assert secret not in text
    context.close()
