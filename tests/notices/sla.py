"""A community with a secretary who can be texted, and requests raised at a given time:
what the alarm and scheduler tests share. Built from the suite's ``tree`` and ``make_user``
and the factories, so it stands beside whatever else a test builds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.gis.geos import Point

from gridgov.accounts.models import StaffRole
from gridgov.cases.models import Case, CaseCategory
from gridgov.cases.services import case_create
from tests.factories import MemberFactory

IN_B1 = Point(113.102, 23.002, srid=4326)  # building B1 of compound K1, community C1
SECRETARY_PHONE = "13700000001"


def consultation() -> CaseCategory:
    """Policy consultation: answered within 5 minutes, resolved within 24 hours (seeded by
    cases/0002; made again when a transactional test flushed it)."""
    category, _ = CaseCategory.objects.get_or_create(
        code="consultation",
        defaults={
            "name": "政策咨询",
            "kind": "consultation",
            "first_response_sla_minutes": 5,
            "resolution_sla_hours": 24,
        },
    )
    return category


@dataclass
class Community:
    secretary: object  # community secretary of C1, with an address and a linked member
    leader: object  # grid leader of K1, inside C1: not alarmed (the secretary is)
    other: object  # community secretary of C2


def community(tree, make_user) -> Community:
    secretary = make_user(
        "alarm_c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1, email="c1sec@example.org"
    )
    MemberFactory(name="张书记", phone=SECRETARY_PHONE, location=IN_B1, user=secretary)
    return Community(
        secretary=secretary,
        leader=make_user("alarm_k1leader", StaffRole.GRID_LEADER, tree.k1),
        other=make_user("alarm_c2sec", StaffRole.COMMUNITY_SECRETARY, tree.c2),
    )


def raise_case(*, at: dt.datetime, acting_user=None, category=None) -> Case:
    return case_create(
        acting_user=acting_user,
        category=category or consultation(),
        channel="phone",
        title="咨询低保政策",
        requester_name="陈先生",
        requester_phone="13800001234",
        location=IN_B1,
        at=at,
    )
