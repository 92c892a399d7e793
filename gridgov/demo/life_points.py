"""The street demo's points: hours carried over from the paper register for the regular
volunteers (so that some have stars and some reach the yearly target), the points mall's
items and some redemptions (handed over, waiting, cancelled), through gridgov.points'
services on the demo clock."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from gridgov.demo import life_words as words
from gridgov.demo.clock import at, local
from gridgov.demo.life_context import Community
from gridgov.points.selectors import points_balance
from gridgov.points.services import (
    ledger_adjust,
    mall_item_create,
    points_for_hours,
    redemption_cancel,
    redemption_create,
    redemption_hand_over,
)


def build_points(
    rng: random.Random, now: dt.datetime, communities: list[Community]
) -> dict[str, int]:
    today = timezone.localtime(now).date()
    first_of_year = dt.date(today.year, 1, 1)
    counts = dict.fromkeys(("carried_over", "mall_items", "redemptions"), 0)
    # paper records from before the platform: this year's, for the regular volunteers
    for c in communities:
        for member in c.core[:6]:
            day = max(today - dt.timedelta(days=rng.randint(60, 200)), first_of_year)
            hours = Decimal(rng.choice([8, 12, 16, 20, 24, 30, 36]))
            with at(local(day, 16)):
                ledger_adjust(
                    member=member,
                    hours=hours,
                    points=points_for_hours(hours),
                    reason=words.CARRY_OVER,
                    acting_user=None,
                    occurred_on=day,
                )
            counts["carried_over"] += 1
    opened = now - dt.timedelta(days=60)
    with at(opened):
        items = [
            mall_item_create(
                acting_user=None, name=name, description=text, points_cost=cost, stock=stock
            )
            for name, text, cost, stock in words.MALL_ITEMS
        ]
    counts["mall_items"] += len(items)
    for c in communities:
        name, text, cost, stock = words.COMMUNITY_ITEM
        with at(opened):
            own = mall_item_create(
                acting_user=None,
                name=name.format(community=c.grid.name),
                description=text,
                points_cost=cost,
                stock=stock,
                community=c.grid,
            )
        counts["mall_items"] += 1
        for i, member in enumerate(c.core[:4]):
            choices = [it for it in [own, *items] if it.points_cost <= points_balance(member)]
            if not choices:
                continue
            item = rng.choice(choices)
            with at(now - dt.timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))):
                redemption = redemption_create(member=member, item=item, acting_user=None)
            counts["redemptions"] += 1
            if i in (0, 1):
                with at(now - dt.timedelta(minutes=rng.randint(10, 600))):
                    redemption_hand_over(redemption=redemption, acting_user=None)
            elif i == 3 and rng.random() < 0.5:
                with at(now - dt.timedelta(minutes=rng.randint(10, 600))):
                    redemption_cancel(
                        redemption=redemption, acting_user=None, reason=words.HANDOVER_CANCEL
                    )
    return counts
