"""Scoping: which grid subtrees a user may see. Every selector returning people uses this."""

from __future__ import annotations

from django.db.models import Q

from gridgov.accounts.models import RESIDENT_READERS, Assignment


def scope_prefixes(user, *, roles: frozenset[str] | None = None) -> list[str] | None:
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
        q |= Q(**{f"{field}__startswith": p})
    return q


def resident_prefixes(user) -> list[str] | None:
    """Scopes in which the user may read residents' personal data."""
    return scope_prefixes(user, roles=RESIDENT_READERS)
