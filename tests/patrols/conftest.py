"""Patrol fixtures: a grid leader of compound K1 with routes and members there (``k1``), and
a leader of another compound."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from gridgov.accounts.models import StaffRole
from gridgov.patrols.services import patrol_record, route_create
from tests.factories import MemberFactory
from tests.patrols.helpers import ROUTE, line


@pytest.fixture
def k1(tree, make_user):
    """A grid leader of compound K1 with a weekly route there walked 10 days ago (overdue),
    a daily route never walked, members living in K1 (one on the team) and one in C2."""
    leader = make_user("k1leader", StaffRole.GRID_LEADER, tree.k1)
    wang = MemberFactory(name="王芳", location=Point(113.102, 23.002, srid=4326))
    li = MemberFactory(name="李强", location=Point(113.104, 23.002, srid=4326))
    zhao = MemberFactory(name="赵敏", location=Point(113.113, 23.003, srid=4326))  # in C2
    route = route_create(
        acting_user=None, grid=tree.k1, name="东湖巡逻线", line=line(ROUTE), team=[wang]
    )
    night = route_create(
        acting_user=None,
        grid=tree.k1,
        name="东湖夜巡线",
        schedule="daily",
        line=line("113.1016 23.0016, 113.1044 23.0016"),
    )
    today = timezone.localdate()
    patrol_record(
        route=route, walked_on=today - dt.timedelta(days=10), members=[wang], acting_user=None
    )

    class K1:
        pass

    k = K1()
    k.leader, k.wang, k.li, k.zhao, k.route, k.night = leader, wang, li, zhao, route, night
    return k


@pytest.fixture
def other_leader(tree, make_user):
    return make_user("k3leader", StaffRole.GRID_LEADER, tree.k3)
