"""The demo district: deterministic, believable, loaded once, with deliberate gaps."""

import hashlib
import io

import pytest
from django.core.management import call_command

from gridgov.grids.models import Grid, GridRole, Kind, Level
from gridgov.people.models import Household, Member, PartyOrganisation, Resident
from tests.pages import messages, shows


def load(*args):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def fingerprint() -> str:
    """Everything a user would see, without database ids or timestamps."""
    h = hashlib.sha256()
    for row in Grid.objects.order_by("code").values_list("code", "name", "kind", "parent__code"):
        h.update(repr(row).encode())
    for g in Grid.objects.order_by("code"):
        h.update(g.geom.wkb.tobytes() if hasattr(g.geom.wkb, "tobytes") else bytes(g.geom.wkb))
    for row in Member.objects.order_by("phone", "name").values_list(
        "name",
        "phone",
        "kind",
        "address",
        "grid_code",
        "report_status",
        "reported_on",
        "specialty",
        "pledge",
        "work_unit__name",
        "nearest_distance_m",
    ):
        h.update(repr(row).encode())
    for row in Household.objects.order_by("address", "grid_code").values_list(
        "address", "grid_code", "room"
    ):
        h.update(repr(row).encode())
    for row in Resident.objects.order_by("household__address", "name", "birth_year").values_list(
        "name", "birth_year", "phone", "household__address"
    ):
        h.update(repr(row).encode())
    for row in GridRole.objects.order_by("grid__code", "role").values_list(
        "grid__code", "role", "member__phone", "since"
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


@pytest.mark.django_db(transaction=True)
def test_same_seed_same_district_other_seed_other_district(ledger_flushable):
    load("--seed", "7")
    first = fingerprint()
    load("--seed", "7", "--reset")
    assert fingerprint() == first
    load("--seed", "8", "--reset")
    assert fingerprint() != first


@pytest.mark.django_db
def test_street_demo_is_believable_and_has_gaps():
    out = load("--seed", "2026")
    assert "login: demo / gridgov-demo" in out
    assert Grid.objects.filter(level=Level.COMMUNITY).count() == 6
    assert 35 <= Grid.objects.filter(level=Level.COMPOUND).count() <= 50
    assert 500 <= Grid.objects.filter(level=Level.BUILDING).count() <= 750
    assert Member.objects.count() == 1800
    assert 17_000 <= Resident.objects.count() <= 23_000
    assert Grid.objects.filter(kind=Kind.CONTACT_AREA).exists()
    # every grid nests by code and geometry, and every located person agrees with their grid
    for g in Grid.objects.filter(level__gt=1).select_related("parent")[:200]:
        assert g.code.startswith(g.parent.code)
        assert g.parent.geom.buffer(1e-9).contains(g.geom)
    located = Member.objects.filter(building__isnull=False).select_related("building")
    assert located.count() > 0.98 * Member.objects.count()
    for m in located[:200]:
        assert m.building.geom.intersects(m.location)
        assert m.grid_code == m.building.code
    # deliberate gaps: buildings without a leader, compounds without a branch
    buildings = Grid.objects.filter(level=Level.BUILDING)
    led = buildings.filter(roles__role="building_leader", roles__until__isnull=True).distinct()
    assert 0.5 * buildings.count() < led.count() < buildings.count()
    residential = Grid.objects.filter(kind=Kind.RESIDENTIAL).count()
    branches = PartyOrganisation.objects.filter(kind="compound_branch").count()
    assert 0 < branches < residential
    # unlocated people are kept, with the nearest building and a distance in metres
    lost = Household.objects.filter(building__isnull=True)
    assert lost.exists()
    assert not lost.filter(nearest_building__isnull=True).exists()
    assert all(0 < d < 500 for d in lost.values_list("nearest_distance_m", flat=True))


@pytest.mark.django_db
def test_loading_again_reuses_the_data():
    load("--seed", "3")
    before = Member.objects.count(), Grid.objects.count()
    out = load("--seed", "3")
    assert "reusing" in out
    assert (Member.objects.count(), Grid.objects.count()) == before


@pytest.mark.django_db
def test_demo_logins_see_only_their_scope_in_the_admin(client):
    load("--seed", "5")
    from django.contrib.auth import get_user_model

    from gridgov.people.selectors import members_visible_to, residents_visible_to

    leader = get_user_model().objects.get(username="leader")
    scope = leader.assignments.get().scope_code
    visible = members_visible_to(leader)
    assert visible.count() == Member.objects.filter(grid_code__startswith=scope).count() > 0
    assert visible.count() < Member.objects.count()
    assert residents_visible_to(leader).count() < Resident.objects.count()
    login = client.post("/en/accounts/login/", {"username": "leader", "password": "gridgov-demo"})
    assert login.status_code == 302, "the demo login printed by make run must work"
    insider = visible.first()
    outsider = Member.objects.exclude(grid_code__startswith=scope).first()
    listed = client.get("/en/admin/people/member/")
    shows(listed, "Select party member to")
    page = listed.content.decode()
    assert f"/en/admin/people/member/{insider.pk}/change/" in page
    assert f"/en/admin/people/member/{outsider.pk}/change/" not in page
    # another grid's member: the admin answers as for a record that does not exist
    refused = client.get(f"/en/admin/people/member/{outsider.pk}/change/", follow=True)
    assert refused.redirect_chain == [("/en/admin/", 302)]
    assert (
        f"Party member with ID “{outsider.pk}” doesn’t exist. Perhaps it was deleted?"
        in messages(refused)
    )
    shows(
        client.get(f"/en/admin/people/member/{insider.pk}/change/"),
        "Change party member",
        insider.name,
    )
    # The street office without superuser powers (issue 18): lands on the district map.
    client.logout()
    street = get_user_model().objects.get(username="street")
    assert not street.is_superuser
    assert street.assignments.get().role == "street_admin"
    landed = client.post(
        "/accounts/login/", {"username": "street", "password": "gridgov-demo"}, follow=True
    )
    assert landed.redirect_chain[-1][0] == "/map/"
