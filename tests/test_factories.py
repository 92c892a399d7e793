"""The factories build what the services would: valid nested grids whose codes keep the code
rule, located people, cases in every state with their events, activities with sign-ups,
posts with claims, routes with patrols."""

from __future__ import annotations

import pytest

from gridgov.accounts.models import Assignment, AuditEntry
from gridgov.cases.models import CaseEvent, Status
from gridgov.grids import codes
from gridgov.grids.models import Grid, Level
from gridgov.people.models import MemberKind, ReportStatus
from tests.factories import (
    ActivityFactory,
    BuildingFactory,
    CaseFactory,
    CommunityFactory,
    CompoundFactory,
    MemberFactory,
    PatrolFactory,
    PostClaimFactory,
    ResidentFactory,
    SignUpFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_building_brings_its_compound_and_community_nested_and_coded():
    building = BuildingFactory()
    compound, community = building.parent, building.parent.parent
    assert (community.level, compound.level, building.level) == (1, 2, 3)
    assert compound.code == community.code + "001"
    assert building.code == compound.code + "001"
    assert community.geom.contains(compound.geom)
    assert compound.geom.contains(building.geom)
    assert codes.stored_conflicts() == []
    assert AuditEntry.objects.filter(action="grid.create").count() == 3


def test_siblings_get_the_next_codes_of_equal_width_and_do_not_overlap():
    community = CommunityFactory()
    compounds = CompoundFactory.create_batch(3, parent=community)
    buildings = BuildingFactory.create_batch(16, parent=compounds[0])
    assert [c.code[-3:] for c in compounds] == ["001", "002", "003"]
    assert buildings[-1].code == compounds[0].code + "016"
    for i, a in enumerate(buildings):
        assert all(not a.geom.intersects(b.geom) for b in buildings[i + 1 :])
    assert codes.stored_conflicts() == []
    with pytest.raises(ValueError, match="no free cell"):
        BuildingFactory(parent=compounds[0])


def test_communities_lie_apart():
    a, b = CommunityFactory.create_batch(2)
    assert not a.geom.intersects(b.geom)
    assert len(a.code) == len(b.code) == 6


def test_a_member_at_home_is_located_in_all_three_levels():
    building = BuildingFactory()
    member = MemberFactory(home=building, confirmed=True, with_login=True)
    assert (member.building, member.compound, member.community) == (
        building,
        building.parent,
        building.parent.parent,
    )
    assert member.report_status == ReportStatus.CONFIRMED
    assert member.reported_on
    assert member.user.check_password("x-Pass-2026!")


@pytest.mark.parametrize(
    ("trait", "field", "value"),
    [
        ("registered", "report_status", ReportStatus.REGISTERED),
        ("rejected", "report_status", ReportStatus.REJECTED),
        ("probationary", "is_formal", False),
        ("applicant", "kind", MemberKind.APPLICANT),
        ("retired", "kind", MemberKind.RETIRED),
    ],
)
def test_member_traits(trait, field, value):
    assert getattr(MemberFactory(**{trait: True}), field) == value


def test_a_resident_has_a_located_household():
    building = BuildingFactory()
    resident = ResidentFactory(household__home=building)
    assert resident.household.building == building


def test_staff_hold_their_role_over_their_grid():
    community = CommunityFactory()
    staff = StaffFactory(role="community_secretary", grid=community)
    street = StaffFactory(role="street_admin", scope="9")
    assert Assignment.objects.get(user=staff).scope_code == community.code
    assert Assignment.objects.get(user=street).scope_code == "9"
    assert not UserFactory().assignments.exists()


@pytest.mark.parametrize("status", list(Status))
def test_a_case_is_walked_to_any_state_through_the_services(status):
    building = BuildingFactory()
    case = CaseFactory(status=status, location=building.geom.point_on_surface)
    assert case.status == status
    assert case.building == building
    steps = {
        Status.NEW: 1,
        Status.DISPATCHED: 2,
        Status.TAKEN: 3,
        Status.IN_PROGRESS: 4,
        Status.RESOLVED: 5,
        Status.CLOSED: 2,
    }[status]
    assert CaseEvent.objects.filter(case=case).count() == steps


def test_a_sign_up_takes_a_place_of_an_activity_inside_its_grid():
    signup = SignUpFactory()
    activity = signup.activity
    activity.refresh_from_db()
    assert activity.places_taken == 1
    assert activity.organiser_grid.geom.contains(activity.location)
    assert signup.member.compound == activity.organiser_grid
    assert ActivityFactory(organiser_grid=activity.organiser_grid).pk != activity.pk


def test_a_claim_is_by_a_member_of_the_posts_community():
    claim = PostClaimFactory()
    assert claim.member.community == claim.post.community
    assert claim.post.grid.level == Level.COMPOUND


def test_a_patrol_walks_a_route_inside_its_grid():
    patrol = PatrolFactory()
    route = patrol.route
    assert route.grid.geom.contains(route.route)
    assert list(patrol.members.all())[0].compound == route.grid
    assert Grid.objects.count() == 2  # the route's compound and its community
