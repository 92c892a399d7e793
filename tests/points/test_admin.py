"""The admin: the ledger is view and add only (an added row is an adjustment with a
reason, scoped), mall items go through the services, redemptions are handed over by an
action."""

import pytest
from django.contrib.auth.models import Permission

from gridgov.accounts.models import AuditEntry
from gridgov.points import selectors, services
from gridgov.points.models import LedgerEntry, MallItem
from tests.pages import errors, shows


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password="x-Pass-2026!")


def staff_with(user, *codenames):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_ledger_add_is_an_adjustment_with_a_reason(client, root, people, earn):
    earn(people.wang, 2)
    client.force_login(root)
    shows(client.get("/en/admin/points/ledgerentry/add/"), "Add ledger entry")
    response = client.post(
        "/en/admin/points/ledgerentry/add/",
        {"member": people.wang.pk, "hours": "", "points": "-5", "occurred_on": "", "reason": ""},
    )
    # the form again: a reason is required
    assert "This field is required." in errors(response)
    assert list(response.context["adminform"].form.errors) == ["reason"]
    assert LedgerEntry.objects.count() == 1
    response = client.post(
        "/en/admin/points/ledgerentry/add/",
        {
            "member": people.wang.pk,
            "hours": "",
            "points": "-50",
            "occurred_on": "",
            "reason": "多记",
        },
    )
    assert "would leave a negative balance" in response.content.decode()
    response = client.post(
        "/en/admin/points/ledgerentry/add/",
        {
            "member": people.wang.pk,
            "hours": "0.5",
            "points": "5",
            "occurred_on": "",
            "reason": "补记签到",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LedgerEntry.objects.get(kind="adjust")
    assert (entry.points, entry.reason, entry.created_by) == (5, "补记签到", root)
    assert AuditEntry.objects.filter(action="ledger_adjust", object_id=str(entry.pk)).exists()
    assert selectors.points_balance(people.wang) == 25


def test_ledger_cannot_be_changed_or_deleted_in_the_admin(client, root, people, earn):
    entry = earn(people.wang, 2)
    client.force_login(root)
    page = client.get(f"/en/admin/points/ledgerentry/{entry.pk}/change/").content.decode()
    assert 'name="points"' not in page
    assert 'name="_save"' not in page
    response = client.post(
        f"/en/admin/points/ledgerentry/{entry.pk}/change/", {"points": "999", "reason": "x"}
    )
    assert response.status_code == 403
    assert client.get(f"/en/admin/points/ledgerentry/{entry.pk}/delete/").status_code == 403
    changelist = client.get("/en/admin/points/ledgerentry/").content.decode()
    assert "delete_selected" not in changelist
    assert LedgerEntry.objects.get(pk=entry.pk).points == 20


def test_ledger_admin_is_scoped(client, people, earn):
    earn(people.wang, 2)
    earn(people.zhao, 3)
    staff_with(people.c2_staff, "view_ledgerentry", "add_ledgerentry")
    client.force_login(people.c2_staff)
    page = client.get("/en/admin/points/ledgerentry/").content.decode()
    assert "赵敏" in page
    assert "王芳" not in page
    # an adjustment for a member outside their grids is refused on the form
    response = client.post(
        "/en/admin/points/ledgerentry/add/",
        {
            "member": people.wang.pk,
            "hours": "10",
            "points": "100",
            "occurred_on": "",
            "reason": "送分",
        },
    )
    assert response.status_code == 200
    assert "not among those in your grids" in response.content.decode()
    assert LedgerEntry.objects.filter(kind="adjust").count() == 0


def test_mall_item_admin_goes_through_the_services(client, root, people, tree):
    client.force_login(root)
    response = client.post(
        "/en/admin/points/mallitem/add/",
        {
            "name": "雨伞",
            "description": "",
            "points_cost": "40",
            "stock": "3",
            "active": "on",
            "community": tree.c1.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    umbrella = MallItem.objects.get()
    assert AuditEntry.objects.filter(action="mall_item_create").count() == 1
    page = client.get(f"/en/admin/points/mallitem/{umbrella.pk}/change/").content.decode()
    assert 'name="stock"' not in page
    assert 'name="restock"' in page
    response = client.post(
        f"/en/admin/points/mallitem/{umbrella.pk}/change/",
        {
            "name": "雨伞",
            "description": "",
            "points_cost": "45",
            "active": "on",
            "community": tree.c1.pk,
            "restock": "-2",
        },
    )
    assert response.status_code == 302
    umbrella.refresh_from_db()
    assert (umbrella.points_cost, umbrella.stock) == (45, 1)
    response = client.post(
        f"/en/admin/points/mallitem/{umbrella.pk}/change/",
        {
            "name": "雨伞",
            "description": "",
            "points_cost": "45",
            "active": "on",
            "community": tree.c1.pk,
            "restock": "-2",
        },
    )
    assert "Only 1 in stock." in response.content.decode()
    assert client.get(f"/en/admin/points/mallitem/{umbrella.pk}/delete/").status_code == 403


def test_mall_item_admin_scoped_to_the_keepers_community(client, people, tree):
    staff_with(people.c1_staff, "view_mallitem", "add_mallitem", "change_mallitem")
    client.force_login(people.c1_staff)
    response = client.post(
        "/en/admin/points/mallitem/add/",
        {
            "name": "南山的",
            "description": "",
            "points_cost": "10",
            "stock": "1",
            "active": "on",
            "community": tree.c2.pk,
        },
    )
    assert "Select a valid choice: that record is not among those in your grids." in errors(
        response
    )
    assert MallItem.objects.count() == 0
    response = client.post(
        "/en/admin/points/mallitem/add/",
        {
            "name": "全区的",
            "description": "",
            "points_cost": "10",
            "stock": "1",
            "active": "on",
            "community": "",
        },
    )
    assert "Choose a community in your grids." in errors(response)
    assert MallItem.objects.count() == 0
    response = client.post(
        "/en/admin/points/mallitem/add/",
        {
            "name": "东湖的",
            "description": "",
            "points_cost": "10",
            "stock": "1",
            "active": "on",
            "community": tree.c1.pk,
        },
    )
    assert response.status_code == 302
    theirs = services.mall_item_create(
        acting_user=None, name="南山毛巾", points_cost=5, stock=1, community=tree.c2
    )
    page = client.get("/en/admin/points/mallitem/").content.decode()
    assert "东湖的" in page
    assert "南山毛巾" not in page
    assert client.get(f"/en/admin/points/mallitem/{theirs.pk}/change/").status_code == 302


def test_redemption_admin_hands_over_by_action(client, people, earn, item):
    earn(people.wang, 10)
    earn(people.zhao, 10)
    soap = item(cost=30)
    mine = services.redemption_create(member=people.wang, item=soap, acting_user=None)
    theirs = services.redemption_create(member=people.zhao, item=soap, acting_user=None)
    staff_with(people.c1_staff, "view_redemption")
    client.force_login(people.c1_staff)
    page = client.get("/en/admin/points/redemption/").content.decode()
    assert "赵敏" not in page
    assert "王芳" in page
    assert "hand_over" in page
    response = client.post(
        "/en/admin/points/redemption/",
        {"action": "hand_over", "_selected_action": [mine.pk, theirs.pk]},
        follow=True,
    )
    shows(response, "1 redemption marked handed over.")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == "handed_over"
    assert theirs.status == "redeemed"
    assert client.get("/en/admin/points/redemption/add/").status_code == 403
