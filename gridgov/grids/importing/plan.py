"""Planning an import: every feature read (importing/read.py) checked against the grid rules
before anything is written, and what would change.

The checks: a parent for each feature one level up (--parent-code, the file's parent field,
or the parent sharing the most area), a code not taken at another level, Grid.clean()'s
one-row rules, the code rule (gridgov.grids.codes), and validity, nesting and overlap through
geodata.topology.check_nesting with the tolerance check_grids uses, the file's own features
standing in for the grids they replace. One bad feature and the plan is refused: ImportFailed
lists every bad feature. A checked plan says of each feature: create, update or unchanged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from geodata.measure import project
from geodata.topology import check_nesting
from gridgov.grids import codes
from gridgov.grids.importing.read import (
    FeatureProblem,
    ImportFailed,
    Progress,
    Row,
    no_progress,
    open_layer,
    pick_fields,
    read_rows,
    refuse,
)
from gridgov.grids.models import Grid, Kind, Level
from gridgov.grids.services import TOLERANCE_M2, same_boundary

# The levels by the names import_grids --level takes.
LEVELS = {"community": Level.COMMUNITY, "compound": Level.COMPOUND, "building": Level.BUILDING}
DEFAULT_KIND = {
    Level.COMMUNITY: Kind.COMMUNITY,
    Level.COMPOUND: Kind.RESIDENTIAL,
    Level.BUILDING: Kind.BUILDING,
}


@dataclass
class ImportPlan:
    """What an import would do, every feature checked."""

    level: int
    layer: str
    fields: dict[str, str | None]
    rows: list[Row]
    transformed: str  # how coordinates were converted, for the report
    seconds: float = 0.0
    encoding: str = ""  # the attributes' text encoding and how it was chosen, for the report

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    def codes(self, action: str) -> list[str]:
        return [r.code for r in self.rows if r.action == action]


def import_plan(
    path: str | Path,
    *,
    level: int,
    code_field: str | None = None,
    name_field: str | None = None,
    parent_code: str | None = None,
    source_crs: str | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    progress: Progress = no_progress,
) -> ImportPlan:
    """Read and check every feature of the file; raise ImportFailed listing every bad one."""
    start = time.perf_counter()
    level = Level(level)
    info, features = open_layer(path, layer=layer, source_crs=source_crs, encoding=encoding)
    fields = pick_fields(
        info, level=level, code_field=code_field, name_field=name_field, parent_code=parent_code
    )
    parents = _parents(level, parent_code)

    problems: list[FeatureProblem] = []
    rows = read_rows(path, info, features, fields, problems, progress)

    _match_existing(rows, level, fields, problems)
    _resolve_parents(rows, level, parents, parent_code, fields, problems)
    _check_rows(rows, level, parents, fields, problems)
    # The code rule (gridgov.grids.codes): no code begins with a grid's code but its
    # ancestors', against the stored grids and the file's other features.
    placed = {r.code: r for r in rows if r.code and (level == Level.COMMUNITY or r.parent_id)}
    for code, reason in codes.batch_problems(
        {c: parents.grid[r.parent_id].code if r.parent_id else None for c, r in placed.items()},
        level,
    ):
        refuse(placed[code], problems, fields["code"], reason)
    _check_nesting(rows, level, parents, problems, progress)
    if problems:
        problems.sort(key=lambda p: p.index)
        raise ImportFailed(
            _("Nothing imported: %(bad)s of %(total)s features have problems.")
            % {"bad": len({p.index for p in problems}), "total": len(rows)},
            problems,
            len(rows),
        )
    _classify(rows)
    transformed = (
        _("converted from %(crs)s") % {"crs": source_crs}
        if source_crs
        else _("transformed by GDAL from %(srs)s") % {"srs": info.srs_label}
        if info.transformed
        else _("taken as WGS84")
    )
    return ImportPlan(
        level,
        info.name,
        fields,
        rows,
        transformed,
        time.perf_counter() - start,
        info.encoding.describe(),
    )


@dataclass
class _Parents:
    """The grids one level up: ids, codes and geometries (WGS84), and a light Grid each."""

    ids: list[int]
    codes: list[str]
    geoms: list[BaseGeometry]
    by_code: dict[str, int]
    grid: dict[int, Grid]


def _parents(level: int, parent_code: str | None) -> _Parents:
    if level == Level.COMMUNITY:
        if parent_code:
            raise ImportFailed(_("A community grid has no parent: leave out --parent-code."))
        return _Parents([], [], [], {}, {})
    up = Level(level - 1)
    rows = list(Grid.objects.filter(level=up).values_list("id", "code", "name", "geom"))
    if parent_code and parent_code not in {r[1] for r in rows}:
        raise ImportFailed(
            _("--parent-code %(code)s: no %(level)s grid has this code.")
            % {"code": parent_code, "level": up.label}
        )
    return _Parents(
        ids=[r[0] for r in rows],
        codes=[r[1] for r in rows],
        geoms=list(shapely.from_wkb([bytes(r[3].wkb) for r in rows])) if rows else [],
        by_code={r[1]: r[0] for r in rows},
        grid={r[0]: Grid(id=r[0], level=up, code=r[1], name=r[2]) for r in rows},
    )


def _match_existing(rows: list[Row], level: int, fields, problems) -> None:
    """Link rows to the grids they update; refuse a code used at another level."""
    existing = dict(Grid.objects.values_list("code", "id"))
    levels = dict(Grid.objects.exclude(level=level).values_list("code", "level"))
    for row in rows:
        if row.code in levels:
            refuse(
                row,
                problems,
                fields["code"],
                _("the code belongs to an existing %(level)s grid")
                % {"level": Level(levels[row.code]).label},
            )
        elif row.code in existing:
            row.existing_id = existing[row.code]


def _resolve_parents(
    rows: list[Row], level: int, parents: _Parents, parent_code: str | None, fields, problems
) -> None:
    """The parent of each row: --parent-code, the file's parent field, or containment (the
    grid one level up sharing the most area with the feature, measured in metres)."""
    if level == Level.COMMUNITY:
        return
    up = Level(level - 1)
    by_area: list[Row] = []
    for row in rows:
        if parent_code:
            row.parent_id = parents.by_code[parent_code]
        elif row.parent_hint:
            row.parent_id = parents.by_code.get(row.parent_hint)
            if row.parent_id is None:
                refuse(
                    row,
                    problems,
                    fields["parent"],
                    _("no %(level)s grid has the code %(code)s")
                    % {"level": up.label, "code": row.parent_hint},
                )
        elif row.geom is not None:
            by_area.append(row)
    if not by_area:
        return
    found = _most_overlapping([r.geom for r in by_area], parents.geoms)
    for row, idx in zip(by_area, found, strict=True):
        if idx < 0:
            refuse(
                row,
                problems,
                _("parent"),
                _(
                    "no %(level)s grid contains it: import the %(level)s grids first, or "
                    "give --parent-code"
                )
                % {"level": up.label},
            )
        else:
            row.parent_id = parents.ids[idx]


def _most_overlapping(geoms: list[BaseGeometry], parents: list[BaseGeometry]) -> np.ndarray:
    """For each geometry, the index of the parent sharing the largest area with it (-1: none),
    areas compared in a local equal-area projection (metres, not degrees)."""
    result = np.full(len(geoms), -1, dtype="int64")
    if not parents or not geoms:
        return result
    projected = project(list(parents) + list(geoms))
    pparents, pgeoms = projected[: len(parents)], projected[len(parents) :]
    tree = shapely.STRtree(pparents)
    gi, pi = tree.query(pgeoms, predicate="intersects")
    if not gi.size:
        return result
    areas = shapely.area(
        shapely.intersection(
            np.asarray(pgeoms, dtype=object)[gi], np.asarray(pparents, dtype=object)[pi]
        )
    )
    keep = areas > 0
    gi, pi, areas = gi[keep], pi[keep], areas[keep]
    order = np.lexsort((-areas, gi))  # by feature, largest area first
    gi, pi = gi[order], pi[order]
    first = np.r_[True, gi[1:] != gi[:-1]] if gi.size else np.zeros(0, dtype=bool)
    result[gi[first]] = pi[first]
    return result


def _check_rows(rows: list[Row], level: int, parents: _Parents, fields, problems) -> None:
    """Grid.clean()'s one-row rules: kind of the level, parent one level up, code prefix."""
    for row in rows:
        if not row.code or (level > Level.COMMUNITY and row.parent_id is None):
            continue
        grid = Grid(
            level=level,
            code=row.code,
            name=row.name,
            kind=row.kind or DEFAULT_KIND[Level(level)],
            parent=parents.grid.get(row.parent_id) if row.parent_id else None,
        )
        try:
            grid.clean()
        except ValidationError as exc:
            names = {"code": fields["code"], "kind": fields["kind"], "parent": _("parent")}
            for name, messages in exc.message_dict.items():
                for message in messages:
                    refuse(row, problems, names.get(name) or name, message)


def _check_nesting(
    rows: list[Row], level: int, parents: _Parents, problems, progress: Progress
) -> None:
    """Inside the parent and no overlap with siblings (existing grids of the same parent not
    in the file, and the file's other features), through geodata.topology.check_nesting."""
    file_codes = {r.code for r in rows}
    # Siblings: the file's features, then the existing grids the file does not replace.
    sib_codes: list[str] = []
    sib_parent: list[int] = []
    sib_geoms: list[BaseGeometry] = []
    for r in rows:
        if r.geom is not None:
            sib_codes.append(r.code)
            sib_parent.append(r.parent_id or 0)
            sib_geoms.append(r.geom)
    in_file = len(sib_codes)
    for code, parent_id, geom in (
        Grid.objects.filter(level=level)
        .values_list("code", "parent_id", "geom")
        .iterator(chunk_size=5000)
    ):
        if code not in file_codes:
            sib_codes.append(code)
            sib_parent.append(parent_id or 0)
            sib_geoms.append(shapely.from_wkb(bytes(geom.wkb)))
    checked = [r for r in rows if r.geom is not None and (level == Level.COMMUNITY or r.parent_id)]
    if not checked:
        return
    # Candidate siblings: same parent, intersecting but not merely touching (shared edges are
    # normal); check_nesting measures each candidate's overlap in m².
    tree = shapely.STRtree(sib_geoms)
    geoms = np.asarray([r.geom for r in checked], dtype=object)
    ri, si = tree.query(geoms, predicate="intersects")
    parent_of = np.asarray(sib_parent, dtype="int64")
    row_parent = np.asarray([r.parent_id or 0 for r in checked], dtype="int64")
    own = {id(g): i for i, g in enumerate(sib_geoms[:in_file])}
    keep = parent_of[si] == row_parent[ri]
    keep &= ~shapely.touches(geoms[ri], np.asarray(sib_geoms, dtype=object)[si])
    candidates: dict[int, list[int]] = {}
    for r, s in zip(ri[keep].tolist(), si[keep].tolist(), strict=True):
        if own.get(id(checked[r].geom)) != s:
            candidates.setdefault(r, []).append(s)
    parent_geom = dict(
        zip(parents.ids, zip(parents.codes, parents.geoms, strict=True), strict=True)
    )
    sticks_out = _may_stick_out(checked, parent_geom)
    geom_field = _("geometry")
    for n, row in enumerate(checked):
        siblings = [(sib_codes[s], sib_geoms[s]) for s in candidates.get(n, [])]
        parent = parent_geom[row.parent_id] if row.parent_id and sticks_out[n] else None
        for p in check_nesting(
            row.geom, parent=parent, siblings=siblings, tolerance_m2=TOLERANCE_M2
        ):
            if p.kind == "outside_parent":
                reason = _("%(area).1f m² lie outside its parent %(parent)s") % {
                    "area": p.area_m2,
                    "parent": p.other,
                }
            elif p.kind == "overlap":
                where = _("in this file") if p.other in file_codes else _("existing")
                reason = _("overlaps its sibling %(other)s (%(where)s) by %(area).1f m²") % {
                    "other": p.other,
                    "where": where,
                    "area": p.area_m2,
                }
            else:
                reason = _("invalid geometry (not repaired): %(reason)s") % {"reason": p.detail}
            refuse(row, problems, geom_field, reason)
        if n % 500 == 0 or n == len(checked) - 1:
            progress(_("checking"), n + 1, len(checked))


# An upper bound of the square metres in one square degree anywhere on WGS84 (1° of latitude
# is at most 111.7 km, 1° of longitude at most 111.33 km): a prefilter, never a measurement.
M2_PER_SQUARE_DEGREE_MAX = 1.25e10


def _may_stick_out(rows: list[Row], parent_geom: dict[int, tuple[str, BaseGeometry]]) -> np.ndarray:
    """Which rows may have more than the tolerance outside their parent. The others (most:
    a building inside its compound, at most a float-noise sliver out) skip the measurement in
    metres, which costs a projection each; check_nesting measures the rest."""
    if not rows or not parent_geom:
        return np.zeros(len(rows), dtype=bool)
    geoms = np.asarray([r.geom for r in rows], dtype=object)
    parents = np.asarray(
        [parent_geom[r.parent_id][1] if r.parent_id else None for r in rows], dtype=object
    )
    has = np.asarray([r.parent_id is not None for r in rows])
    out = np.zeros(len(rows))
    out[has] = shapely.area(shapely.difference(geoms[has], parents[has]))
    return has & (out * M2_PER_SQUARE_DEGREE_MAX > TOLERANCE_M2)


def _classify(rows: list[Row]) -> None:
    """create, update or unchanged, comparing with the stored grids."""
    ids = [r.existing_id for r in rows if r.existing_id]
    stored: dict[int, tuple] = {}
    for i in range(0, len(ids), 500):
        for pk, name, kind, parent_id, geom in Grid.objects.filter(
            pk__in=ids[i : i + 500]
        ).values_list("pk", "name", "kind", "parent_id", "geom"):
            stored[pk] = (name, kind, parent_id, geom)
    for row in rows:
        if not row.existing_id:
            row.action = "create"
            continue
        name, kind, parent_id, geom = stored[row.existing_id]
        row.geom_changed = not same_boundary(geom, as_geos(row.geom))
        same = (
            name == row.name
            and parent_id == row.parent_id
            and (row.kind is None or row.kind == kind)
            and not row.geom_changed
        )
        row.action = "unchanged" if same else "update"


def as_geos(geom: BaseGeometry) -> GEOSGeometry:
    """A shapely geometry as GEOS (SRID 4326), for comparing with and writing to a Grid."""
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4326)
