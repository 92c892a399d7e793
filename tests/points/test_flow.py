"""A real sequence on the ledger and the mall: earn → balance → redeem → stock down →
cancel → refund → hand over; adjustments; and every refusal with its specific message."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from gridgov.accounts.models import AuditEntry
from gridgov.points import selectors, services
from gridgov.points.errors import (
    ItemUnavailable,
    NotEnoughPoints,
    OutOfStock,
    PointsNotAllowed,
    RedemptionStateError,
)
from gridgov.points.models import LedgerEntry, MallItem, Redemption


def test_earn_redeem_cancel_refund_hand_over(people, earn, item):
    wang = people.wang
    earn(wang, "4.5")  # 45 points
    earn(wang, 2)  # 20 points
    assert selectors.points_balance(wang) == 65
    year = timezone.localdate().year
    assert selectors.hours_in_year(wang, year) == Decimal("6.5")

    soap = item("洗衣液", cost=30, stock=2)
    first = services.redemption_create(member=wang, item=soap, acting_user=people.wang.user)
    soap.refresh_from_db()
    assert soap.stock == 1
    assert first.points == 30
    assert first.status == "redeemed"
    assert selectors.points_balance(wang) == 35
    spend = LedgerEntry.objects.get(source=first.source, kind="spend")
    assert spend.points == -30
    assert spend.hours == 0
    assert "洗衣液" in spend.reason
    # hours are untouched by spending points
    assert selectors.hours_in_year(wang, year) == Decimal("6.5")

    second = services.redemption_create(member=wang, item=soap, acting_user=people.wang.user)
    soap.refresh_from_db()
    assert soap.stock == 0
    assert selectors.points_balance(wang) == 5

    # the member cancels the second one: points come back as a new entry, stock goes back
    services.redemption_cancel(redemption=second, reason="买重了", acting_user=wang.user)
    second.refresh_from_db()
    soap.refresh_from_db()
    assert second.status == "cancelled"
    assert second.cancel_reason == "买重了"
    assert soap.stock == 1
    assert selectors.points_balance(wang) == 35
    refund = LedgerEntry.objects.get(source=second.source, kind="adjust")
    assert refund.points == 30
    assert "买重了" in refund.reason
    # the spend entry is still there: the history is the balance
    assert LedgerEntry.objects.filter(source=second.source).count() == 2

    # the community office hands the first one over
    services.redemption_hand_over(redemption=first, acting_user=people.c1_staff)
    first.refresh_from_db()
    assert first.status == "handed_over"
    assert first.handed_over_by == people.c1_staff

    assert list(selectors.redemptions_kept_by(people.c1_staff)) == []
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "redemption_create",
        "ledger_spend",
        "redemption_cancel",
        "ledger_refund",
        "redemption_hand_over",
        "ledger_earn",
    } <= actions


def test_refusals_name_balance_price_and_item(people, earn, item):
    wang = people.wang
    earn(wang, 2)  # 20 points
    rice = item("大米", cost=30)
    with pytest.raises(NotEnoughPoints) as exc:
        services.redemption_create(member=wang, item=rice, acting_user=wang.user)
    assert exc.value.text == "Not enough points: 王芳 has 20 points and “大米” costs 30."

    gone = item("毛巾", cost=10, stock=0)
    with pytest.raises(OutOfStock, match="“毛巾” is out of stock."):
        services.redemption_create(member=wang, item=gone, acting_user=wang.user)

    old = item("雨伞", cost=10, active=False)
    with pytest.raises(ItemUnavailable, match="“雨伞” is no longer offered"):
        services.redemption_create(member=wang, item=old, acting_user=wang.user)

    theirs = item("南山纪念品", cost=10, community=people.zhao.community)
    with pytest.raises(ItemUnavailable, match="offered only to members of 南山社区"):
        services.redemption_create(member=wang, item=theirs, acting_user=wang.user)

    # someone else's login cannot spend Wang's points
    with pytest.raises(PointsNotAllowed):
        services.redemption_create(member=wang, item=gone, acting_user=people.li.user)
    # nothing was written by any refusal
    assert Redemption.objects.count() == 0
    assert selectors.points_balance(wang) == 20
    assert MallItem.objects.get(pk=gone.pk).stock == 0


def test_keeper_redeems_for_member_at_the_office(people, earn, item):
    earn(people.wang, 3)
    r = services.redemption_create(
        member=people.wang, item=item(cost=30), acting_user=people.c1_staff
    )
    assert r.created_by == people.c1_staff
    assert selectors.points_balance(people.wang) == 0
    with pytest.raises(PointsNotAllowed):
        services.redemption_create(
            member=people.wang, item=item(cost=1), acting_user=people.c2_staff
        )


def test_cancel_and_hand_over_only_from_redeemed(people, earn, item):
    earn(people.wang, 10)
    soap = item(cost=30, stock=3)
    r = services.redemption_create(member=people.wang, item=soap, acting_user=None)
    with pytest.raises(ValidationError, match="Say why the redemption is cancelled"):
        services.redemption_cancel(redemption=r, reason="  ", acting_user=people.c1_staff)
    services.redemption_hand_over(redemption=r, acting_user=people.c1_staff)
    with pytest.raises(
        RedemptionStateError,
        match="is handed over: only a redemption not yet handed over can be cancelled",
    ):
        services.redemption_cancel(redemption=r, reason="不要了", acting_user=people.c1_staff)
    r2 = services.redemption_create(member=people.wang, item=soap, acting_user=None)
    services.redemption_cancel(redemption=r2, reason="不要了", acting_user=people.c1_staff)
    with pytest.raises(RedemptionStateError, match="is cancelled"):
        services.redemption_cancel(redemption=r2, reason="再取消", acting_user=people.c1_staff)
    with pytest.raises(RedemptionStateError, match="is cancelled: only a redemption waiting"):
        services.redemption_hand_over(redemption=r2, acting_user=people.c1_staff)
    # refunded exactly once
    assert selectors.points_balance(people.wang) == 100 - 30
    assert MallItem.objects.get(pk=soap.pk).stock == 2
    # another community's keeper cannot hand over or cancel
    r3 = services.redemption_create(member=people.wang, item=soap, acting_user=None)
    with pytest.raises(PointsNotAllowed):
        services.redemption_hand_over(redemption=r3, acting_user=people.c2_staff)
    with pytest.raises(PointsNotAllowed):
        services.redemption_cancel(redemption=r3, reason="x", acting_user=people.c2_staff)


def test_adjustments_are_new_entries_with_a_reason(people, earn):
    wang = people.wang
    earn(wang, 5)
    year = timezone.localdate().year
    with pytest.raises(ValidationError, match="Say why the ledger is being adjusted"):
        services.ledger_adjust(
            member=wang, hours=-1, points=-10, reason=" ", acting_user=people.c1_staff
        )
    with pytest.raises(ValidationError, match="both are zero"):
        services.ledger_adjust(
            member=wang, hours=0, points=0, reason="无", acting_user=people.c1_staff
        )
    with pytest.raises(ValidationError, match="two decimals"):
        services.ledger_adjust(
            member=wang, hours="0.125", points=0, reason="多记", acting_user=people.c1_staff
        )
    with pytest.raises(
        ValidationError, match="王芳 has 50 points: taking away 60 would leave a negative balance"
    ):
        services.ledger_adjust(
            member=wang, hours=0, points=-60, reason="多记", acting_user=people.c1_staff
        )
    with pytest.raises(ValidationError, match=f"王芳 has 5 hours in {year}: taking away 6 "):
        services.ledger_adjust(
            member=wang, hours=-6, points=0, reason="多记", acting_user=people.c1_staff
        )
    with pytest.raises(PointsNotAllowed, match="outside their grids"):
        services.ledger_adjust(
            member=wang, hours=1, points=10, reason="补记", acting_user=people.c2_staff
        )
    with pytest.raises(PointsNotAllowed):  # a grid leader reads hours but keeps no ledger
        services.ledger_adjust(
            member=wang, hours=1, points=10, reason="补记", acting_user=people.k1_leader
        )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.ledger_adjust(
            member=wang,
            hours=1,
            points=0,
            reason="补记",
            occurred_on=tomorrow,
            acting_user=people.c1_staff,
        )

    entry = services.ledger_adjust(
        member=wang,
        hours="-1.5",
        points=-15,
        reason="活动时长多记了1.5小时",
        acting_user=people.c1_staff,
    )
    assert entry.kind == "adjust"
    assert entry.created_by == people.c1_staff
    assert selectors.hours_in_year(wang, year) == Decimal("3.5")
    assert selectors.points_balance(wang) == 35
    assert LedgerEntry.objects.filter(member=wang).count() == 2
    assert AuditEntry.objects.filter(action="ledger_adjust", object_id=str(entry.pk)).exists()


def test_last_years_correction_counts_in_last_year(people, earn):
    today = timezone.localdate()
    last_year = today.replace(year=today.year - 1, day=1)
    earn(people.wang, 10, on=last_year)
    services.ledger_adjust(
        member=people.wang,
        hours=2,
        points=0,
        reason="补记去年",
        occurred_on=last_year,
        acting_user=people.c1_staff,
    )
    assert selectors.hours_in_year(people.wang, last_year.year) == 12
    assert selectors.hours_in_year(people.wang, today.year) == 0
    assert selectors.hours_total(people.wang) == 12


@override_settings(GRIDGOV_YEARLY_HOURS_TARGET=48.0)
def test_yearly_progress_towards_the_target(people, earn):
    earn(people.wang, 12)
    progress = selectors.yearly_progress(people.wang)
    assert (progress.hours, progress.target, progress.percent) == (12, 48, 25)
    assert progress.remaining == 36
    assert not progress.reached
    earn(people.wang, 40)
    progress = selectors.yearly_progress(people.wang)
    assert progress.percent == 100
    assert progress.reached
    assert progress.remaining == 0


def test_earn_once_per_source(people):
    today = timezone.localdate()
    services.ledger_earn(
        member=people.wang,
        hours=2,
        reason="x",
        source="service.signup:1",
        occurred_on=today,
        acting_user=None,
    )
    with pytest.raises(ValidationError, match="already been credited"):
        services.ledger_earn(
            member=people.wang,
            hours=2,
            reason="x",
            source="service.signup:1",
            occurred_on=today,
            acting_user=None,
        )


def test_members_below_target_fewest_hours_first(people, earn, make_user, tree):
    earn(people.wang, 50)
    earn(people.li, 3)
    rows = list(selectors.members_with_hours(people.c1_staff))
    assert [(m.name, m.year_hours) for m in rows] == [("李强", 3), ("王芳", 50)]
    below = list(selectors.members_with_hours(people.c1_staff, below_target=True))
    assert [m.name for m in below] == ["李强"]
    # a compound's grid leader sees only the compound's members
    assert [m.name for m in selectors.members_with_hours(people.k1_leader)] == ["王芳"]
    # last year's hours do not count this year
    assert [
        m.name
        for m in selectors.members_with_hours(people.c1_staff, year=timezone.localdate().year - 1)
    ] == ["李强", "王芳"]
    assert all(
        m.year_hours == 0
        for m in selectors.members_with_hours(people.c1_staff, year=timezone.localdate().year - 1)
    )


def test_restock_is_a_delta_and_never_below_zero(people, item):
    soap = item(stock=2, community=people.wang.community)
    soap = services.mall_item_restock(item=soap, add=5, acting_user=people.c1_staff)
    assert soap.stock == 7
    with pytest.raises(ValidationError, match="has 7 in stock: 8 cannot be taken away"):
        services.mall_item_restock(item=soap, add=-8, acting_user=people.c1_staff)
    with pytest.raises(PointsNotAllowed):
        services.mall_item_restock(item=soap, add=1, acting_user=people.c2_staff)
    with pytest.raises(PointsNotAllowed, match="every member"):
        services.mall_item_create(acting_user=people.c1_staff, name="全区", points_cost=5, stock=1)
    with pytest.raises(ValidationError):
        services.mall_item_create(
            acting_user=people.c1_staff,
            name="免费",
            points_cost=0,
            stock=1,
            community=people.wang.community,
        )
    with pytest.raises(ValidationError):
        services.mall_item_update(item=soap, acting_user=people.c1_staff, stock=100)
    soap = services.mall_item_update(
        item=soap, acting_user=people.c1_staff, points_cost=40, active=False
    )
    assert (soap.points_cost, soap.active, soap.stock) == (40, False, 7)
