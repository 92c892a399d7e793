"""Writers of the points mall: items (create, update, restock) and redemptions (redeem,
hand over, cancel with a refund)."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Actor
from gridgov.accounts.services import audit_record, snapshot
from gridgov.grids.models import Grid
from gridgov.people.models import Member
from gridgov.points.errors import (
    ItemUnavailable,
    NotEnoughPoints,
    OutOfStock,
    PointsError,
    PointsNotAllowed,
    RedemptionStateError,
)
from gridgov.points.models import EntryKind, LedgerEntry, MallItem, Redemption, RedemptionStatus
from gridgov.points.selectors import may_keep_points, may_manage_item, points_balance
from gridgov.points.services.locks import (
    REASON_MAX,
    _is_self,
    _lock_item,
    _lock_member,
    _lock_redemption,
    _user,
)

# --- mall items -----------------------------------------------------------------------

ITEM_FIELDS = frozenset({"name", "description", "points_cost", "active", "community"})


def _require_item_keeper(acting_user: Actor, community: Grid | None) -> None:
    if not may_manage_item(acting_user, community):
        if community is None:
            raise PointsNotAllowed(
                _(
                    "Only keepers of every grid may offer an item to every "
                    "member: choose your community."
                )
            )
        raise PointsNotAllowed(
            _("%(user)s may not manage the points mall of %(community)s.")
            % {"user": acting_user, "community": community.name}
        )


@transaction.atomic
def mall_item_create(
    *,
    acting_user: Actor,
    name: str,
    points_cost: int,
    stock: int,
    description: str = "",
    community: Grid | None = None,
    active: bool = True,
) -> MallItem:
    """Offer an item in the points mall (to one community's members, or to everyone)."""
    _require_item_keeper(acting_user, community)
    item = MallItem(
        name=(name or "").strip(),
        description=description or "",
        points_cost=points_cost,
        stock=stock,
        community=community,
        active=active,
    )
    item.full_clean()
    item.save()
    audit_record(actor=acting_user, action="mall_item_create", obj=item, after=snapshot(item))
    return item


@transaction.atomic
def mall_item_update(*, item: MallItem, acting_user: Actor, **changes: Any) -> MallItem:
    """Change an item's description, price, availability or community. Stock changes only
    through ``mall_item_restock`` (a delta), so a form read earlier never overwrites the
    count that concurrent redemptions are taking down."""
    bad = set(changes) - ITEM_FIELDS
    if bad:
        raise PointsError(
            _("%(fields)s cannot be changed here.") % {"fields": ", ".join(sorted(bad))}
        )
    item = _lock_item(item)
    _require_item_keeper(acting_user, item.community)
    if "community" in changes:
        _require_item_keeper(acting_user, changes["community"])
    before = snapshot(item)
    for field, value in changes.items():
        setattr(item, field, value)
    item.full_clean()
    item.save()
    audit_record(
        actor=acting_user, action="mall_item_update", obj=item, before=before, after=snapshot(item)
    )
    return item


@transaction.atomic
def mall_item_restock(*, item: MallItem, add: int, acting_user: Actor) -> MallItem:
    """Add to (or, negative, take from) an item's stock, never below zero."""
    try:
        add = int(add)
    except (TypeError, ValueError):
        raise ValidationError({"add": _("Give the change in stock as a whole number.")}) from None
    item = _lock_item(item)
    _require_item_keeper(acting_user, item.community)
    if add == 0:
        return item
    before = snapshot(item)
    if item.stock + add < 0:
        raise ValidationError(
            {
                "add": _("“%(item)s” has %(stock)s in stock: %(take)s cannot be taken away.")
                % {"item": item.name, "stock": item.stock, "take": -add}
            }
        )
    MallItem.objects.filter(pk=item.pk).update(stock=F("stock") + add)
    item.refresh_from_db()
    audit_record(
        actor=acting_user, action="mall_item_restock", obj=item, before=before, after=snapshot(item)
    )
    return item


# --- redemptions ----------------------------------------------------------------------


def _check_offered(item: MallItem, member: Member) -> None:
    if not item.active:
        raise ItemUnavailable(
            _("“%(item)s” is no longer offered in the points mall.") % {"item": item.name}
        )
    if item.community_id is not None and item.community_id != member.community_id:
        raise ItemUnavailable(
            _("“%(item)s” is offered only to members of %(community)s.")
            % {"item": item.name, "community": cast(Grid, item.community).name}
        )


@transaction.atomic
def redemption_create(*, member: Member, item: MallItem, acting_user: Actor) -> Redemption:
    """积分兑换: spend the item's price from the member's points and take one from stock.

    Never overdraws the member's points or the item's stock, however many requests arrive at
    once: the member's row and then the item's row are locked before the balance and the
    stock are read (see the module's docstring). The member redeems for themselves; a keeper
    of their grid may redeem for them (at the community office)."""
    if not _is_self(acting_user, member) and not may_keep_points(acting_user, member):
        raise PointsNotAllowed(
            _("Points can only be redeemed by the member themselves or the community office.")
        )
    member = _lock_member(member)
    item = _lock_item(item)
    _check_offered(item, member)
    if item.stock < 1:
        raise OutOfStock(_("“%(item)s” is out of stock.") % {"item": item.name})
    balance = points_balance(member)
    if balance < item.points_cost:
        raise NotEnoughPoints(
            _("Not enough points: %(member)s has %(balance)s points and “%(item)s” costs %(cost)s.")
            % {
                "member": member.name,
                "balance": balance,
                "item": item.name,
                "cost": item.points_cost,
            }
        )
    taken = MallItem.objects.filter(pk=item.pk, stock__gte=1).update(stock=F("stock") - 1)
    if not taken:  # cannot happen behind the lock; kept as the last word on stock
        raise OutOfStock(_("“%(item)s” is out of stock.") % {"item": item.name})
    redemption = Redemption.objects.create(
        member=member, item=item, points=item.points_cost, created_by=_user(acting_user)
    )
    entry = LedgerEntry.objects.create(
        member=member,
        kind=EntryKind.SPEND,
        points=-item.points_cost,
        reason=(_("Redeemed “%(item)s” in the points mall") % {"item": item.name})[:REASON_MAX],
        source=redemption.source,
        occurred_on=timezone.localdate(),
        created_by=_user(acting_user),
    )
    audit_record(
        actor=acting_user, action="redemption_create", obj=redemption, after=snapshot(redemption)
    )
    audit_record(actor=acting_user, action="ledger_spend", obj=entry, after=snapshot(entry))
    return redemption


def _refuse_state(redemption: Redemption, step: str) -> None:
    if redemption.status == RedemptionStatus.REDEEMED:
        return
    messages = {
        "hand_over": _(
            "Redemption %(n)s of “%(item)s” is %(status)s: only a redemption "
            "waiting to be handed over can be handed over."
        ),
        "cancel": _(
            "Redemption %(n)s of “%(item)s” is %(status)s: only a redemption not yet "
            "handed over can be cancelled."
        ),
    }
    raise RedemptionStateError(
        messages[step]
        % {
            "n": redemption.pk,
            "item": redemption.item.name,
            "status": redemption.get_status_display(),
        }
    )


@transaction.atomic
def redemption_hand_over(*, redemption: Redemption, acting_user: Actor) -> Redemption:
    """The community office gave the member the item."""
    if not may_keep_points(acting_user, redemption.member):
        raise PointsNotAllowed(
            _("%(user)s may not hand over redemptions of %(member)s: they are outside their grids.")
            % {"user": acting_user, "member": redemption.member}
        )
    _lock_member(redemption.member)
    redemption = _lock_redemption(redemption)
    _refuse_state(redemption, "hand_over")
    before = snapshot(redemption)
    redemption.status = RedemptionStatus.HANDED_OVER
    redemption.handed_over_at = timezone.now()
    redemption.handed_over_by = _user(acting_user)
    redemption.save()
    audit_record(
        actor=acting_user,
        action="redemption_hand_over",
        obj=redemption,
        before=before,
        after=snapshot(redemption),
    )
    return redemption


@transaction.atomic
def redemption_cancel(*, redemption: Redemption, reason: str, acting_user: Actor) -> Redemption:
    """Cancel a redemption not yet handed over: its points come back in a new ledger entry
    and the item goes back in stock. The member may cancel their own; keepers theirs."""
    member = redemption.member
    if not _is_self(acting_user, member) and not may_keep_points(acting_user, member):
        raise PointsNotAllowed(
            _("Only the member or the community office may cancel this redemption.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the redemption is cancelled.")})
    member = _lock_member(member)
    _lock_item(redemption.item)
    redemption = _lock_redemption(redemption)
    _refuse_state(redemption, "cancel")
    before = snapshot(redemption)
    redemption.status = RedemptionStatus.CANCELLED
    redemption.cancelled_at = timezone.now()
    redemption.cancelled_by = _user(acting_user)
    redemption.cancel_reason = reason[:200]
    redemption.save()
    MallItem.objects.filter(pk=redemption.item_id).update(stock=F("stock") + 1)
    entry = LedgerEntry.objects.create(
        member=member,
        kind=EntryKind.ADJUST,
        points=redemption.points,
        reason=(
            _("Refund: redemption of “%(item)s” cancelled (%(why)s)")
            % {"item": redemption.item.name, "why": reason}
        )[:REASON_MAX],
        source=redemption.source,
        occurred_on=timezone.localdate(),
        created_by=_user(acting_user),
    )
    audit_record(
        actor=acting_user,
        action="redemption_cancel",
        obj=redemption,
        before=before,
        after=snapshot(redemption),
    )
    audit_record(actor=acting_user, action="ledger_refund", obj=entry, after=snapshot(entry))
    return redemption
