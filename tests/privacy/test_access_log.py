"""Every look at residents' records is logged: who, when, which record or which list."""

from __future__ import annotations

import pytest

from gridgov.accounts.models import AuditEntry, StaffRole
from gridgov.people.services import resident_create
from tests.factories import HouseholdFactory
from tests.pages import shows
from tests.world import IN_B1


@pytest.fixture
def resident(tree, make_user):
    household = HouseholdFactory(address="东湖花园1栋302室", room="302", location=IN_B1)
    return resident_create(
        acting_user=None,
        household=household,
        name="陈秀英",
        gender="F",
        phone="13812345678",
        birth_year=1941,
    )


def test_opening_a_residents_record_in_the_admin_is_logged(client, tree, make_user, resident):
    staff = make_user(
        "c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1, is_staff=True, is_superuser=True
    )
    client.force_login(staff)
    shows(client.get(f"/en/admin/people/resident/{resident.pk}/change/"), "Change resident")
    seen = AuditEntry.objects.get(action="personal.view")
    assert (seen.actor, seen.object_type, seen.object_id) == (
        staff,
        "people.resident",
        str(resident.pk),
    )
    shows(client.get("/en/admin/people/resident/?q=陈"), "1 resident", resident.name)
    listed = AuditEntry.objects.get(action="personal.list")
    assert listed.actor == staff
    assert "q=" in listed.object_repr


def test_listing_residents_through_the_api_is_logged_and_refusals_are_not(
    client, tree, make_user, resident
):
    leader = make_user("leader", StaffRole.GRID_LEADER, tree.k1)
    client.force_login(leader)
    response = client.get("/api/v1/residents/")
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["results"]] == [resident.name]
    entry = AuditEntry.objects.get(action="personal.list")
    assert entry.actor == leader
    assert entry.object_type == "people.resident"
    builder = make_user("builder", StaffRole.BUILDING_LEADER, tree.b1)
    client.force_login(builder)
    assert client.get("/api/v1/residents/").status_code == 403
    assert AuditEntry.objects.filter(action="personal.list").count() == 1
