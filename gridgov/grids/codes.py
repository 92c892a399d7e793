"""The grid code rule: a code begins with another grid's code only when that grid is its
ancestor, and a street's code only with no other street's.

Descendants are a code prefix match (docs/DESIGN.md) and a user's scope is a code prefix
(Assignment.scope_code), so the match is exact only if no code begins with a code that is
not an ancestor's: a community ``<A>999`` would otherwise fall inside A's scope. A child's
code is its parent's plus a segment; whatever width the segments have, it is enough that
the longest stored code a grid's code begins with is its parent's (none for a community):
the parent's own longest is the grandparent's, and so on up. Siblings of unequal width
(``…1`` and ``…10``) break the rule and are told to pad.

Everything that writes codes asks this module: the importer (``batch_problems``), the
services and the admin form through ``grid_check`` (``grid_problems``), Street.clean
(``street_problems``), ``check_grids`` and the migration that installs the database's own
triggers (``conflicts``, pure, on plain dicts). docs/TOPOLOGY.md states the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gridgov.grids.models import Grid, Level, Street

SHOWN = 3  # codes named in one message before "and N more"


@dataclass(frozen=True)
class Conflict:
    """``code`` begins with ``other``, which is not its parent (nor, so, an ancestor)."""

    code: str
    other: str
    sibling: bool  # other has the same parent (both communities, or children of one grid)


def proper_prefixes(code: str) -> list[str]:
    """Every proper beginning of ``code``, longest first."""
    return [code[:n] for n in range(len(code) - 1, 0, -1)]


def conflicts(
    parents: Mapping[str, str | None], codes: Iterable[str] | None = None
) -> list[Conflict]:
    """The codes (of ``codes``, default every code) breaking the rule among ``parents``
    (every known code → its parent's code, None at the top), in code order."""
    found = []
    for code in sorted(parents if codes is None else codes):
        parent = parents.get(code)
        for prefix in proper_prefixes(code):
            if prefix in parents:
                if prefix != parent:
                    found.append(Conflict(code, prefix, parents[prefix] == parent))
                break
    return found


def message(c: Conflict) -> str:
    """Why ``c.code`` is refused (said of the grid whose code is the longer)."""
    if c.sibling:
        return _(
            "code %(code)s begins with sibling %(other)s's code: give siblings codes of "
            "the same width, e.g. 01 … 10"
        ) % {"code": c.code, "other": c.other}
    return _(
        "code %(code)s begins with the code of grid %(other)s, which is not its "
        "ancestor: a code may begin only with its parent's code and theirs, or a user "
        "scoped to %(other)s would see it"
    ) % {"code": c.code, "other": c.other}


def reverse_message(code: str, longer: list[Conflict]) -> str:
    """Why ``code`` is refused: the codes of grids not under it begin with it."""
    shown = ", ".join(c.code for c in longer[:SHOWN])
    if len(longer) > SHOWN:
        shown += _(" and %(n)d more") % {"n": len(longer) - SHOWN}
    if all(c.sibling for c in longer):
        return _(
            "code %(code)s is the beginning of sibling %(others)s's code: give siblings "
            "codes of the same width, e.g. 01 … 10"
        ) % {"code": code, "others": shown}
    return _(
        "code %(code)s is the beginning of the code of %(others)s, which would not lie "
        "under it: a user scoped to %(code)s would see them"
    ) % {"code": code, "others": shown}


def _no_street(code: str) -> str:
    return _(
        "community %(code)s lies under no street office: its code must begin with a street's code"
    ) % {"code": code}


def _under_a_street(code: str, streets: set[str]) -> bool:
    return any(p in streets for p in proper_prefixes(code))


def grid_problems(grid: Grid) -> list[str]:
    """The code rule for one grid about to be written (new, or changed: ``grid.pk`` set),
    against the stored grids and streets. Index lookups only: its beginnings by equality,
    the codes beginning with it by a prefix match."""
    code = grid.code
    if not code:
        return []
    parent = grid.parent.code if grid.parent_id else None
    above = Grid.objects.filter(code__in=proper_prefixes(code)).exclude(pk=grid.pk)
    known = dict(above.values_list("code", "parent__code"))
    problems = [message(c) for c in conflicts({**known, code: parent}, [code])]
    below = Grid.objects.filter(code__startswith=code).exclude(pk=grid.pk)
    if grid.pk:
        below = below.exclude(parent_id=grid.pk).exclude(parent__parent_id=grid.pk)
    # The topmost of them only (a grid whose parent is not among them): their own children
    # follow them.
    rows = list(below.order_by("code").values_list("code", "parent__code")[:1000])
    longer = [
        Conflict(c, code, p == parent)
        for c, p in rows
        if c.startswith(code) and not (p and p.startswith(code))
    ]
    if longer:
        problems.append(reverse_message(code, longer))
    if grid.level == Level.COMMUNITY:
        streets = set(
            Street.objects.filter(code__in=[code, *proper_prefixes(code)]).values_list(
                "code", flat=True
            )
        )
        if code in streets:
            problems.append(_("code %(code)s is a street office's code") % {"code": code})
        elif not streets and Street.objects.exists():
            problems.append(_no_street(code))
    return problems


def batch_problems(new: Mapping[str, str | None], level: int) -> list[tuple[str, str]]:
    """The code rule for a file's grids (code → parent code) against the stored grids and
    one another: (code, reason) for each code of ``new`` refused."""
    stored = dict(Grid.objects.values_list("code", "parent__code"))
    known = {**stored, **new}
    found: list[tuple[str, str]] = []
    longer: dict[str, list[Conflict]] = {}
    for c in conflicts(known):
        if c.code in new:
            parent = new[c.code]
            if parent is None or c.code.startswith(parent):  # else Grid.clean says so
                found.append((c.code, message(c)))
        elif c.other in new and c.other not in stored:
            longer.setdefault(c.other, []).append(c)
    found.extend((code, reverse_message(code, cs)) for code, cs in longer.items())
    if level == Level.COMMUNITY:
        streets = set(Street.objects.values_list("code", flat=True))
        for code in new:
            if code in streets:
                found.append((code, _("code %(code)s is a street office's code") % {"code": code}))
            elif streets and not _under_a_street(code, streets):
                found.append((code, _no_street(code)))
    return found


def street_problems(street: Street) -> list[str]:
    """The rule for a street office's code: no street's code begins with another's, no
    grid's code is (the beginning of) it, and the communities under it stay under a street
    when it changes."""
    code = street.code
    if not code:
        return []
    others = Street.objects.exclude(pk=street.pk)
    problems = []
    above = others.filter(code__in=proper_prefixes(code)).values_list("code", flat=True)
    below = [
        c
        for c in others.filter(code__startswith=code).values_list("code", flat=True)
        if c.startswith(code)
    ]
    for other in above:
        problems.append(
            _(
                "street code %(code)s begins with street %(other)s's code: give "
                "street offices codes of the same width"
            )
            % {"code": code, "other": other}
        )
    for other in below[:SHOWN]:
        problems.append(
            _(
                "street code %(code)s is the beginning of street %(other)s's code: "
                "give street offices codes of the same width"
            )
            % {"code": code, "other": other}
        )
    grid = Grid.objects.filter(code__in=[code, *proper_prefixes(code)]).first()
    if grid is not None:
        problems.append(
            _(
                "street code %(code)s begins with grid %(grid)s's code: a street "
                "office lies above its communities"
            )
            % {"code": code, "grid": grid.code}
        )
    if street.pk:
        old = Street.objects.filter(pk=street.pk).values_list("code", flat=True).first()
        if old and old != code:
            streets = {*others.values_list("code", flat=True), code}
            left = [
                c
                for c in Grid.objects.filter(
                    level=Level.COMMUNITY, code__startswith=old
                ).values_list("code", flat=True)
                if not _under_a_street(c, streets)
            ]
            problems.extend(_no_street(c) for c in left[:SHOWN])
    return problems


def stored_conflicts() -> list[Conflict]:
    """Every stored grid breaking the rule (check_grids)."""
    return conflicts(dict(Grid.objects.values_list("code", "parent__code")))


def street_conflicts() -> list[tuple[str, str]]:
    """(street code, the street code it begins with) for every stored pair (check_grids)."""
    streets = set(Street.objects.values_list("code", flat=True))
    return [(c, p) for c in sorted(streets) for p in proper_prefixes(c) if p in streets]


def communities_without_street() -> list[str]:
    """Communities under no street office, when there are street offices (check_grids)."""
    streets = set(Street.objects.values_list("code", flat=True))
    if not streets:
        return []
    return [
        c
        for c in Grid.objects.filter(level=Level.COMMUNITY)
        .order_by("code")
        .values_list("code", flat=True)
        if not _under_a_street(c, streets)
    ]
