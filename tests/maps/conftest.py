"""Fixtures for the maps tests: a clean cache for every test, a staffed tree with an open
request and a patrol route in each community, users of both communities, and K1's grid
leader with a building leader, a route and a request (``leader_login``, the dashboards'
browser tests)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.cache import cache

from gridgov.cases.services import case_create
from gridgov.grids.services import gridrole_assign
from gridgov.patrols.services import route_create
from tests.factories import MemberFactory
from tests.factories.catalogue import case_category


@pytest.fixture(autouse=True)
def clean_cache():
    """Dashboards and street maps are cached; every test starts without any."""
    cache.clear()
    yield
    cache.clear()


def open_case(title: str, lon: float, lat: float, **extra):
    return case_create(
        acting_user=None,
        category=case_category("sanitation"),
        channel="phone",
        title=title,
        requester_name="张阿姨",
        requester_phone="13700001111",
        location=Point(lon, lat, srid=4326),
        **extra,
    )


@dataclass
class Staffed:
    tree: object
    leader: object  # B1's building leader (phone not public)
    case_c1: object  # open request in B2 (community C1)
    case_c2: object  # open request in B4 (community C2)
    route_k1: object
    route_k3: object
    staff_c1: object  # community staff of C1 (is_staff: sees phones)
    member_c1: object  # a member's login in C1 (sees masked phones)
    staff_c2: object  # community staff of C2


@pytest.fixture
def staffed(tree, make_user) -> Staffed:
    leader = MemberFactory(
        name="林楼长",
        phone="13911112222",
        phone_public=False,
        pledge="有事找我",
        specialty="水电维修",
        location=Point(113.102, 23.002, srid=4326),
    )
    gridrole_assign(grid=tree.b1, member=leader, role="building_leader", acting_user=None)
    case_c1 = open_case("路灯不亮", 113.104, 23.002)
    case_c2 = open_case("井盖松动", 113.113, 23.003)
    route_k1 = route_create(
        acting_user=None,
        grid=tree.k1,
        name="东湖夜巡线",
        line=LineString((113.1015, 23.0035), (113.1045, 23.0035), (113.1045, 23.0085), srid=4326),
    )
    route_k3 = route_create(
        acting_user=None,
        grid=tree.k3,
        name="南山巡逻线",
        line=LineString((113.112, 23.005), (113.118, 23.005), srid=4326),
    )
    return Staffed(
        tree=tree,
        leader=leader,
        case_c1=case_c1,
        case_c2=case_c2,
        route_k1=route_k1,
        route_k3=route_k3,
        staff_c1=make_user("staff1", "community_staff", grid=tree.c1, is_staff=True),
        member_c1=make_user("member1", "member", grid=tree.c1),
        staff_c2=make_user("staff2", "community_staff", grid=tree.c2, is_staff=True),
    )


@pytest.fixture
def leader_login(tree, make_user):
    lead = MemberFactory(
        name="林楼长",
        pledge="有事找我",
        specialty="水电维修",
        phone="13911112222",
        location=Point(113.102, 23.002, srid=4326),
    )
    gridrole_assign(grid=tree.b1, member=lead, role="building_leader", acting_user=None)
    make_user("gridleader", "grid_leader", grid=tree.k1)
    # a route in K1 never patrolled, and an open request in B2
    route_create(
        acting_user=None,
        grid=tree.k1,
        name="东湖夜巡线",
        line=LineString((113.1015, 23.0035), (113.1045, 23.0035), (113.1045, 23.0085), srid=4326),
    )
    case_create(
        acting_user=None,
        category=case_category("repair"),
        channel="phone",
        title="路灯不亮",
        requester_name="张阿姨",
        location=Point(113.1047, 23.0013, srid=4326),
    )
    return tree
