"""The admin's grid scope, finding by finding (issue 16, item 2): staff of community A (C1 of
tests/conftest.py's tree) or of compound K1, with the change permissions the demo gives its
staff, against records of community B (C2) or of the sibling compound K2. Each answer is what
a user would notice: the other grid's name unchanged, the form refusing the id, the page not
naming the other grid's person, one audit row per bulk-deleted record."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.gis.geos import Point
from django.utils import timezone

from gridgov.accounts.models import AuditEntry, StaffRole
from gridgov.grids.models import Grid, GridRole
from gridgov.people.models import Resident, Vulnerability
from tests.factories import HouseholdFactory, MemberFactory, ResidentFactory
from tests.pages import messages, shows

IN_A = Point(113.102, 23.002, srid=4326)  # building B1 (K1, C1)
IN_B = Point(113.113, 23.003, srid=4326)  # building B4 (K3, C2)
# The demo's "community staff" group (gridgov/demo/builder.py), with add and delete too.
DEMO_PERMS = r"^(view|change|add|delete)_(member|household|resident|vulnerability|grid|gridrole)$"


def staff(make_user, role, grid):
    user = make_user(f"u_{role}", role, grid, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["grids", "people"], codename__regex=DEMO_PERMS
        )
    )
    return user


@pytest.fixture
def secretary(make_user, tree, client):
    user = staff(make_user, StaffRole.COMMUNITY_SECRETARY, tree.c1)
    client.force_login(user)
    return user


def not_theirs(response, model: str, pk: int) -> None:
    """The admin answers as for a record that does not exist: back to its index, saying so
    (nothing tells the user the record is there, in another grid)."""
    assert response.redirect_chain == [("/en/admin/", 302)]
    assert f"{model} with ID “{pk}” doesn’t exist. Perhaps it was deleted?" in messages(response)


def grid_form(grid, **changes) -> dict:
    data = {
        "level": grid.level,
        "parent": grid.parent_id or "",
        "code": grid.code,
        "name": grid.name,
        "kind": grid.kind,
        "geom": grid.geom.geojson,
    }
    return {**data, **changes}


def test_a_secretary_cannot_rename_or_redraw_another_community(client, tree, secretary):
    url = f"/en/admin/grids/grid/{tree.c2.pk}/change/"
    not_theirs(client.get(url, follow=True), "Grid", tree.c2.pk)
    response = client.post(url, grid_form(tree.c2, name="被改名", code="100009"), follow=True)
    not_theirs(response, "Grid", tree.c2.pk)
    assert Grid.objects.get(pk=tree.c2.pk).name == "南山社区"
    assert not Grid.objects.filter(code="100009").exists()
    # Their own community's compound may still be renamed (the scope, not a ban).
    response = client.post(
        f"/en/admin/grids/grid/{tree.k1.pk}/change/", grid_form(tree.k1, name="东湖花园（新）")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Grid.objects.get(pk=tree.k1.pk).name == "东湖花园（新）"


def test_a_secretary_cannot_move_a_grid_under_another_community(client, tree, secretary):
    response = client.post(
        f"/en/admin/grids/grid/{tree.k2.pk}/change/", grid_form(tree.k2, parent=tree.c2.pk)
    )
    assert response.status_code == 200
    assert "not among those in your grids" in response.content.decode()
    assert Grid.objects.get(pk=tree.k2.pk).parent_id == tree.c1.pk


def test_a_grid_leader_cannot_rename_a_sibling_compound(client, make_user, tree):
    leader = staff(make_user, StaffRole.GRID_LEADER, tree.k1)
    client.force_login(leader)
    response = client.post(
        f"/en/admin/grids/grid/{tree.k2.pk}/change/", grid_form(tree.k2, name="被改名")
    )
    # a grid leader plans nothing: the site's refusal, whatever the grid
    shows(response, "Your role does not let you open this page", status=403)
    assert Grid.objects.get(pk=tree.k2.pk).name == "西苑"
    assert "西苑" not in client.get("/en/admin/grids/grid/").content.decode()


def test_a_secretary_cannot_make_a_member_the_leader_of_another_communitys_building(
    client, tree, secretary
):
    member = MemberFactory(name="东湖党员", location=IN_A)
    since = timezone.localdate().isoformat()
    response = client.post(
        "/en/admin/grids/gridrole/add/",
        {"grid": tree.b4.pk, "member": member.pk, "role": "building_leader", "since": since},
    )
    assert response.status_code == 200
    assert "not among those in your grids" in response.content.decode()
    assert not GridRole.objects.filter(grid=tree.b4).exists()
    # nor change a role held over there
    theirs = GridRole.objects.create(
        grid=tree.b4,
        member=MemberFactory(location=IN_B),
        role="building_leader",
        since=timezone.localdate(),
    )
    response = client.post(
        f"/en/admin/grids/gridrole/{theirs.pk}/change/",
        {"grid": tree.b4.pk, "member": member.pk, "role": "building_leader", "since": since},
        follow=True,
    )
    not_theirs(response, "Grid role", theirs.pk)
    assert GridRole.objects.get(pk=theirs.pk).member_id != member.pk


def test_a_resident_cannot_be_moved_into_another_communitys_household(client, tree, secretary):
    resident = ResidentFactory(household=HouseholdFactory(location=IN_A), name="东湖居民")
    theirs = HouseholdFactory(location=IN_B, address="南山小区1栋101")
    response = client.post(
        f"/en/admin/people/resident/{resident.pk}/change/",
        {
            "household": theirs.pk,
            "name": resident.name,
            "gender": resident.gender,
            "birth_year": resident.birth_year or "",
            "phone": resident.phone,
            "is_head": "on" if resident.is_head else "",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "not among those in your grids" in page
    assert "南山小区1栋101" not in page  # the refused id is not labelled with its address
    assert Resident.objects.get(pk=resident.pk).household_id == resident.household_id


def test_a_vulnerability_cannot_point_at_another_communitys_resident(client, tree, secretary):
    theirs = ResidentFactory(household=HouseholdFactory(location=IN_B), name="南山老人")
    response = client.post(
        "/en/admin/people/vulnerability/add/",
        {"resident": theirs.pk, "category": "empty_nest", "surveyed_year": "2026"},
    )
    assert response.status_code == 200
    assert "not among those in your grids" in response.content.decode()
    assert not Vulnerability.objects.exists()


def test_walking_raw_ids_names_nobody_outside_the_scope(client, tree, secretary):
    """A form re-rendered with another invalid field used to label the raw id with the
    record's name: walking ids read every resident of the district, unlogged."""
    theirs = [
        ResidentFactory(household=HouseholdFactory(location=IN_B), name=f"南山居民{i}")
        for i in range(3)
    ]
    ours = ResidentFactory(household=HouseholdFactory(location=IN_A), name="东湖居民")
    for resident in [*theirs, ours]:
        response = client.post(
            "/en/admin/people/vulnerability/add/",
            {"resident": resident.pk, "category": "not-a-category", "surveyed_year": "2026"},
        )
        assert response.status_code == 200
        page = response.content.decode()
        if resident is ours:
            assert "东湖居民" in page  # an in-scope record keeps its label
        else:
            assert resident.name not in page
    assert not AuditEntry.objects.filter(action="personal.view").exists()


def test_the_raw_id_lookup_lists_only_the_scope(client, tree, secretary):
    ResidentFactory(household=HouseholdFactory(location=IN_B), name="南山居民")
    ResidentFactory(household=HouseholdFactory(location=IN_A), name="东湖居民")
    page = client.get("/en/admin/people/resident/?_to_field=id&_popup=1").content.decode()
    assert "东湖居民" in page
    assert "南山居民" not in page
    # the grid lookup of the GridRole form (and of every form pointing at a grid)
    page = client.get("/en/admin/grids/grid/?_to_field=id&_popup=1").content.decode()
    assert "东湖花园" in page
    assert "南山" not in page


def test_bulk_delete_leaves_one_audit_row_per_record(client, tree, secretary):
    ours = [
        ResidentFactory(household=HouseholdFactory(location=IN_A), name=f"东湖居民{i}")
        for i in range(2)
    ]
    theirs = ResidentFactory(household=HouseholdFactory(location=IN_B), name="南山居民")
    response = client.post(
        "/en/admin/people/resident/",
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [r.pk for r in [*ours, theirs]],
        },
    )
    assert response.status_code == 302
    assert list(Resident.objects.all()) == [theirs]  # the other grid's row was not touched
    rows = AuditEntry.objects.filter(action="admin.delete", object_type="people.resident")
    assert sorted(rows.values_list("object_id", flat=True)) == sorted(str(r.pk) for r in ours)
    assert all(row.actor == secretary and row.before["name"].startswith("东湖居民") for row in rows)
