"""Readers of the ledger: balances and yearly progress are sums over entries."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from gridgov.people.models import Member
from gridgov.points.models import LedgerEntry


def points_balance(member: Member) -> int:
    return LedgerEntry.objects.filter(member=member).aggregate(p=Sum("points"))["p"] or 0


def hours_in_year(member: Member, year: int) -> Decimal:
    total = LedgerEntry.objects.filter(member=member, occurred_on__year=year).aggregate(
        h=Sum("hours"))["h"]
    return total or Decimal("0")
