"""One meaning of "current role" (issue 16, items 1 and 3): a grid role is current on a day
when it began on or before it and has not ended before it (``GridRole.objects.current``).
Before, the street map, the tiles, the dashboard and planning read "until is empty", so a
building leader appointed from a future date was named on the public map before taking
office, and one whose term ends on a future date vanished from it while /find/ listed them.
Here: the finder, planning and the public-member rule; the maps are in
tests/maps/test_current_roles.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.grids.models import GridRole, RoleKind
from gridgov.grids.selectors import current_leaders
from gridgov.people.contacts import building_contact
from gridgov.people.models import Member
from gridgov.people.selectors import community_summaries
from gridgov.planning.groups.selectors import member_facts
from gridgov.planning.selectors import buildings_without_contact, unled_buildings
from tests.factories import MemberFactory

TODAY = timezone.localdate


@pytest.fixture
def terms(tree):
    """B1: a leader whose term ends in five days (still in office); B2: a leader appointed
    from tomorrow (not yet); B3: a leader whose term ended yesterday; B4: no one."""
    today = TODAY()
    leaving = MemberFactory(name="将卸任", phone="13800000001", phone_public=True)
    coming = MemberFactory(name="未上任", phone="13800000002", phone_public=True)
    gone = MemberFactory(name="已卸任", phone="13800000003", phone_public=True)
    GridRole.objects.create(
        grid=tree.b1,
        member=leaving,
        role=RoleKind.BUILDING_LEADER,
        since=today - dt.timedelta(days=30),
        until=today + dt.timedelta(days=5),
    )
    GridRole.objects.create(
        grid=tree.b2,
        member=coming,
        role=RoleKind.BUILDING_LEADER,
        since=today + dt.timedelta(days=1),
    )
    GridRole.objects.create(
        grid=tree.b3,
        member=gone,
        role=RoleKind.BUILDING_LEADER,
        since=today - dt.timedelta(days=30),
        until=today - dt.timedelta(days=1),
    )
    return tree, leaving, coming, gone


def test_current_is_begun_and_not_ended(terms):
    tree, leaving, coming, gone = terms
    today = TODAY()
    assert set(GridRole.objects.current().values_list("member__name", flat=True)) == {"将卸任"}
    tomorrow = today + dt.timedelta(days=1)
    assert set(GridRole.objects.current(tomorrow).values_list("member__name", flat=True)) == {
        "将卸任",
        "未上任",
    }
    assert set(
        GridRole.objects.current(today - dt.timedelta(days=1)).values_list(
            "member__name", flat=True
        )
    ) == {"将卸任", "已卸任"}
    # the last day of a term is still in it
    assert GridRole.objects.current(today + dt.timedelta(days=5)).filter(member=leaving).exists()
    assert (
        not GridRole.objects.current(today + dt.timedelta(days=6)).filter(member=leaving).exists()
    )


def test_the_public_street_maps_leaders_are_the_current_ones(terms):
    tree, *_ = terms
    assert current_leaders() == {tree.b1.pk: "将卸任"}
    assert current_leaders(day=TODAY() + dt.timedelta(days=1)) == {
        tree.b1.pk: "将卸任",
        tree.b2.pk: "未上任",
    }
    led = {row["code"]: row["led"] for row in community_summaries()}
    assert led == {tree.c1.code: 1, tree.c2.code: 0}


def test_on_a_handover_day_the_new_holder_is_named(tree):
    today = TODAY()
    old = MemberFactory(name="老楼长")
    new = MemberFactory(name="新楼长")
    GridRole.objects.create(
        grid=tree.b1,
        member=old,
        role=RoleKind.BUILDING_LEADER,
        since=today - dt.timedelta(days=100),
        until=today,
    )
    GridRole.objects.create(grid=tree.b1, member=new, role=RoleKind.BUILDING_LEADER, since=today)
    assert current_leaders() == {tree.b1.pk: "新楼长"}


def test_the_finder_and_the_map_agree(terms):
    tree, *_ = terms
    assert [c.name for c in building_contact(tree.b1).contacts] == ["将卸任"]
    assert building_contact(tree.b1).has_leader
    assert building_contact(tree.b2).contacts == []
    assert not building_contact(tree.b2).has_leader
    assert building_contact(tree.b3).contacts == []


def test_the_public_member_rule_reads_the_same_roles(terms):
    tree, leaving, coming, gone = terms
    for m in (leaving, coming, gone):
        Member.objects.filter(pk=m.pk).update(report_status="not_reported")
    assert set(Member.objects.public().values_list("name", flat=True)) == {"将卸任"}


def test_planning_counts_current_roles(terms, admin_user):
    tree, leaving, coming, gone = terms
    facts = member_facts([leaving, coming, gone])
    assert {m.name: facts[m.pk].contact_role for m in (leaving, coming, gone)} == {
        "将卸任": True,
        "未上任": False,
        "已卸任": False,
    }
    assert {b.code for b in buildings_without_contact(admin_user)} == {
        tree.b2.code,
        tree.b3.code,
        tree.b4.code,
    }
    # unled buildings are listed for compounds with a branch only
    from gridgov.people.models import OrgKind, PartyOrganisation

    PartyOrganisation.objects.create(kind=OrgKind.COMPOUND_BRANCH, name="支部", grid=tree.k1)
    rows = unled_buildings(admin_user)
    assert [(r["code"], [b.code for b in r["buildings"]]) for r in rows] == [
        (tree.k1.code, [tree.b2.code])
    ]
