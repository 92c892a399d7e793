"""The admin: posts, claims and resources saved through their services (audited, refusals
as form errors), lists scoped by grid, the action log and service list read-only."""

from __future__ import annotations

import pytest

from gridgov.accounts.models import AuditEntry, StaffRole
from gridgov.posts import services
from gridgov.posts.models import MemberResource, PostClaim, ServicePost
from tests.factories import MemberFactory
from tests.pages import shows
from tests.world import IN_B4


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password="x-Pass-2026!")


@pytest.fixture
def secretary(staff):
    staff.c1.is_staff = True
    staff.c1.save()
    from django.contrib.auth.models import Permission

    staff.c1.user_permissions.set(Permission.objects.filter(content_type__app_label="posts"))
    return staff.c1


def test_add_a_post_through_the_service(client, root, catalogue, tree):
    client.force_login(root)
    shows(client.get("/en/admin/posts/servicepost/add/"), "Add service post")
    response = client.post(
        "/admin/posts/servicepost/add/",
        {
            "kind": catalogue["legal_advice"].pk,
            "grid": tree.k2.pk,
            "places": "2",
            "description": "每周三下午",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    post = ServicePost.objects.get()
    assert (post.community, post.grid_code, post.places) == (tree.c1, tree.k2.code, 2)
    assert AuditEntry.objects.filter(action="post.create", object_id=str(post.pk)).exists()
    # a second post of the kind in the grid is refused with the service's message
    response = client.post(
        "/en/admin/posts/servicepost/add/",
        {"kind": catalogue["legal_advice"].pk, "grid": tree.k2.pk, "places": "1"},
    )
    assert response.status_code == 200
    assert "西苑 already has a post of kind 法律法规咨询岗" in response.content.decode()
    # a building is not even offered
    response = client.post(
        "/en/admin/posts/servicepost/add/",
        {"kind": catalogue["mediation"].pk, "grid": tree.b1.pk, "places": "1"},
    )
    assert "Select a valid choice" in response.content.decode()
    assert ServicePost.objects.count() == 1
    assert AuditEntry.objects.filter(action__startswith="post.").count() == 1


def test_change_places_never_below_holders(client, root, catalogue, tree):
    post = services.post_create(
        acting_user=None, kind=catalogue["vanguard"], grid=tree.c1, places=2
    )
    for name in ("甲", "乙"):
        services.post_assign(post=post, member=MemberFactory(name=name), acting_user=None)
    client.force_login(root)
    page = client.get(f"/admin/posts/servicepost/{post.pk}/change/").content.decode()
    assert "甲" in page
    assert "乙" in page
    response = client.post(
        f"/en/admin/posts/servicepost/{post.pk}/change/",
        {
            "places": "1",
            "description": "",
            "active": "on",
            "claims-TOTAL_FORMS": "2",
            "claims-INITIAL_FORMS": "2",
        },
    )
    assert response.status_code == 200
    assert "has 2 holders: places cannot go below 2." in response.content.decode()
    post.refresh_from_db()
    assert post.places == 2


def test_assign_in_the_admin_and_over_claim_refused(client, root, catalogue, tree):
    post = services.post_create(
        acting_user=None, kind=catalogue["vanguard"], grid=tree.c1, places=1
    )
    a, b = MemberFactory(name="甲"), MemberFactory(name="乙")
    client.force_login(root)
    response = client.post(
        "/admin/posts/postclaim/add/", {"post": post.pk, "member": a.pk, "since": "2026-01-05"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = PostClaim.objects.get()
    assert claim.assigned_by.username == "root"
    assert str(claim.since) == "2026-01-05"
    response = client.post(
        "/en/admin/posts/postclaim/add/", {"post": post.pk, "member": b.pk, "since": "2026-01-05"}
    )
    assert response.status_code == 200
    assert "All 1 places of 党员先锋岗 · 东湖社区 are taken." in response.content.decode()
    assert PostClaim.objects.count() == 1


def test_admin_lists_are_scoped(client, secretary, catalogue, tree, staff):
    mine = services.post_create(acting_user=None, kind=catalogue["vanguard"], grid=tree.c1)
    services.post_create(acting_user=None, kind=catalogue["traffic_warden"], grid=tree.c2)
    MemberResource.objects.create(
        member=MemberFactory(name="东湖人"), category=catalogue["vanguard"].category, skill="修电脑"
    )
    MemberResource.objects.create(
        member=MemberFactory(name="南山人", location=IN_B4),
        category=catalogue["vanguard"].category,
        skill="理发",
    )
    client.force_login(secretary)
    page = client.get("/admin/posts/servicepost/").content.decode()
    assert f"/admin/posts/servicepost/{mine.pk}/change/" in page
    assert "交通协管员" not in page
    page = client.get("/admin/posts/memberresource/").content.decode()
    assert "东湖人" in page
    assert "南山人" not in page
    # the add form offers only grids the secretary manages
    page = client.get("/admin/posts/servicepost/add/").content.decode()
    assert tree.k1.name in page
    assert "南山小区" not in page
    # the action log and the service list cannot be written here
    assert client.get("/admin/posts/postaction/add/").status_code == 403
    assert client.get("/admin/posts/servicelistentry/add/").status_code == 403


def test_resource_saved_through_the_service(client, root, categories):
    member = MemberFactory(name="甲")
    client.force_login(root)
    response = client.post(
        "/admin/posts/memberresource/add/",
        {
            "member": member.pk,
            "category": categories["safety"].pk,
            "skill": "  巡逻 ",
            "available_time": "晚上",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    resource = MemberResource.objects.get()
    assert resource.skill == "巡逻"
    assert AuditEntry.objects.filter(action="resource.create").count() == 1
    response = client.post(
        f"/admin/posts/memberresource/{resource.pk}/change/",
        {"category": categories["safety"].pk, "skill": "巡逻", "available_time": "晚上"},
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.active is False
    assert AuditEntry.objects.filter(action="resource.update").count() == 1


def test_staff_role_member_cannot_see_other_grids(client, make_user, catalogue, tree):
    user = make_user("k3lead", StaffRole.GRID_LEADER, tree.k3, is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.set(Permission.objects.filter(content_type__app_label="posts"))
    services.post_create(acting_user=None, kind=catalogue["vanguard"], grid=tree.c1)
    client.force_login(user)
    page = client.get("/admin/posts/servicepost/").content.decode()
    assert "党员先锋岗" not in page
