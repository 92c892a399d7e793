"""Fixtures for hours and points: members with logins in two communities, keepers of each
community, and helpers to earn hours and stock the mall through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.db import connection
from django.utils import timezone

from gridgov.accounts.models import StaffRole
from gridgov.points import services
from tests.factories import MemberFactory

IN_B1 = Point(113.102, 23.002, srid=4326)  # building B1, compound K1, community C1
IN_B3 = Point(113.107, 23.003, srid=4326)  # building B3, compound K2, community C1
IN_B4 = Point(113.113, 23.003, srid=4326)  # building B4, community C2
PASSWORD = "x-Pass-2026!"


@dataclass
class People:
    keeper: object  # community secretary of C1
    other_keeper: object  # community secretary of C2
    leader: object  # grid leader of compound K1 (reads hours, keeps nothing)
    wang: object  # member in C1 (B1) with a login
    li: object  # member in C1 (B3) with a login
    zhao: object  # member in C2 with a login


@pytest.fixture
def people(tree, make_user) -> People:
    def member(name: str, username: str, location: Point):
        user = get_user_model().objects.create_user(username=username, password=PASSWORD)
        return MemberFactory(name=name, location=location, user=user)

    return People(
        keeper=make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1),
        other_keeper=make_user("c2sec", StaffRole.COMMUNITY_SECRETARY, tree.c2),
        leader=make_user("k1leader", StaffRole.GRID_LEADER, tree.k1),
        wang=member("王芳", "wang", IN_B1),
        li=member("李强", "li", IN_B3),
        zhao=member("赵敏", "zhao", IN_B4),
    )


@pytest.fixture
def earn():
    """Credit confirmed hours (10 points an hour by default) as an activity would."""
    counter = iter(range(1, 10**6))

    def make(member, hours, *, on: dt.date | None = None, points: int | None = None):
        return services.ledger_earn(
            member=member,
            hours=Decimal(str(hours)),
            reason="社区清洁活动",
            source=f"test.activity:{next(counter)}",
            occurred_on=on or timezone.localdate(),
            acting_user=None,
            points=points,
        )

    return make


@pytest.fixture
def item():
    """Stock the mall through the service (everyone's item unless a community is given)."""

    def make(name: str = "洗衣液", cost: int = 30, stock: int = 5, **extra):
        return services.mall_item_create(
            acting_user=None, name=name, points_cost=cost, stock=stock, **extra
        )

    return make


@pytest.fixture
def ledger_flushable(transactional_db):
    """For ``transaction=True`` tests (live server, threads) that write ledger entries: Django
    flushes such a test's tables afterwards, and on SQLite that is a row-by-row DELETE which
    the ledger's trigger refuses. Requesting this fixture empties the ledger first, through the
    only door there is (``points_reset_all``). Other test directories can import it:
    ``from tests.points.conftest import ledger_flushable  # noqa: F401``.
    (PostgreSQL flushes with TRUNCATE, which the row triggers do not see.)"""
    yield
    if connection.vendor == "sqlite":
        # rows of other apps referring to entries go in the flush right after
        with connection.constraint_checks_disabled():
            services.points_reset_all()


@pytest.fixture(autouse=True)
def english():
    """Refusal messages are asserted in English (pages are checked through /en/ URLs)."""
    from django.utils import translation

    with translation.override("en"):
        yield
