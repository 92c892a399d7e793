"""Readers of grids: GeoJSON for maps and the counts behind them. Nothing personal here."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from gridgov.grids.models import Grid, GridRole, Level, RoleKind, Street
from gridgov.people.models import Household, Member


def _round(coords: Any, ndigits: int = 7) -> Any:
    if isinstance(coords, (int, float)):
        return round(coords, ndigits)
    return [_round(c, ndigits) for c in coords]


def grids_geojson(qs: QuerySet[Grid], *, leaders: dict[int, str] | None = None) -> dict:
    """A GeoJSON FeatureCollection of grids with their public properties."""
    features = []
    for grid in qs.only("id", "code", "name", "level", "kind", "geom"):
        geometry = json.loads(grid.geom.json)
        geometry["coordinates"] = _round(geometry["coordinates"])
        props = {
            "code": grid.code,
            "name": grid.name,
            "level": grid.get_level_display(),
            "kind": grid.get_kind_display(),
        }
        if leaders is not None:
            props["leader"] = leaders.get(grid.pk, "") or _("no building leader")
            props["has_leader"] = grid.pk in leaders
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def current_leaders(role: str = RoleKind.BUILDING_LEADER) -> dict[int, str]:
    """Grid id -> name of the member currently holding the role (public: 亮身份)."""
    rows = GridRole.objects.filter(role=role, until__isnull=True).values_list(
        "grid_id", "member__name"
    )
    return dict(rows)


def street_layers() -> dict[str, dict]:
    """The three levels of the whole deployment as GeoJSON, buildings with their leader."""
    return {
        "communities": grids_geojson(Grid.objects.filter(level=Level.COMMUNITY)),
        "compounds": grids_geojson(Grid.objects.filter(level=Level.COMPOUND)),
        "buildings": grids_geojson(
            Grid.objects.filter(level=Level.BUILDING), leaders=current_leaders()
        ),
    }


def community_summaries() -> list[dict[str, Any]]:
    """Per community: compounds, buildings, buildings with a leader, members, households."""
    communities = list(Grid.objects.filter(level=Level.COMMUNITY).order_by("code"))
    buildings = dict(
        Grid.objects.filter(level=Level.BUILDING)
        .values_list("parent__parent_id")
        .annotate(n=Count("id"))
    )
    compounds = dict(
        Grid.objects.filter(level=Level.COMPOUND).values_list("parent_id").annotate(n=Count("id"))
    )
    led = dict(
        Grid.objects.filter(level=Level.BUILDING)
        .filter(Q(roles__role=RoleKind.BUILDING_LEADER, roles__until__isnull=True))
        .values_list("parent__parent_id")
        .annotate(n=Count("id", distinct=True))
    )
    members = dict(Member.objects.values_list("community_id").annotate(n=Count("id")))
    households = dict(Household.objects.values_list("community_id").annotate(n=Count("id")))
    out = []
    for c in communities:
        n_buildings = buildings.get(c.pk, 0)
        out.append(
            {
                "code": c.code,
                "name": c.name,
                "compounds": compounds.get(c.pk, 0),
                "buildings": n_buildings,
                "led": led.get(c.pk, 0),
                "leader_share": round(100 * led.get(c.pk, 0) / n_buildings) if n_buildings else 0,
                "members": members.get(c.pk, 0),
                "households": households.get(c.pk, 0),
            }
        )
    return out


def site_counts() -> dict[str, int]:
    """Totals for the home page (aggregates only)."""
    by_level = dict(Grid.objects.values_list("level").annotate(n=Count("id")))
    return {
        "streets": Street.objects.count(),
        "communities": by_level.get(Level.COMMUNITY, 0),
        "compounds": by_level.get(Level.COMPOUND, 0),
        "buildings": by_level.get(Level.BUILDING, 0),
        "members": Member.objects.count(),
        "members_located": Member.objects.filter(building__isnull=False).count(),
        "households": Household.objects.count(),
    }
