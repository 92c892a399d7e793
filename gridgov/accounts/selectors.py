"""The scope lookups behind gridgov.accounts.policy: a user's assignments as grid code
prefixes, and the filter keeping rows inside them. Nothing but the policy calls them."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from gridgov.accounts.actors import Actor
from gridgov.accounts.models import Assignment


def scope_prefixes(user: Actor, *, roles: frozenset[str] | None = None) -> list[str] | None:
    """Code prefixes the user may see (None: everything; []: nothing).

    ``roles`` restricts to assignments of those roles (e.g. who may read residents).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    rows = Assignment.objects.filter(user=user)
    if roles is not None:
        rows = rows.filter(role__in=roles)
    prefixes = sorted(set(rows.values_list("scope_code", flat=True)))
    if "" in prefixes:
        return None
    # Drop prefixes already covered by a shorter one.
    kept: list[str] = []
    for p in prefixes:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return kept


def scope_q(prefixes: list[str] | None, field: str = "grid_code") -> Q:
    """A filter keeping rows whose ``field`` (a grid code) lies in one of the prefixes."""
    if prefixes is None:
        return Q()
    if not prefixes:
        return Q(pk__in=[])
    q = Q()
    for p in prefixes:
        q |= _begins_with(field, p)
    return q


def _begins_with(field: str, prefix: str) -> Q:
    """``field`` begins with ``prefix``, letter case included: SQLite's LIKE (Django's
    ``startswith`` there) ignores ASCII case, so a scope ``A1`` would also cover ``a1…``;
    the binary range keeps it exact (and still uses the column's index)."""
    q = Q(**{f"{field}__startswith": prefix})
    if connection.vendor == "sqlite":
        q &= Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + LAST_CHAR})
    return q


LAST_CHAR = "\U0010ffff"  # sorts after every character a code may hold
