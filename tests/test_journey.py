"""Issue 4 end to end, through the pages a person uses (English pages under /en/): a party
member registers online with the home community, the community secretary confirms it, the
member claims a service post, signs up for an activity, checks in with the organiser's code,
the organiser confirms the hours, the member sees them on their points page and spends points
in the mall; the quarterly report then counts that member's hours, activity and post."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from gridgov.people.models import Member, ReportStatus
from gridgov.points import selectors as points_selectors
from gridgov.points.models import LedgerEntry, MallItem, Redemption
from gridgov.points.services import mall_item_create
from gridgov.posts import services as posts_services
from gridgov.posts.models import PostClaim
from gridgov.service.models import Activity, ServiceCategory, SignUp

pytestmark = pytest.mark.usefixtures("english", "fresh_cache")

PLACE = (113.102, 23.006)  # open ground in compound K1 of community C1


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@dataclass
class Journey:
    member: object
    member_client: Client
    staff: Client
    post: object
    activity: Activity
    signup: SignUp
    item: MallItem
    report_rows: dict


def walk(reporting, register_member, tree, post_kinds) -> Journey:
    """The whole sequence, asserting at each step what the person sees."""
    # 1. The member registers online with a tap on the map in building B1.
    response, member_client = register_member()
    assert response.redirect_chain[-1][0] == "/en/reporting/me/"
    page = response.content.decode()
    assert 'id="report-status">registered, awaiting confirmation<' in page
    assert "东湖社区 · 东湖花园 · 1栋" in page
    member = Member.objects.get(user__username="wangfang")
    assert member.report_status == ReportStatus.REGISTERED
    assert (member.community, member.compound, member.building) == (tree.c1, tree.k1, tree.b1)

    # 2. The community secretary sees it waiting and confirms it.
    staff = signed_in(reporting.c1sec)
    pending = staff.get("/en/reporting/pending/").content.decode()
    assert 'id="pending-count">1<' in pending
    assert "王芳" in pending
    assert f'action="/en/reporting/members/{member.pk}/confirm/"' in pending
    response = staff.post(f"/en/reporting/members/{member.pk}/confirm/", follow=True)
    assert response.status_code == 200
    assert "王芳&#x27;s reporting is confirmed." in response.content.decode()
    member.refresh_from_db()
    assert member.report_status == ReportStatus.CONFIRMED
    assert member.reported_on == timezone.localdate()
    mine = member_client.get("/en/reporting/me/").content.decode()
    assert 'id="report-status">reported and confirmed<' in mine

    # 3. The community has a service post in compound K1; the member claims it.
    post = posts_services.post_create(
        acting_user=reporting.c1sec, kind=post_kinds["environment"], grid=tree.k1, places=1
    )
    listing = member_client.get("/en/posts/").content.decode()
    assert "环境维护岗" in listing
    assert f'action="/en/posts/{post.pk}/claim/"' in listing
    response = member_client.post(
        f"/en/posts/{post.pk}/claim/", {"next": "/en/posts/"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/en/posts/"
    assert "You now hold 环境维护岗 · 东湖花园." in page
    assert "You hold this post" in page
    assert "1 of 1 places taken" in page
    claim = PostClaim.objects.get(post=post)
    assert claim.member == member
    assert claim.released_on is None
    assert "环境维护岗" in member_client.get("/en/posts/mine/").content.decode()

    # 4. The secretary publishes an activity of the community (tomorrow, two hours) on the
    #    page; the member signs up.
    start = timezone.localtime() + dt.timedelta(days=1)
    clean = ServiceCategory.objects.get(code="clean_home")
    response = staff.post(
        "/en/service/activities/new/",
        {
            "organiser_grid": tree.c1.pk,
            "title": "楼道清洁日",
            "category": clean.pk,
            "description": "一起清理楼道",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "5",
            "address": "东湖花园广场",
            "lon": str(PLACE[0]),
            "lat": str(PLACE[1]),
            "crs": "wgs84",
        },
    )
    activity = Activity.objects.get(title="楼道清洁日")
    url = f"/en/service/activities/{activity.pk}/"
    assert response.status_code == 302
    assert response["Location"].endswith(url[3:])
    assert activity.organiser_grid == tree.c1

    listing = member_client.get("/en/service/activities/").content.decode()
    assert "楼道清洁日" in listing
    assert "5 of 5 places left" in listing
    detail = member_client.get(url).content.decode()
    assert activity.checkin_code not in detail  # the code is the organisers' only
    response = member_client.post(url + "signup/", follow=True)
    assert "You have signed up." in messages_of(response)
    assert "1 of 5 taken" in response.content.decode()
    signup = SignUp.objects.get(activity=activity)
    assert signup.member == member
    assert signup.checked_in_at is None
    assert "Check-in opens at" in member_client.get(url).content.decode()

    # 5. Time passes: the activity started ten minutes ago. The organiser reads the code
    #    off their page and tells it; the member checks in with it.
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=10),
        ends_at=timezone.now() + dt.timedelta(minutes=110),
    )
    activity.refresh_from_db()
    organiser_page = staff.get(url).content.decode()
    code = re.search(r'id="checkin-code">([^<]+)<', organiser_page).group(1)
    assert code == activity.checkin_code
    response = member_client.post(url + "checkin-code/", {"code": code}, follow=True)
    assert "You are checked in." in messages_of(response)
    assert 'id="checked-in"' in response.content.decode()
    signup.refresh_from_db()
    assert signup.checked_in_at is not None
    assert signup.checkin_method == "code"

    # 6. The organiser confirms two hours on the manage page.
    manage = staff.get(url + "manage/").content.decode()
    hours_url = f"/en/service/signups/{signup.pk}/hours/"
    assert "王芳" in manage
    assert f'action="{hours_url}"' in manage
    response = staff.post(hours_url, {"hours": "2"}, follow=True)
    assert "Hours recorded." in messages_of(response)
    signup.refresh_from_db()
    assert signup.hours == Decimal("2")
    assert signup.hours_confirmed_by == reporting.c1sec
    entry = LedgerEntry.objects.get(source=f"service.signup:{signup.pk}")
    assert (entry.member, entry.hours, entry.points, entry.kind) == (
        member,
        Decimal("2"),
        20,
        "earn",
    )  # 10 points an hour

    # 7. The member sees the hours and points on their page.
    page = member_client.get("/en/points/me/").content.decode()
    assert "王芳: hours and points" in page
    assert "46 hours to go to the yearly target of 48." in page
    assert "2 hours in all." in page
    assert '<span class="num">20</span>' in page  # the balance
    assert "楼道清洁日" in page
    assert page.count('class="entry-earn"') == 1
    assert points_selectors.points_balance(member) == 20

    # 8. The community stocks the mall; the member redeems an item.
    item = mall_item_create(
        acting_user=reporting.c1sec, name="洗衣液", points_cost=15, stock=3, community=tree.c1
    )
    mall = member_client.get("/en/points/mall/").content.decode()
    assert "洗衣液" in mall
    assert 'id="mall-balance">20<' in mall
    response = member_client.post(f"/en/points/mall/{item.pk}/redeem/", follow=True)
    assert response.status_code == 200
    assert messages_of(response) == [
        "You redeemed “洗衣液” for 15 points; your balance is now 5. Collect it at the "
        "community office."
    ]
    item.refresh_from_db()
    assert item.stock == 2
    assert points_selectors.points_balance(member) == 5
    redemption = Redemption.objects.get()
    assert (redemption.member, redemption.item) == (member, item)
    page = member_client.get("/en/points/me/").content.decode()
    assert '<span class="num">5</span>' in page
    assert "洗衣液" in page
    assert "2 hours in all." in page  # spending points leaves the hours

    # 9. The quarterly report of the quarter the activity was in.
    day = entry.occurred_on
    q = f"year={day.year}&quarter={(day.month - 1) // 3 + 1}"
    html = staff.get(f"/en/reports/?{q}")
    assert html.status_code == 200
    assert "王芳" in html.content.decode()
    response = staff.get(f"/en/reports/quarterly.csv?{q}&table=members")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    return Journey(
        member=member,
        member_client=member_client,
        staff=staff,
        post=post,
        activity=activity,
        signup=signup,
        item=item,
        report_rows=rows,
    )


def test_member_journey_from_registration_to_report(
    reporting,
    register,
    tree,
    post_kinds,
):
    journey = walk(reporting, register, tree, post_kinds)
    row = journey.report_rows["王芳"]
    assert (row["community"], row["grid_code"], row["unit"]) == (
        "东湖社区",
        "100001001001",
        "区税务局",
    )
    assert (row["hours"], row["activities"], row["self_organised"]) == ("2.0", "1", "0")


def test_the_quarterly_report_counts_the_post_the_member_holds(
    reporting,
    register,
    tree,
    post_kinds,
):
    journey = walk(reporting, register, tree, post_kinds)
    assert journey.report_rows["王芳"]["posts"] == "1"
