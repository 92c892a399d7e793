"""Every selector that returns people scopes by the acting user's grid subtree and role."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.contrib.gis.geos import Point

from gridgov.people.selectors import (
    households_visible_to,
    members_visible_to,
    residents_visible_to,
)
from tests.factories import MemberFactory, ResidentFactory
from tests.pages import messages


@pytest.fixture
def people(tree):
    """One member and one resident in each of B1 (K1, C1), B3 (K2, C1) and B4 (K3, C2),
    and one member outside every grid nearest to B4."""
    spots = {
        "b1": (113.102, 23.002),
        "b3": (113.107, 23.003),
        "b4": (113.113, 23.003),
        "far": (113.124, 23.003),
    }
    members = {
        k: MemberFactory(name=f"m-{k}", location=Point(*xy, srid=4326)) for k, xy in spots.items()
    }
    residents = {
        k: ResidentFactory(name=f"r-{k}", household__location=Point(*xy, srid=4326))
        for k, xy in spots.items()
        if k != "far"
    }
    return members, residents


def names(qs):
    return sorted(qs.values_list("name", flat=True))


def test_street_admin_sees_everyone_under_the_street_prefix(people, make_user):
    user = make_user("street", "street_admin", scope="1000")
    assert names(members_visible_to(user)) == ["m-b1", "m-b3", "m-b4", "m-far"]
    assert names(residents_visible_to(user)) == ["r-b1", "r-b3", "r-b4"]


def test_street_admin_of_another_street_sees_nobody(people, make_user):
    user = make_user("other", "street_admin", scope="2000")
    assert names(members_visible_to(user)) == []
    assert names(residents_visible_to(user)) == []


def test_community_secretary_sees_their_community_only(people, make_user, tree):
    user = make_user("sec", "community_secretary", grid=tree.c1)
    assert names(members_visible_to(user)) == ["m-b1", "m-b3"]
    assert names(residents_visible_to(user)) == ["r-b1", "r-b3"]
    assert households_visible_to(user).count() == 2


def test_grid_leader_sees_their_compound_and_below_only(people, make_user, tree):
    user = make_user("lead", "grid_leader", grid=tree.k1)
    assert names(members_visible_to(user)) == ["m-b1"]
    assert names(residents_visible_to(user)) == ["r-b1"]


def test_unlocated_person_is_seen_by_the_staff_of_their_nearest_building(people, make_user, tree):
    user = make_user("lead4", "grid_leader", grid=tree.k3)
    assert names(members_visible_to(user)) == ["m-b4", "m-far"]


def test_building_leader_sees_members_but_no_resident_data(people, make_user, tree):
    user = make_user("bl", "building_leader", grid=tree.b1)
    assert names(members_visible_to(user)) == ["m-b1"]
    assert names(residents_visible_to(user)) == []


def test_two_assignments_add_up(people, make_user, tree):
    user = make_user("two", "grid_leader", grid=tree.k2)
    from gridgov.accounts.models import Assignment

    Assignment.objects.create(user=user, role="grid_leader", grid=tree.k3, scope_code=tree.k3.code)
    assert names(members_visible_to(user)) == ["m-b3", "m-b4", "m-far"]


def test_anonymous_and_unassigned_users_see_nothing(people):
    assert names(members_visible_to(AnonymousUser())) == []
    nobody = get_user_model().objects.create_user("nobody", password="x-Pass-2026!")
    assert names(members_visible_to(nobody)) == []
    assert names(residents_visible_to(nobody)) == []


def test_admin_member_list_is_scoped_for_staff(people, make_user, tree, client):
    user = make_user("adminlead", "grid_leader", grid=tree.k1, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_member"))
    client.force_login(user)
    page = client.get("/admin/people/member/").content.decode()
    assert "m-b1" in page
    assert "m-b3" not in page
    assert "m-b4" not in page
    assert "m-far" not in page
    other = people[0]["b4"]
    refused = client.get(f"/en/admin/people/member/{other.pk}/change/", follow=True)
    assert refused.redirect_chain == [("/en/admin/", 302)]
    assert f"Party member with ID “{other.pk}” doesn’t exist. Perhaps it was deleted?" in messages(
        refused
    )
