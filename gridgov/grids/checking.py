"""The topology report of the stored grids (manage.py check_grids): load, check, render.

Geometry checks are geodata.topology.check_tree's (pure, vectorised); this module loads the
grids, adds the code rule (gridgov.grids.codes: codes beginning with a code not their
ancestor's, street codes beginning with another's, communities under no street) and one
governance check (buildings nobody is located in: no row of an occupant model, the models
an app above grids registers with ``register_occupant`` when it is ready, as people does for
households and members), and renders the problems as translated
text lines or as a GeoJSON FeatureCollection.
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.db.models import Exists, Model, OuterRef
from django.utils.translation import gettext as _

from geodata import export as gexport
from geodata.measure import project
from geodata.topology import GridRow, Problem, check_tree
from gridgov.grids import codes
from gridgov.grids.models import Grid, Level
from gridgov.grids.services import TOLERANCE_M2

KINDS = ("code", "invalid", "outside_parent", "overlap", "gap", "sliver", "unoccupied")

# The models whose rows, located in a building (a ``building`` foreign key), make it occupied.
OCCUPANTS: list[type[Model]] = []


def register_occupant(model: type[Model]) -> None:
    """Count the rows of ``model`` located in a building as its occupants (once per model)."""
    if model not in OCCUPANTS:
        OCCUPANTS.append(model)


def _rows(qs) -> list[GridRow]:
    rows = list(qs.annotate(wkb=AsWKB("geom")).values_list("code", "parent__code", "level", "wkb"))
    geoms = shapely.from_wkb([bytes(r[3]) if r[3] is not None else None for r in rows])
    return [(r[0], r[1], r[2], g) for r, g in zip(rows, geoms, strict=True)]


def load_grids(prefix: str | None = None) -> tuple[list[GridRow], int]:
    """The grids to check (code, parent code, level, shapely geometry) and how many of them
    are under ``prefix``; the parents of the top ones come along, so that the check can tell
    whether the top grids stick out of their parent."""
    qs = Grid.objects.order_by("code")
    if not prefix:
        rows = _rows(qs)
        return rows, len(rows)
    rows = _rows(qs.filter(code__startswith=prefix))
    context = _rows(
        qs.filter(children__code__startswith=prefix).exclude(code__startswith=prefix).distinct()
    )
    return rows + context, len(rows)


def unoccupied_buildings(prefix: str | None = None) -> list[Problem]:
    """Building grids with no occupant (no household and no member) located in them; none
    when no occupant model is registered."""
    if not OCCUPANTS:
        return []
    qs = Grid.objects.filter(level=Level.BUILDING)
    if prefix:
        qs = qs.filter(code__startswith=prefix)
    for model in OCCUPANTS:
        qs = qs.filter(~Exists(model._default_manager.filter(building=OuterRef("pk"))))
    qs = qs.order_by("code")
    rows = list(qs.annotate(wkb=AsWKB("geom")).values_list("code", "wkb"))
    geoms = list(shapely.from_wkb([bytes(wkb) for _code, wkb in rows]))
    areas = shapely.area(np.array(project(geoms), dtype=object)) if geoms else []
    return [
        Problem("unoccupied", "no household, no member", float(area), code=code, geom=geom)
        for (code, _wkb), geom, area in zip(rows, geoms, areas, strict=True)
    ]


def code_problems(prefix: str | None = None) -> list[Problem]:
    """The stored codes breaking the code rule (kind "code", no geometry): ``other`` is the
    code it begins with; ``detail`` says "sibling", "ancestor", "street" or "no street"."""
    found = [
        Problem("code", "sibling" if c.sibling else "ancestor", code=c.code, other=c.other)
        for c in codes.stored_conflicts()
    ]
    found += [Problem("code", "street", code=c, other=p) for c, p in codes.street_conflicts()]
    found += [Problem("code", "no street", code=c) for c in codes.communities_without_street()]
    if prefix:
        found = [p for p in found if p.code.startswith(prefix) or p.other.startswith(prefix)]
    return found


def grid_report(prefix: str | None = None) -> tuple[list[Problem], int]:
    """Every problem of the grids under ``prefix`` (all grids when None), by kind then code,
    and the number of grids checked."""
    rows, checked = load_grids(prefix)
    problems = check_tree(rows, tolerance_m2=TOLERANCE_M2) + unoccupied_buildings(prefix)
    if prefix:
        problems = [p for p in problems if p.code.startswith(prefix)]
    problems += code_problems(prefix)
    order = {kind: n for n, kind in enumerate(KINDS)}
    problems.sort(key=lambda p: (order[p.kind], p.code, p.other))
    return problems, checked


def describe(p: Problem) -> str:
    """One human-readable line for a problem (translated)."""
    if p.kind == "code":
        if p.detail == "street":
            return _("Street %(code)s: its code begins with street %(other)s's code.") % {
                "code": p.code,
                "other": p.other,
            }
        if p.detail == "no street":
            return _("Community %(code)s lies under no street office.") % {"code": p.code}
        return codes.message(codes.Conflict(p.code, p.other, p.detail == "sibling"))
    if p.kind == "invalid":
        return _("Grid %(code)s: invalid geometry: %(reason)s") % {
            "code": p.code,
            "reason": p.detail,
        }
    if p.kind == "outside_parent":
        return _("Grid %(code)s: %(area).1f m² lie outside its parent %(parent)s.") % {
            "code": p.code,
            "area": p.area_m2,
            "parent": p.other,
        }
    if p.kind == "overlap":
        return _("Grids %(code)s and %(other)s overlap by %(area).1f m².") % {
            "code": p.code,
            "other": p.other,
            "area": p.area_m2,
        }
    if p.kind == "gap":
        point = p.geom.representative_point() if p.geom is not None else None
        return _(
            "Grid %(code)s: %(area).1f m² not covered by its children (near %(lon).6f, %(lat).6f)."
        ) % {
            "code": p.code,
            "area": p.area_m2,
            "lon": point.x if point else 0,
            "lat": point.y if point else 0,
        }
    if p.kind == "sliver":
        return _("Grid %(code)s: sliver of %(area).2f m², thinness 4πA/P² = %(t).3f.") % {
            "code": p.code,
            "area": p.area_m2,
            "t": p.thinness or 0.0,
        }
    return _("Building %(code)s: no household and no member located in it.") % {"code": p.code}


def heading(kind: str) -> str:
    return {
        "code": _("Codes breaking the code rule"),
        "invalid": _("Invalid geometries"),
        "outside_parent": _("Children outside their parent"),
        "overlap": _("Overlapping grids"),
        "gap": _("Gaps not covered by children"),
        "sliver": _("Slivers"),
        "unoccupied": _("Buildings with no household and no member"),
    }[kind]


def summary(problems: list[Problem], checked: int) -> str:
    n = Counter(p.kind for p in problems)
    return _(
        "%(grids)d grids checked, %(total)d problems: %(invalid)d invalid, %(outside)d outside "
        "their parent, %(overlap)d overlaps, %(gap)d gaps, %(sliver)d slivers, "
        "%(unoccupied)d buildings with nobody."
    ) % {
        "grids": checked,
        "total": len(problems),
        "invalid": n["invalid"],
        "outside": n["outside_parent"],
        "overlap": n["overlap"],
        "gap": n["gap"],
        "sliver": n["sliver"],
        "unoccupied": n["unoccupied"],
    } + (" " + _("%(n)d codes break the code rule.") % {"n": n["code"]} if n["code"] else "")


def render_text(problems: list[Problem], checked: int) -> list[str]:
    """The report as lines: a heading per kind, one line per problem, then the summary."""
    lines = []
    for kind in KINDS:
        of_kind = [p for p in problems if p.kind == kind]
        if of_kind:
            lines.append(f"== {heading(kind)} ({len(of_kind)}) ==")
            lines.extend(describe(p) for p in of_kind)
    lines.append(summary(problems, checked))
    return lines


def write_report_geojson(problems: list[Problem], stream: TextIO) -> int:
    """The problems as a GeoJSON FeatureCollection, each with the problem's own geometry."""
    items = (
        (
            {
                "kind": p.kind,
                "code": p.code,
                "other_code": p.other or None,
                "area_m2": round(p.area_m2, 2),
                "detail": p.detail,
                "message": describe(p),
            },
            p.geom,
        )
        for p in problems
    )
    return gexport.write_geojson(items, stream)
