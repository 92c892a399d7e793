"""The pages as members and staff get them: claim, assign, record an action, the staff
lists, the three lists with confirm — and what each may see."""

from __future__ import annotations

import re

import pytest
from django.contrib.gis.geos import Point

from gridgov.cases import services as cases
from gridgov.cases.models import CaseCategory, Status
from gridgov.people.models import ReportStatus, Vulnerability
from gridgov.posts import services
from gridgov.posts.lists import services as list_services
from gridgov.posts.models import MemberResource, PostAction, PostClaim, ServiceListEntry
from tests.factories import HouseholdFactory, MemberFactory, ResidentFactory
from tests.posts.helpers import days_ago
from tests.world import IN_B3, IN_B4


@pytest.fixture
def posts(catalogue, tree, staff):
    return {
        "env": services.post_create(
            acting_user=staff.c1, kind=catalogue["environment"], grid=tree.k1, places=1
        ),
        "aid": services.post_create(
            acting_user=staff.c1, kind=catalogue["mutual_aid"], grid=tree.c1, places=3
        ),
        "south": services.post_create(
            acting_user=staff.c2, kind=catalogue["traffic_warden"], grid=tree.c2, places=2
        ),
    }


def test_pages_need_login(client, db):
    for url in ("/posts/", "/posts/mine/", "/posts/lists/", "/posts/overdue/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_member_sees_own_community_and_claims(client, posts, member_with_login):
    wang = member_with_login("wang", "王芳")
    client.force_login(wang.user)
    page = client.get("/en/posts/").content.decode()
    assert "环境维护岗" in page
    assert "邻里互助岗" in page
    assert "交通协管员" not in page
    assert f'action="/en/posts/{posts["env"].pk}/claim/"' in page
    assert 'action="/en/posts/assign/"' not in page  # no staff form for a member

    response = client.post(
        f"/en/posts/{posts['env'].pk}/claim/", {"next": "/en/posts/"}, follow=True
    )
    page = response.content.decode()
    assert "You now hold 环境维护岗 · 东湖花园." in page
    assert "You hold this post" in page
    assert "1 of 1 places taken" in page
    assert PostClaim.objects.filter(post=posts["env"], member=wang).count() == 1

    li = member_with_login("li", "李强")
    client.force_login(li.user)
    page = client.get("/en/posts/").content.decode()
    assert f'action="/en/posts/{posts["env"].pk}/claim/"' not in page  # full
    response = client.post(f"/en/posts/{posts['env'].pk}/claim/", follow=True)
    assert "All 1 places of 环境维护岗 · 东湖花园 are taken." in response.content.decode()
    # a post of another community is not even there
    assert client.post(f"/en/posts/{posts['south'].pk}/claim/").status_code == 404


def test_staff_assign_from_the_page(client, posts, staff):
    wang = MemberFactory(name="王芳")
    zhao = MemberFactory(name="赵敏", location=IN_B4)
    client.force_login(staff.c1)
    page = client.get("/en/posts/").content.decode()
    assert page.count('action="/en/posts/assign/"') == 1  # C1 only
    assert "王芳 · no post yet" in page
    assert "赵敏" not in page
    response = client.post(
        "/en/posts/assign/", {"post": posts["aid"].pk, "member": wang.pk}, follow=True
    )
    assert "王芳 now holds 邻里互助岗 · 东湖社区." in response.content.decode()
    claim = PostClaim.objects.get(member=wang)
    assert claim.assigned_by == staff.c1
    response = client.post(
        "/en/posts/assign/", {"post": posts["aid"].pk, "member": zhao.pk}, follow=True
    )
    assert "choose a member of its community" in response.content.decode()
    assert (
        client.post("/en/posts/assign/", {"post": posts["south"].pk, "member": wang.pk}).status_code
        == 404
    )
    assert client.post("/en/posts/assign/", {"post": "x"}).status_code == 404
    # the building leader looks, does not assign
    client.force_login(staff.leader)
    assert 'action="/en/posts/assign/"' not in client.get("/en/posts/").content.decode()


def test_mine_record_an_action_and_leave(client, posts, member_with_login, staff):
    wang = member_with_login("wang", "王芳")
    claim = services.post_assign(
        post=posts["aid"], member=wang, acting_user=staff.c1, since=days_ago(20)
    )
    client.force_login(wang.user)
    page = client.get("/en/posts/mine/").content.decode()
    assert "邻里互助岗" in page
    assert "overdue" in page
    assert "No action recorded yet" in page
    client.post(
        f"/en/posts/claims/{claim.pk}/act/",
        {"acted_on": days_ago(1).isoformat(), "note": "帮邻居修水管"},
    )
    page = client.get("/en/posts/mine/").content.decode()
    assert PostAction.objects.get(claim=claim).note == "帮邻居修水管"
    assert "badge overdue" not in page
    assert "days since: 1" in page
    response = client.post(f"/en/posts/claims/{claim.pk}/act/", {"note": ""}, follow=True)
    assert "say what was done." in response.content.decode()

    other = member_with_login("li", "李强")
    client.force_login(other.user)
    assert client.post(f"/en/posts/claims/{claim.pk}/act/", {"note": "冒名"}).status_code == 404
    client.force_login(wang.user)
    client.post(f"/en/posts/claims/{claim.pk}/release/")
    claim.refresh_from_db()
    assert claim.released_on == days_ago(0)
    assert "You hold no post yet" in client.get("/en/posts/mine/").content.decode()


def test_mine_resources(client, catalogue, categories, member_with_login):
    wang = member_with_login("wang", "王芳")
    client.force_login(wang.user)
    client.post(
        "/en/posts/resources/add/",
        {
            "category": categories["culture_sports"].pk,
            "skill": "书法",
            "available_time": "周六上午",
        },
    )
    resource = MemberResource.objects.get(member=wang)
    assert (resource.skill, resource.active) == ("书法", True)
    response = client.post("/en/posts/resources/add/", {"category": "", "skill": "x"}, follow=True)
    assert "Choose a service category." in response.content.decode()
    client.post(f"/en/posts/resources/{resource.pk}/toggle/")
    resource.refresh_from_db()
    assert resource.active is False
    assert "withdrawn" in client.get("/en/posts/mine/").content.decode()


def test_staff_lists_pages(client, posts, staff, member_with_login):
    holders = [MemberFactory(name=f"有岗{i}") for i in range(2)]
    idle = [MemberFactory(name=f"无岗{i}", location=IN_B3) for i in range(3)]
    MemberFactory(name="南山无岗", location=IN_B4)
    services.post_assign(
        post=posts["aid"], member=holders[0], acting_user=staff.c1, since=days_ago(30)
    )
    services.post_assign(
        post=posts["aid"], member=holders[1], acting_user=staff.c1, since=days_ago(3)
    )
    client.force_login(staff.c1)
    page = client.get("/en/posts/unclaimed/").content.decode()
    assert 'id="unclaimed-count">3<' in page
    assert all(m.name in page for m in idle)
    assert "南山无岗" not in page
    assert (
        'id="unclaimed-count">0<'
        in client.get("/en/posts/unclaimed/?grid=100001001").content.decode()
    )  # K1: the holders live there
    page = client.get("/en/posts/overdue/").content.decode()
    assert 'id="overdue-count">1<' in page
    assert "有岗0" in page
    assert "有岗1" not in page
    assert re.search(r'class="badge overdue days">30<', page)
    for user in (staff.leader, member_with_login("wang", "王芳").user):
        client.force_login(user)
        assert client.get("/en/posts/unclaimed/").status_code == 403
        assert client.get("/en/posts/overdue/").status_code == 403


@pytest.fixture
def needs(catalogue, categories, tree):
    near = MemberFactory(
        name="近邻",
        location=Point(113.1025, 23.002, srid=4326),
        report_status=ReportStatus.CONFIRMED,
    )
    list_services.resource_create(
        member=near, acting_user=None, category=categories["clean_home"], skill="清扫"
    )
    list_services.resource_create(
        member=near, acting_user=None, category=categories["neighbourly"], skill="陪伴"
    )
    case = cases.case_create(
        acting_user=None,
        category=CaseCategory.objects.get(code="sanitation"),
        channel="phone",
        title="楼下垃圾",
        requester_name="陈阿姨",
        requester_phone="13800001234",
        description="垃圾堆了三天没人清",
        address="东湖花园1栋301",
        location=Point(113.102, 23.002, srid=4326),
    )
    household = HouseholdFactory(
        address="东湖花园1栋502", location=Point(113.1022, 23.0021, srid=4326)
    )
    elder = ResidentFactory(household=household, name="孙奶奶", phone="13600009999")
    Vulnerability.objects.create(resident=elder, category="empty_nest", surveyed_year=2026)
    return near, case, elder


PERSONAL = (
    "陈阿姨",
    "13800001234",
    "东湖花园1栋301",
    "孙奶奶",
    "13600009999",
    "东湖花园1栋502",
    "empty-nest elderly",
)
# The request's title and description are its content: shown to whoever sees the need, as
# on the case page (docs/PRIVACY.md, "A request's requester").
CONTENT = ("楼下垃圾", "垃圾堆了三天没人清")


def test_lists_page_hides_personal_data_from_non_readers(client, needs, staff):
    near, case, elder = needs
    client.force_login(staff.c1)
    page = client.get("/en/posts/lists/").content.decode()
    assert all(text in page for text in PERSONAL + CONTENT)
    assert 'id="needs-count">2<' in page
    assert "近邻" in page
    assert page.count('action="/en/posts/lists/confirm/"') == 2

    client.force_login(staff.leader)
    page = client.get("/en/posts/lists/").content.decode()
    assert 'id="needs-count">2<' in page
    assert case.number in page
    assert "Surveyed resident" in page
    assert [text for text in PERSONAL if text in page] == []
    assert all(text in page for text in CONTENT)
    assert 'action="/en/posts/lists/confirm/"' not in page  # looks, does not confirm

    client.force_login(staff.c2)
    page = client.get("/en/posts/lists/").content.decode()
    assert 'id="needs-count">0<' in page
    assert case.number not in page


def test_confirm_from_the_lists_page(client, needs, staff, member_with_login):
    near, case, elder = needs
    client.force_login(staff.c1)
    response = client.post(
        "/en/posts/lists/confirm/",
        {
            "need": f"case:{case.pk}",
            "member": near.pk,
            "dispatch": "1",
            "next": "/en/posts/lists/?radius=500",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/en/posts/lists/?radius=500"
    assert "近邻 will serve this need." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.dispatched_to == near
    client.post(
        "/en/posts/lists/confirm/", {"need": f"resident:{elder.pk}:neighbourly", "member": near.pk}
    )
    entries = ServiceListEntry.objects.order_by("pk")
    assert [(e.case_id, e.resident_id, e.dispatched) for e in entries] == [
        (case.pk, None, True),
        (None, elder.pk, False),
    ]
    entry = entries[1]
    client.post(f"/en/posts/lists/entries/{entry.pk}/done/", {"done_on": days_ago(0).isoformat()})
    entry.refresh_from_db()
    assert entry.status == "done"
    assert client.post("/en/posts/lists/confirm/", {"need": "case:x"}).status_code == 404
    page = client.get("/en/posts/lists/?radius=abc").content.decode()
    assert "The radius must be a number of metres between 1 and 20000, not abc" in page
    # a member without a staff role has no lists page; the leader cannot confirm
    client.force_login(member_with_login("wang", "王芳").user)
    assert client.get("/en/posts/lists/").status_code == 403
    client.force_login(staff.leader)
    response = client.post(
        "/en/posts/lists/confirm/",
        {"need": f"resident:{elder.pk}:neighbourly", "member": near.pk},
        follow=True,
    )
    assert "Choose the member who will serve the need." in response.content.decode()


def test_chinese_first(client, posts, staff):
    client.force_login(staff.c1)
    page = client.get("/posts/").content.decode()
    assert 'lang="zh-hans"' in page
    assert "环境维护岗" in page
    assert "Service posts" in client.get("/en/posts/").content.decode()
