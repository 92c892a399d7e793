"""The admin: scoped, new cases saved through case_create, the state machine read-only."""

import pytest

from gridgov.accounts.models import AuditEntry
from gridgov.cases.models import Case, CaseEvent
from tests.pages import shows
from tests.world import IN_B4


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password="x-Pass-2026!")


def test_admin_add_goes_through_case_create(client, root, case_categories, tree):
    client.force_login(root)
    shows(client.get("/en/admin/cases/case/add/"), "Add case")
    response = client.post(
        "/admin/cases/case/add/",
        {
            "category": case_categories["sanitation"].pk,
            "channel": "window",
            "title": "绿化带垃圾",
            "requester_name": "钱先生",
            "requester_phone": "",
            "description": "",
            "address": "",
            "location": '{"type": "Point", "coordinates": [113.102, 23.002]}',
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    assert case.building == tree.b1
    assert case.number.endswith("-000001")
    assert CaseEvent.objects.filter(case=case, action="created").count() == 1
    assert AuditEntry.objects.filter(action="case.created", object_id=str(case.pk)).exists()


def test_admin_change_page_keeps_state_read_only(client, root, new_case):
    case = new_case()
    client.force_login(root)
    page = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert 'name="status"' not in page
    assert 'name="taken_by"' not in page
    assert 'name="title"' in page
    shows(client.get("/en/admin/cases/case/"), "Select case to change", case.title)


def test_admin_list_is_scoped(client, new_case, people):
    mine, other = new_case(title="东湖的事"), new_case(title="南山的事", location=IN_B4)
    people.c1_staff.is_staff = True
    people.c1_staff.save()
    from django.contrib.auth.models import Permission

    people.c1_staff.user_permissions.add(Permission.objects.get(codename="view_case"))
    client.force_login(people.c1_staff)
    page = client.get("/admin/cases/case/").content.decode()
    assert mine.number in page
    assert other.number not in page


def test_admin_edit_of_details_goes_through_case_update(client, root, new_case):
    case = new_case()
    client.force_login(root)
    response = client.post(
        f"/admin/cases/case/{case.pk}/change/",
        {
            "channel": case.channel,
            "title": "楼道灯不亮（三楼）",
            "requester_name": "陈阿姨",
            "requester_phone": case.requester_phone,
            "description": case.description,
            "address": "",
            "requester_user": case.requester_user_id or "",
            "events-TOTAL_FORMS": "1",
            "events-INITIAL_FORMS": "1",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "1000",
            "events-0-id": case.events.get().pk,
            "events-0-case": case.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.title == "楼道灯不亮（三楼）"
    assert case.status == "new"
    assert list(case.events.values_list("action", flat=True)) == ["created", "edited"]


def test_admin_add_outside_every_community_is_a_form_error(client, root, case_categories, tree):
    client.force_login(root)
    response = client.post(
        "/en/admin/cases/case/add/",
        {
            "category": case_categories["sanitation"].pk,
            "channel": "window",
            "title": "远处",
            "requester_name": "钱先生",
            "location": '{"type": "Point", "coordinates": [113.3, 23.2]}',
        },
    )
    assert response.status_code == 200
    assert "lies outside every community" in response.content.decode()
    assert not Case.objects.exists()
