"""The admin: scoped, writes through the services (checked and audited), state read-only."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from gridgov.accounts.models import AuditEntry
from gridgov.points.models import LedgerEntry
from gridgov.service import services
from gridgov.service.models import Activity, ServiceCategory, SignUp
from tests.pages import shows
from tests.service.helpers import PLACE, shift, upload


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password="x-Pass-2026!")


def add_data(tree, service_categories, **extra):
    start = timezone.localtime() + dt.timedelta(days=2)
    data = {
        "organiser_grid": tree.k1.pk,
        "title": "垃圾分类宣传",
        "category": service_categories["co_governance"].pk,
        "description": "",
        "address": "",
        "location": f'{{"type": "Point", "coordinates": [{PLACE.x}, {PLACE.y}]}}',
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M"),
        "ends_at_0": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%d"),
        "ends_at_1": (start + dt.timedelta(hours=1)).strftime("%H:%M"),
        "capacity": "8",
    }
    data.update(extra)
    return data


def test_admin_add_goes_through_activity_publish(client, root, tree, service_categories):
    client.force_login(root)
    shows(client.get("/en/admin/service/activity/add/"), "Add activity")
    response = client.post("/admin/service/activity/add/", add_data(tree, service_categories))
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get()
    assert activity.compound == tree.k1
    assert len(activity.checkin_code) == 6
    assert (
        AuditEntry.objects.filter(action="activity.publish", object_id=str(activity.pk)).count()
        == 1
    )


def test_admin_add_outside_the_grid_is_a_form_error(client, root, tree, service_categories):
    client.force_login(root)
    response = client.post(
        "/en/admin/service/activity/add/",
        add_data(
            tree, service_categories, location='{"type": "Point", "coordinates": [113.113, 23.003]}'
        ),
    )
    assert response.status_code == 200
    assert "lies outside 东湖花园 (100001001), the organising grid" in response.content.decode()
    assert not Activity.objects.exists()
    assert not AuditEntry.objects.filter(action="activity.publish").exists()


def test_admin_change_goes_through_activity_update(client, root, publish):
    activity = publish(capacity=3)
    client.force_login(root)
    page = client.get(f"/admin/service/activity/{activity.pk}/change/").content.decode()
    assert 'name="places_taken"' not in page
    assert activity.checkin_code not in page
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    response = client.post(
        f"/admin/service/activity/{activity.pk}/change/",
        {
            "title": activity.title,
            "category": activity.category_id,
            "description": "",
            "address": activity.address,
            "location": f'{{"type": "Point", "coordinates": [{PLACE.x}, {PLACE.y}]}}',
            "starts_at_0": start.strftime("%Y-%m-%d"),
            "starts_at_1": start.strftime("%H:%M:%S"),
            "ends_at_0": end.strftime("%Y-%m-%d"),
            "ends_at_1": end.strftime("%H:%M:%S"),
            "capacity": "12",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Activity.objects.get(pk=activity.pk).capacity == 12
    assert AuditEntry.objects.filter(action="activity.update").count() == 1


def test_admin_lists_are_scoped(client, publish, people, tree):
    mine = publish(title="东湖的活动")
    other = publish(
        title="南山的活动", grid=tree.c2, by=people.c2_staff, location=tree.b4.geom.centroid
    )
    staff = people.k1_staff
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_activity", "view_signup", "view_selfservice"]
        )
    )
    client.force_login(staff)
    page = client.get("/admin/service/activity/").content.decode()
    assert mine.title in page
    assert other.title not in page
    assert client.get(f"/admin/service/activity/{other.pk}/change/").status_code == 302


def test_admin_action_confirms_hours_through_the_service(client, root, publish, people):
    activity = publish()
    signup = services.signup_create(activity=activity, member=people.wang, acting_user=None)
    shift(activity, started=dt.timedelta(minutes=10))
    services.signup_checkin_by_organiser(signup=signup, acting_user=None)
    client.force_login(root)
    shows(client.get("/en/admin/service/signup/"), "1 sign-up", "王芳")
    client.post(
        "/admin/service/signup/", {"action": "confirm_full_hours", "_selected_action": [signup.pk]}
    )
    assert SignUp.objects.get(pk=signup.pk).hours == activity.length_hours
    assert LedgerEntry.objects.filter(source=f"service.signup:{signup.pk}").count() == 1
    client.post(
        "/admin/service/signup/", {"action": "confirm_full_hours", "_selected_action": [signup.pk]}
    )
    assert LedgerEntry.objects.count() == 1


def test_admin_self_service_confirm_action_and_read_only(client, root, people, service_categories):
    record = services.selfservice_submit(
        member=people.wang,
        acting_user=None,
        description="捡拾垃圾",
        served_on=timezone.localdate(),
        hours="1",
        category=service_categories["clean_home"],
        photo=upload(),
    )
    client.force_login(root)
    page = client.get(f"/admin/service/selfservice/{record.pk}/change/").content.decode()
    assert 'name="hours"' not in page
    client.post(
        "/admin/service/selfservice/",
        {"action": "confirm_self_service", "_selected_action": [record.pk]},
    )
    assert LedgerEntry.objects.filter(source=f"service.selfservice:{record.pk}").exists()


def test_admin_category_changes_are_audited(client, root, service_categories):
    client.force_login(root)
    category = service_categories["epidemic"]
    response = client.post(
        f"/admin/service/servicecategory/{category.pk}/change/",
        {"code": "epidemic", "name": category.name},
    )  # active off
    assert response.status_code == 302
    assert ServiceCategory.objects.get(pk=category.pk).active is False
    assert AuditEntry.objects.filter(
        action="admin.change", object_type="service.servicecategory"
    ).exists()
