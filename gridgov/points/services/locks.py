"""What the points services share: who acts, and the row locks taken in the fixed order
member → item → redemption (see the package's docstring)."""

from __future__ import annotations

from typing import cast

from django.db import connection
from django.db.models import F

from gridgov.accounts.actors import Account, Actor, account_of
from gridgov.people.models import Member
from gridgov.points.models import LedgerEntry, MallItem, Redemption

REASON_MAX = cast(int, LedgerEntry._meta.get_field("reason").max_length)  # a CharField's: set


def _user(acting_user: Actor) -> Account:
    return account_of(acting_user)


def _is_self(acting_user: Actor, member: Member) -> bool:
    account = account_of(acting_user)
    return account is not None and member.user_id == account.pk


def _lock_member(member: Member) -> Member:
    """Lock the member's row until the transaction ends (see the package's docstring)."""
    if connection.vendor == "postgresql":
        return Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
    Member.objects.filter(pk=member.pk).update(id=F("id"))  # SQLite: take the write lock
    return Member.objects.get(pk=member.pk)


def _lock_item(item: MallItem) -> MallItem:
    return (
        MallItem.objects.select_for_update(of=("self",)).select_related("community").get(pk=item.pk)
    )


def _lock_redemption(redemption: Redemption) -> Redemption:
    return (
        Redemption.objects.select_for_update(of=("self",))
        .select_related("item")
        .get(pk=redemption.pk)
    )
