"""The planning lists match counts computed independently from the raw rows, and are
scoped by the user's planning assignments."""

import pytest

from gridgov.grids.models import RoleKind
from gridgov.grids.services import gridrole_assign
from gridgov.people.models import OrgKind, PartyOrganisation
from gridgov.planning.selectors import planning_lists
from tests.planning.expected import expected_eligible, expected_no_contact, expected_unled


def as_found(lists):
    return (
        {r["code"]: r["formal_members"] for r in lists.eligible},
        {r["code"]: {b.code for b in r["buildings"]} for r in lists.unled},
        {b.code for b in lists.no_contact},
    )


def test_lists_match_independent_counts(town, staff):
    eligible, unled, no_contact = as_found(planning_lists(staff["street"]))
    assert eligible == expected_eligible() == {"100001001": 3}
    assert unled == expected_unled() == {"100002001": {"100002001001"}}
    assert no_contact == expected_no_contact() == {"100001001002", "100002001001"}
    lists = planning_lists(staff["street"])
    assert lists.totals == {
        "eligible": 1,
        "unled_compounds": 1,
        "unled_buildings": 1,
        "no_contact": 2,
    }


def test_lists_follow_changes(town, staff):
    """A branch in K1 moves it from eligible to the unled list (B2 has no leader); a
    deputy on B2 gives it a contact; a third formal member in K2 makes K2 eligible."""
    t = town.tree
    PartyOrganisation.objects.create(kind=OrgKind.COMPOUND_BRANCH, name="b", grid=t.k1)
    gridrole_assign(
        grid=t.b2, member=town.k1_formal[0], role=RoleKind.GROUP_DEPUTY, acting_user=None
    )
    from tests.factories import MemberFactory
    from tests.world import IN_B3

    MemberFactory(name="西新", location=IN_B3)
    eligible, unled, no_contact = as_found(planning_lists(staff["street"]))
    assert eligible == expected_eligible() == {"100001002": 3}
    assert (
        unled == expected_unled() == {"100001001": {"100001001002"}, "100002001": {"100002001001"}}
    )
    assert no_contact == expected_no_contact() == {"100002001001"}


@pytest.mark.parametrize(("who", "prefix"), [("c1", "100001"), ("c2", "100002")])
def test_lists_are_scoped(town, staff, who, prefix):
    eligible, unled, no_contact = as_found(planning_lists(staff[who]))
    assert eligible == expected_eligible(prefix)
    assert unled == expected_unled(prefix)
    assert no_contact == expected_no_contact(prefix)
    codes = set(eligible) | set(unled) | no_contact
    assert codes
    assert all(c.startswith(prefix) for c in codes)


def test_non_planner_roles_see_nothing(town, make_user):
    leader = make_user("gl", "grid_leader", town.tree.c1)
    lists = planning_lists(leader)
    assert lists.eligible == []
    assert lists.unled == []
    assert lists.no_contact == []
