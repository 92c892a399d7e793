"""Fixtures for hours and points: earning hours and stocking the mall through the services;
refusals in English. The tree and the cast (``people``: the C1 and C2 secretaries keep
their communities' mall, K1's grid leader reads hours and keeps nothing, members with
logins in B1, B3 and B4) are the suite's (tests/plugins/world.py), as is
``ledger_flushable``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gridgov.points import services


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


@pytest.fixture(autouse=True)
def in_english(english):
    """Refusal messages are asserted in English (pages are checked through /en/ URLs)."""
