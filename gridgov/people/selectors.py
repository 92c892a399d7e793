"""Readers of people. Every one takes the acting user and scopes by grid code prefix."""

from __future__ import annotations

from django.db.models import QuerySet

from gridgov.accounts.selectors import resident_prefixes, scope_prefixes, scope_q
from gridgov.people.models import Household, Member, Resident


def members_visible_to(user) -> QuerySet[Member]:
    return Member.objects.filter(scope_q(scope_prefixes(user)))


def households_visible_to(user) -> QuerySet[Household]:
    return Household.objects.filter(scope_q(resident_prefixes(user)))


def residents_visible_to(user) -> QuerySet[Resident]:
    return Resident.objects.filter(scope_q(resident_prefixes(user), "household__grid_code"))


def member_for(user) -> Member | None:
    """The member record a signed-in user acts as, or None (staff without one, anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(user=user).first()
