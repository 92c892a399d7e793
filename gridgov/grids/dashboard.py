"""What a grid's dashboard shows, as plain data: the grid, its children with coverage
figures, building leaders, buildings without one, and the way up (breadcrumbs).

Everything is aggregated with GROUP BY queries keyed by grid code prefix, so the cost does
not grow with the number of people. Routes and cases join through the same shape of data
(GeoJSON-ready dicts) once their apps provide them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from gridgov.accounts.selectors import scope_prefixes
from gridgov.grids.models import Grid, GridRole, Level, RoleKind, Street
from gridgov.people.models import Household, Member, Resident

METRICS = ("leaders", "members", "located")


@dataclass
class Dashboard:
    grid: Grid
    breadcrumbs: list[tuple[str, str | None]]  # (label, grid code or None for the street)
    outline: dict  # GeoJSON Feature of the grid itself
    children: dict  # FeatureCollection with figures in properties
    leaders: list[dict[str, Any]]  # building leaders: lat, lon, name, pledge, ...
    unled: list[dict[str, str]]  # buildings without a leader: code, name
    totals: dict[str, Any] = field(default_factory=dict)


def may_view(user, grid: Grid) -> bool:
    """Whether the user's scope covers the grid (a dashboard shows people's figures)."""
    prefixes = scope_prefixes(user)
    if prefixes is None:
        return True
    return any(grid.code.startswith(p) for p in prefixes)


def may_see_phones(user, grid: Grid) -> bool:
    """Staff whose scope covers the grid see members' full phone numbers."""
    return bool(getattr(user, "is_staff", False)) and may_view(user, grid)


def _feature(grid: Grid, props: dict[str, Any]) -> dict:
    return {"type": "Feature", "geometry": json.loads(grid.geom.json), "properties": props}


def _share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _per_child(qs, key: str) -> dict[int, int]:
    """Row counts grouped by a child grid's id (a foreign key path), in one query."""
    return dict(qs.filter(**{f"{key}__isnull": False}).values_list(key)
                .annotate(n=Count("pk")).order_by())


# For a dashboard of a grid at this level: the field naming the child a located row is in,
# and the field of a building naming that child.
CHILD_FIELD = {Level.COMMUNITY: ("compound", "parent"), Level.COMPOUND: ("building", "id"),
               Level.BUILDING: ("building", "id")}
SCOPE_FIELD = {Level.COMMUNITY: "community", Level.COMPOUND: "compound",
               Level.BUILDING: "building"}


def breadcrumbs(grid: Grid) -> list[tuple[str, str | None]]:
    chain: list[tuple[str, str | None]] = []
    node: Grid | None = grid
    while node is not None:
        chain.append((node.name, node.code))
        node = node.parent
    street = (
        Street.objects.filter(code__in=[grid.code[:n] for n in range(1, len(grid.code) + 1)])
        .order_by("-code")
        .first()
    )
    if street is not None:
        chain.append((street.name, None))
    return list(reversed(chain))


def dashboard(grid: Grid, *, user) -> Dashboard:
    """The dashboard of any grid (community, compound or building) for this viewer."""
    children = list(grid.children.order_by("code")) if grid.level < Level.BUILDING else [grid]
    located_in, building_key = CHILD_FIELD[grid.level]
    scope = SCOPE_FIELD[grid.level]

    buildings = Grid.objects.filter(code__startswith=grid.code, level=Level.BUILDING)
    led_ids = set(
        GridRole.objects.filter(role=RoleKind.BUILDING_LEADER, until__isnull=True,
                                grid__in=buildings).values_list("grid_id", flat=True)
    )
    n_buildings = _per_child(buildings, building_key)
    n_led = _per_child(buildings.filter(pk__in=led_ids), building_key)
    n_members = _per_child(Member.objects.filter(**{scope: grid}), f"{located_in}_id")
    households = Household.objects.filter(**{scope: grid})
    n_households = _per_child(households, f"{located_in}_id")
    residents = Resident.objects.filter(**{f"household__{scope}": grid})
    n_residents = _per_child(residents, f"household__{located_in}_id")
    n_located = _per_child(residents.filter(household__building__isnull=False),
                           f"household__{located_in}_id")

    features = []
    for child in children:
        c = child.pk
        features.append(_feature(child, {
            "code": child.code,
            "name": child.name,
            "kind": child.get_kind_display(),
            "buildings": n_buildings.get(c, 0),
            "led": n_led.get(c, 0),
            "leaders": _share(n_led.get(c, 0), n_buildings.get(c, 0)),
            "members_n": n_members.get(c, 0),
            "households": n_households.get(c, 0),
            "members": (round(100 * n_members.get(c, 0) / n_households[c], 1)
                        if n_households.get(c) else None),
            "located": _share(n_located.get(c, 0), n_residents.get(c, 0)),
            "url_code": child.code if child.pk != grid.pk else "",
        }))

    phones = may_see_phones(user, grid)
    leaders = []
    roles = (
        GridRole.objects.filter(role=RoleKind.BUILDING_LEADER, until__isnull=True,
                                grid__in=buildings)
        .select_related("grid", "member")
        .order_by("grid__code")
    )
    for role in roles:
        point = role.grid.geom.point_on_surface
        m = role.member
        leaders.append({
            "lat": round(point.y, 7), "lon": round(point.x, 7),
            "building": role.grid.name, "code": role.grid.code, "name": m.name,
            "pledge": m.pledge, "specialty": m.specialty,
            "phone": m.phone if phones else m.masked_phone,
        })
    unled = [{"code": b.code, "name": b.name}
             for b in buildings.exclude(pk__in=led_ids).order_by("code").only("code", "name")]

    # Totals over the whole grid, people outside every child included.
    total_buildings = sum(n_buildings.values())
    total_members = Member.objects.filter(**{scope: grid}).count()
    total_households = households.count()
    total_residents = residents.count()
    total_located = residents.filter(household__building__isnull=False).count()
    totals = {
        "buildings": total_buildings,
        "led": len(led_ids),
        "leaders": _share(len(led_ids), total_buildings),
        "members": total_members,
        "households": total_households,
        "residents": total_residents,
        "located": _share(total_located, total_residents),
        "members_per_100": (round(100 * total_members / total_households, 1)
                            if total_households else None),
    }
    return Dashboard(
        grid=grid,
        breadcrumbs=breadcrumbs(grid),
        outline=_feature(grid, {"code": grid.code, "name": grid.name}),
        children={"type": "FeatureCollection", "features": features},
        leaders=leaders,
        unled=unled,
        totals=totals,
    )
