"""Concurrent redemptions never overdraw points or stock (PostGIS only: SQLite serialises
writers, so real concurrency needs PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from gridgov.points import selectors, services
from gridgov.points.errors import NotEnoughPoints, OutOfStock
from gridgov.points.models import LedgerEntry, MallItem, Redemption
from tests.factories import MemberFactory
from tests.world import IN_B1

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgis_only():
    # Skip before anything is written: on SQLite the flush after a transactional test would
    # meet the ledger's delete trigger.
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: real concurrency needs PostGIS")


def race(n: int, work) -> tuple[list, list[str], list[BaseException]]:
    """Run work(i) in n threads released together; (results, refusals, other errors)."""
    barrier = threading.Barrier(n)
    won: list = []
    refused: list[str] = []
    other: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):
                result = work(i)
            with lock:
                won.append(result)
        except (NotEnoughPoints, OutOfStock) as exc:
            with lock:
                refused.append(exc.messages[0])
        except BaseException as exc:
            with lock:
                other.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return won, refused, other


def test_twenty_redemptions_with_points_for_three(tree, earn):
    member = MemberFactory(name="王芳", location=IN_B1)
    earn(member, 9)  # 90 points: three redemptions at 30
    item = services.mall_item_create(acting_user=None, name="洗衣液", points_cost=30, stock=100)

    won, refused, other = race(
        20, lambda i: services.redemption_create(member=member, item=item, acting_user=None)
    )

    assert other == []
    assert len(won) == 3
    assert len(refused) == 17
    assert all(
        msg == "Not enough points: 王芳 has 0 points and “洗衣液” costs 30." for msg in refused
    )
    assert selectors.points_balance(member) == 0
    assert MallItem.objects.get(pk=item.pk).stock == 97
    assert Redemption.objects.filter(member=member).count() == 3
    assert LedgerEntry.objects.filter(member=member, kind="spend").count() == 3


def test_thirty_members_for_five_in_stock(tree, earn):
    members = [MemberFactory(name=f"党员{i:02d}", location=IN_B1) for i in range(30)]
    for m in members:
        earn(m, 5)  # 50 points each: plenty
    item = services.mall_item_create(acting_user=None, name="大米", points_cost=20, stock=5)

    won, refused, other = race(
        30, lambda i: services.redemption_create(member=members[i], item=item, acting_user=None)
    )

    assert other == []
    assert len(won) == 5
    assert len(refused) == 25
    assert set(refused) == {"“大米” is out of stock."}
    assert MallItem.objects.get(pk=item.pk).stock == 0
    assert Redemption.objects.filter(item=item).count() == 5
    winners = {r.member_id for r in won}
    for m in members:
        assert selectors.points_balance(m) == (30 if m.pk in winners else 50)


def test_concurrent_cancellations_refund_once(tree, earn):
    member = MemberFactory(name="李强", location=IN_B1)
    earn(member, 3)
    item = services.mall_item_create(acting_user=None, name="毛巾", points_cost=30, stock=1)
    redemption = services.redemption_create(member=member, item=item, acting_user=None)

    from gridgov.points.errors import RedemptionStateError

    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(10)

    def cancel() -> None:
        try:
            barrier.wait(timeout=30)
            services.redemption_cancel(redemption=redemption, reason="不要了", acting_user=None)
            result = "ok"
        except RedemptionStateError:
            result = "refused"
        except BaseException as exc:
            result = repr(exc)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=cancel) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["ok"] + ["refused"] * 9
    assert selectors.points_balance(member) == 30
    assert MallItem.objects.get(pk=item.pk).stock == 1
