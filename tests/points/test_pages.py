"""The pages as a member and as staff: my hours and points, the mall with its refusals, the
staff pages and their scoping (another community's staff cannot adjust)."""

from decimal import Decimal

import pytest
from django.test import override_settings

from gridgov.points import selectors, services
from gridgov.points.models import LedgerEntry, MallItem, Redemption
from tests.pages import shows


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- a member's own page -------------------------------------------------------------------


def test_me_needs_login(client, db):
    response = client.get("/points/me/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_me_without_a_member_record(client, people):
    client.force_login(people.c1_staff)
    page = client.get("/en/points/me/").content.decode()
    assert 'id="no-member"' in page
    assert "not linked to a member record" in page


@override_settings(
    GRIDGOV_YEARLY_HOURS_TARGET=48.0, GRIDGOV_STAR_THRESHOLDS=["1:10", "2:100", "3:300"]
)
def test_me_shows_progress_stars_balance_ledger_and_redemptions(client, people, earn, item):
    earn(people.wang, 12)
    services.redemption_create(
        member=people.wang, item=item("雨伞", cost=50), acting_user=people.wang.user
    )
    client.force_login(people.wang.user)
    page = client.get("/en/points/me/").content.decode()
    assert "王芳: hours and points" in page
    assert 'value="25"' in page  # 12 of 48 hours: a quarter of the bar
    assert "36 hours to go to the yearly target of 48." in page
    assert "1 star, 12 hours in all." in page
    assert "88 more hours to 2 stars." in page
    assert page.count("★") == 1
    assert page.count("☆") == 2
    assert '<span class="num">70</span>' in page  # 120 earned, 50 spent
    assert "雨伞" in page
    assert "Cancel and refund" in page
    assert page.count('class="entry-') == 2
    # another member's entries are not on the page
    earn(people.li, 7)
    page = client.get("/en/points/me/").content.decode()
    assert page.count('class="entry-') == 2


def test_ledger_history_is_paginated(client, people, earn):
    for _ in range(25):
        earn(people.wang, 1)
    client.force_login(people.wang.user)
    first = client.get("/en/points/me/").content.decode()
    assert first.count('class="entry-earn"') == 20
    assert "Page 1 of 2" in first
    second = client.get("/en/points/me/?page=2").content.decode()
    assert second.count('class="entry-earn"') == 5


def test_member_cancels_own_redemption_on_their_page(client, people, earn, item):
    earn(people.wang, 3)
    r = services.redemption_create(
        member=people.wang, item=item(cost=30, stock=1), acting_user=None
    )
    client.force_login(people.li.user)  # someone else's redemption: forbidden
    assert client.post(f"/en/points/redemptions/{r.pk}/cancel/", {"reason": "x"}).status_code == 403
    client.force_login(people.wang.user)
    response = client.post(
        f"/en/points/redemptions/{r.pk}/cancel/", {"reason": "不需要了"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/en/points/me/"
    assert messages_of(response) == ["Redemption cancelled: 30 points were refunded."]
    assert selectors.points_balance(people.wang) == 30
    assert MallItem.objects.get().stock == 1


# --- the mall -------------------------------------------------------------------------------


def test_mall_lists_my_communitys_items_and_everyones(client, people, item, earn):
    earn(people.wang, 2)
    item("全区纪念品", cost=10)
    item("东湖雨伞", cost=30, community=people.wang.community)
    item("南山毛巾", cost=10, community=people.zhao.community)
    item("停用的", cost=10, active=False)
    client.force_login(people.wang.user)
    page = client.get("/en/points/mall/").content.decode()
    assert "全区纪念品" in page
    assert "东湖雨伞" in page
    assert "南山毛巾" not in page
    assert "停用的" not in page
    assert 'id="mall-balance">20<' in page
    assert "csrfmiddlewaretoken" in page
    assert "Not enough points yet." in page  # the 30-point umbrella


def test_redeem_from_the_mall(client, people, earn, item):
    earn(people.wang, 5)
    soap = item("洗衣液", cost=30, stock=1)
    client.force_login(people.wang.user)
    response = client.post(f"/en/points/mall/{soap.pk}/redeem/", follow=True)
    assert messages_of(response) == [
        "You redeemed “洗衣液” for 30 points; your balance is now 20. Collect it at the "
        "community office."
    ]
    assert MallItem.objects.get(pk=soap.pk).stock == 0
    page = response.content.decode()
    assert "Out of stock" in page
    # again: out of stock, nothing written
    response = client.post(f"/en/points/mall/{soap.pk}/redeem/", follow=True)
    assert messages_of(response) == ["“洗衣液” is out of stock."]
    assert Redemption.objects.count() == 1


def test_redeem_refusals_on_the_page(client, people, earn, item):
    earn(people.wang, 1)
    rice = item("大米", cost=30)
    old = item("旧款", cost=1, active=False)
    client.force_login(people.wang.user)
    response = client.post(f"/en/points/mall/{rice.pk}/redeem/", follow=True)
    assert messages_of(response) == ["Not enough points: 王芳 has 10 points and “大米” costs 30."]
    response = client.post(f"/en/points/mall/{old.pk}/redeem/", follow=True)
    assert messages_of(response) == ["“旧款” is no longer offered in the points mall."]
    assert Redemption.objects.count() == 0
    assert selectors.points_balance(people.wang) == 10


def test_redeem_needs_post_csrf_and_a_member(client, people, item):
    soap = item()
    client.force_login(people.wang.user)
    assert client.get(f"/points/mall/{soap.pk}/redeem/").status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people.wang.user)
    assert strict.post(f"/points/mall/{soap.pk}/redeem/").status_code == 403
    client.force_login(people.c1_staff)  # staff without a member record
    response = client.post(f"/en/points/mall/{soap.pk}/redeem/", follow=True)
    assert "not linked to a member" in messages_of(response)[0]
    assert Redemption.objects.count() == 0


def test_zh_hans_pages_render(client, people, earn, item):
    earn(people.wang, 2)
    item()
    client.force_login(people.wang.user)
    for url in ("/points/me/", "/points/mall/"):
        response = client.get(url)
        assert response.status_code == 200
        assert 'lang="zh-hans"' in response.content.decode()


# --- staff ----------------------------------------------------------------------------------


def test_staff_pages_are_for_staff_only(client, people):
    client.force_login(people.wang.user)
    for url in (
        "/points/staff/members/",
        "/points/staff/redemptions/",
        f"/points/staff/members/{people.li.pk}/",
    ):
        assert client.get(url).status_code == 403
    client.force_login(people.k1_leader)  # a grid leader reads hours, keeps no ledger
    hours = shows(client.get("/en/points/staff/members/"), "Members' hours", "王芳")
    assert "李强" not in hours  # B3 lies in compound K2, outside the leader's K1
    assert client.get(f"/points/staff/members/{people.wang.pk}/").status_code == 403


def test_keeper_records_an_adjustment(client, people, earn):
    earn(people.wang, 5)
    client.force_login(people.c1_staff)
    page = client.get(f"/en/points/staff/members/{people.wang.pk}/").content.decode()
    assert 'id="adjust-form"' in page
    assert "csrfmiddlewaretoken" in page
    response = client.post(
        f"/en/points/staff/members/{people.wang.pk}/adjust/",
        {"hours": "-1.5", "points": "-15", "reason": "签到重复，多记1.5小时", "occurred_on": ""},
        follow=True,
    )
    assert messages_of(response) == ["Adjustment recorded for 王芳."]
    entry = LedgerEntry.objects.get(kind="adjust")
    assert (entry.hours, entry.points, entry.created_by) == (Decimal("-1.5"), -15, people.c1_staff)
    assert "签到重复" in response.content.decode()
    # refused: no reason; nothing written
    response = client.post(
        f"/en/points/staff/members/{people.wang.pk}/adjust/",
        {"hours": "1", "points": "10", "reason": ""},
        follow=True,
    )
    assert messages_of(response) == ["Say why the ledger is being adjusted."]
    response = client.post(
        f"/en/points/staff/members/{people.wang.pk}/adjust/",
        {"hours": "abc", "points": "10", "reason": "x"},
        follow=True,
    )
    assert messages_of(response) == ["Hours must be a number, e.g. 1.5 or -2."]
    assert LedgerEntry.objects.filter(kind="adjust").count() == 1


def test_staff_of_another_community_cannot_adjust(client, people, earn):
    earn(people.wang, 5)
    client.force_login(people.c2_staff)
    assert client.get(f"/points/staff/members/{people.wang.pk}/").status_code == 404
    response = client.post(
        f"/points/staff/members/{people.wang.pk}/adjust/",
        {"hours": "10", "points": "100", "reason": "送分"},
    )
    assert response.status_code == 404
    assert LedgerEntry.objects.filter(kind="adjust").count() == 0
    # their own member is fine
    shows(client.get(f"/en/points/staff/members/{people.zhao.pk}/"), "赵敏: hours and points")


def test_hand_over_list_and_mark_handed_over(client, people, earn, item):
    earn(people.wang, 10)
    earn(people.zhao, 10)
    soap = item("洗衣液", cost=30)
    mine = services.redemption_create(member=people.wang, item=soap, acting_user=None)
    theirs = services.redemption_create(member=people.zhao, item=soap, acting_user=None)
    client.force_login(people.c1_staff)
    page = client.get("/en/points/staff/redemptions/").content.decode()
    assert f'id="redemption-{mine.pk}"' in page
    assert f'id="redemption-{theirs.pk}"' not in page
    # another community's redemption cannot be handed over from here
    assert client.post(f"/points/staff/redemptions/{theirs.pk}/hand-over/").status_code == 404
    response = client.post(f"/en/points/staff/redemptions/{mine.pk}/hand-over/", follow=True)
    assert messages_of(response) == ["“洗衣液” handed over to 王芳."]
    mine.refresh_from_db()
    assert mine.status == "handed_over"
    assert mine.handed_over_by == people.c1_staff
    page = response.content.decode()
    assert f'id="redemption-{mine.pk}"' not in page  # no longer waiting
    page = client.get("/en/points/staff/redemptions/?status=handed_over").content.decode()
    assert f'id="redemption-{mine.pk}"' in page
    # handing over twice says why
    response = client.post(f"/en/points/staff/redemptions/{mine.pk}/hand-over/", follow=True)
    assert "is handed over: only a redemption waiting" in messages_of(response)[0]


def test_keeper_cancels_from_the_staff_list(client, people, earn, item):
    earn(people.wang, 10)
    r = services.redemption_create(member=people.wang, item=item(cost=30), acting_user=None)
    client.force_login(people.c1_staff)
    response = client.post(
        f"/en/points/redemptions/{r.pk}/cancel/",
        {"reason": "物品缺货", "next": "staff"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/en/points/staff/redemptions/"
    assert selectors.points_balance(people.wang) == 100
    client.force_login(people.c2_staff)
    r2 = services.redemption_create(member=people.wang, item=item(cost=30), acting_user=None)
    assert client.post(f"/points/redemptions/{r2.pk}/cancel/", {"reason": "x"}).status_code == 403


@override_settings(GRIDGOV_YEARLY_HOURS_TARGET=48.0)
def test_members_list_shows_who_is_below_target(client, people, earn, make_user, tree):
    earn(people.wang, 50)
    earn(people.li, 3)
    client.force_login(people.c1_staff)
    page = client.get("/en/points/staff/members/").content.decode()
    assert "1 of 2 members are below the yearly target of 48 hours." in page
    assert page.index("李强") < page.index("王芳")  # fewest hours first
    assert page.count('class="below"') == 1
    assert page.count('class="reached"') == 1
    assert "赵敏" not in page
    page = client.get("/en/points/staff/members/?below=1").content.decode()
    assert "李强" in page
    assert "王芳" not in page
    # narrowed to compound K2 (李强's)
    page = client.get(f"/en/points/staff/members/?grid={tree.k2.code}").content.decode()
    assert "李强" in page
    assert "王芳" not in page
    # a grid outside the scope falls back to the user's own
    page = client.get(f"/en/points/staff/members/?grid={tree.c2.code}").content.decode()
    assert "赵敏" not in page
    assert "王芳" in page
    # a grid leader of K1 sees K1 only, without links to adjust
    client.force_login(people.k1_leader)
    page = client.get("/en/points/staff/members/").content.decode()
    assert "王芳" in page
    assert "李强" not in page
    assert f"/points/staff/members/{people.wang.pk}/" not in page


@pytest.mark.parametrize("url", ["/points/me/", "/points/mall/"])
def test_pages_fit_a_phone(client, people, url):
    """The pages load their stylesheet, which stacks tables on narrow screens."""
    client.force_login(people.wang.user)
    page = client.get(url).content.decode()
    assert "css/points.css" in page
    assert 'name="viewport"' in page
