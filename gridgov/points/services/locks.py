"""What the points services share: who acts, and the row locks taken in the fixed order
member → item → redemption (see the package's docstring)."""

from __future__ import annotations

from django.db import connection
from django.db.models import F

from gridgov.people.models import Member
from gridgov.points.models import LedgerEntry, MallItem, Redemption

REASON_MAX = LedgerEntry._meta.get_field("reason").max_length


def _user(acting_user):
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def _is_self(acting_user, member: Member) -> bool:
    return getattr(acting_user, "is_authenticated", False) and member.user_id == acting_user.pk


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
