"""Importing grid boundaries from a file: check every feature, then write all or nothing.

geodata.io reads the file (GeoJSON, zipped Shapefile, GeoPackage) and converts coordinates to
WGS84; this module applies the grid rules to every feature before anything is written:
the one-row rules of Grid.clean(), validity, nesting and overlap through
geodata.topology.check_nesting with the tolerance grid_check uses, the file's own features
standing in for the grids they replace. One bad feature and nothing is written; the
exception lists every bad feature.

Writes are batched (bulk_create / bulk_update, audit rows included): a district's 50k
buildings import in one transaction without one query per feature.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from geodata.io import RawFeature, ReadError, outside_lonlat, read_features, to_multipolygon
from geodata.measure import project
from geodata.topology import check_nesting, invalid_reason
from gridgov.accounts.models import AuditEntry
from gridgov.accounts.services import snapshot
from gridgov.grids import codes
from gridgov.grids.location import relocate_within
from gridgov.grids.models import Grid, GridVersion, Kind, Level
from gridgov.grids.services import TOLERANCE_M2, same_boundary, version_starts

LEVELS = {"community": Level.COMMUNITY, "compound": Level.COMPOUND, "building": Level.BUILDING}
DEFAULT_KIND = {
    Level.COMMUNITY: Kind.COMMUNITY,
    Level.COMPOUND: Kind.RESIDENTIAL,
    Level.BUILDING: Kind.BUILDING,
}
# Attribute names tried, case-insensitively, when no --code-field / --name-field is given.
# The escapes are the Chinese column names 编码 (code) and 名称 (name) common in city data.
CODE_FIELDS = ("code", "grid_code", "\u7f16\u7801")
NAME_FIELDS = ("name", "\u540d\u79f0")
# A parent's code: generic names, then the ancestor codes export_geojson writes (Shapefiles
# cut field names to 10 characters).
PARENT_FIELDS = ("parent_code", "parent_cod", "parent")
ANCESTOR_FIELDS = {
    Level.COMPOUND: ("community_code", "community_"),
    Level.BUILDING: ("compound_code", "compound_c"),
}
KIND_FIELDS = ("kind",)
CODE_MAX, NAME_MAX = 40, 100
BATCH = 1000

Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass(frozen=True)
class FeatureProblem:
    """Why one feature is refused: its 1-based index, code (or GDAL id), field and reason."""

    index: int
    ident: str
    field: str
    reason: str

    def __str__(self) -> str:
        return _("feature %(index)s (%(ident)s), %(field)s: %(reason)s") % {
            "index": self.index,
            "ident": self.ident,
            "field": self.field,
            "reason": self.reason,
        }


class ImportFailed(Exception):
    """The file was refused and nothing was written. ``problems`` lists every bad feature."""

    def __init__(self, message: str, problems: Iterable[FeatureProblem] = (), total: int = 0):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)
        self.total = total


@dataclass
class Row:
    """One feature on its way in."""

    index: int
    ident: str
    code: str
    name: str
    kind: str | None
    parent_hint: str | None  # a parent code from the file's parent field
    geom: BaseGeometry | None  # MultiPolygon in WGS84, None when unusable
    parent_id: int | None = None
    existing_id: int | None = None
    ok: bool = True
    action: str = ""  # "create" | "update" | "unchanged"
    geom_changed: bool = False


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


@dataclass
class ImportResult:
    """What an import did (or, dry run, would do), with timings in seconds."""

    plan: ImportPlan
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    versions: int = 0
    dry_run: bool = False
    timings: dict[str, float] = field(default_factory=dict)


# --- fields -------------------------------------------------------------------------------


def _pick_field(
    fields: tuple[str, ...],
    given: str | None,
    candidates: tuple[str, ...],
    option: str,
    required: bool = True,
) -> str | None:
    if given:
        if given in fields:
            return given
        raise ImportFailed(
            _("No field %(field)s in the layer (--%(option)s). Its fields: %(fields)s.")
            % {"field": given, "option": option, "fields": ", ".join(fields) or "-"}
        )
    by_lower = {f.lower(): f for f in fields}
    for name in candidates:
        if name.lower() in by_lower:
            return by_lower[name.lower()]
    if not required:
        return None
    raise ImportFailed(
        _(
            "No %(option)s found: tried %(tried)s; name it with --%(option)s. The layer's fields: "
            "%(fields)s."
        )
        % {"option": option, "tried": ", ".join(candidates), "fields": ", ".join(fields) or "-"}
    )


def _text(value: Any) -> str:
    """An attribute as text; integral numbers without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- checking -----------------------------------------------------------------------------


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
    progress: Progress = _no_progress,
) -> ImportPlan:
    """Read and check every feature of the file; raise ImportFailed listing every bad one."""
    start = time.perf_counter()
    level = Level(level)
    try:
        info, features = read_features(path, layer=layer, source_crs=source_crs, encoding=encoding)
    except ReadError as exc:
        raise ImportFailed(str(exc)) from exc
    if info.count == 0:
        raise ImportFailed(_("%(path)s holds no features.") % {"path": path})
    fields = {
        "code": _pick_field(info.fields, code_field, CODE_FIELDS, "code-field"),
        "name": _pick_field(info.fields, name_field, NAME_FIELDS, "name-field"),
        "parent": None
        if level == Level.COMMUNITY or parent_code
        else _pick_field(
            info.fields,
            None,
            PARENT_FIELDS + ANCESTOR_FIELDS[level],
            "parent-field",
            required=False,
        ),
        "kind": _pick_field(info.fields, None, KIND_FIELDS, "kind-field", required=False),
    }
    parents = _parents(level, parent_code)

    problems: list[FeatureProblem] = []
    rows: list[Row] = []
    first_index: dict[str, int] = {}
    for raw in _reading(features):
        row = _row(raw, fields, problems)
        if row.code:
            if row.code in first_index:
                _refuse(
                    row,
                    problems,
                    fields["code"],
                    _("duplicate code: feature %(first)s has the same code")
                    % {"first": first_index[row.code]},
                )
            else:
                first_index[row.code] = row.index
        rows.append(row)
        progress(_("reading"), len(rows), info.count)
    if not rows:
        raise ImportFailed(_("%(path)s holds no features.") % {"path": path})

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
        _refuse(placed[code], problems, fields["code"], reason)
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


def _reading(features: Iterator[RawFeature]) -> Iterator[RawFeature]:
    """The features, a file that cannot be read further refused as a whole."""
    try:
        yield from features
    except ReadError as exc:
        raise ImportFailed(str(exc)) from exc


def _refuse(row: Row, problems: list[FeatureProblem], fieldname: str | None, reason: str) -> None:
    row.ok = False
    problems.append(FeatureProblem(row.index, row.ident, fieldname or "-", str(reason)))


def _row(raw, fields: dict[str, str | None], problems: list[FeatureProblem]) -> Row:
    code = _text(raw.properties.get(fields["code"]))
    name = _text(raw.properties.get(fields["name"]))
    kind = _text(raw.properties.get(fields["kind"])) if fields["kind"] else ""
    hint = _text(raw.properties.get(fields["parent"])) if fields["parent"] else ""
    ident = _("code %(code)s") % {"code": code} if code else _("id %(fid)s") % {"fid": raw.fid}
    row = Row(raw.index, ident, code, name, kind or None, hint or None, None)
    if not code:
        _refuse(row, problems, fields["code"], _("missing code"))
    elif len(code) > CODE_MAX:
        _refuse(
            row, problems, fields["code"], _("code longer than %(n)s characters") % {"n": CODE_MAX}
        )
    if not name:
        _refuse(row, problems, fields["name"], _("missing name"))
    elif len(name) > NAME_MAX:
        _refuse(
            row, problems, fields["name"], _("name longer than %(n)s characters") % {"n": NAME_MAX}
        )
    geom_field = _("geometry")
    if raw.geom is None:
        _refuse(row, problems, geom_field, raw.error or _("no geometry"))
        return row
    geom = to_multipolygon(raw.geom)
    if geom is None:
        _refuse(
            row,
            problems,
            geom_field,
            _("a boundary must be a polygon, not a %(type)s") % {"type": raw.geom.geom_type},
        )
        return row
    bounds = outside_lonlat(geom)
    if bounds:
        _refuse(
            row,
            problems,
            geom_field,
            _(
                "coordinates outside longitude -180..180 / latitude -90..90 %(bounds)s: "
                "projected metres read as degrees? Give a file with its coordinate system, "
                "or --source-crs for longitude/latitude in another datum"
            )
            % {"bounds": tuple(round(v, 3) for v in bounds)},
        )
        return row
    reason = invalid_reason(geom)
    if reason:
        _refuse(
            row,
            problems,
            geom_field,
            _("invalid geometry (not repaired): %(reason)s") % {"reason": reason},
        )
        return row
    row.geom = geom
    return row


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
            _refuse(
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
                _refuse(
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
            _refuse(
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
                    _refuse(row, problems, names.get(name) or name, message)


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
            _refuse(row, problems, geom_field, reason)
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
        row.geom_changed = not same_boundary(geom, _geos(row.geom))
        same = (
            name == row.name
            and parent_id == row.parent_id
            and (row.kind is None or row.kind == kind)
            and not row.geom_changed
        )
        row.action = "unchanged" if same else "update"


def _geos(geom: BaseGeometry) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4326)


# --- writing ------------------------------------------------------------------------------


def import_apply(
    plan: ImportPlan, *, acting_user=None, progress: Progress = _no_progress
) -> ImportResult:
    """Write a checked plan in one transaction: new grids, updated grids with their previous
    boundary kept as a GridVersion, an audit row each, then re-locate people around them."""
    result = ImportResult(plan=plan, unchanged=plan.count("unchanged"))
    result.timings["check"] = plan.seconds
    start = time.perf_counter()
    actor = acting_user if getattr(acting_user, "is_authenticated", False) else None
    level = Level(plan.level)
    # Only the box around what moved is kept (for re-locating people), never the geometries:
    # a batch's grids, GEOS copies and audit snapshots are let go before the next batch.
    touched = _Box()
    with transaction.atomic():
        now = timezone.now()
        creates = [r for r in plan.rows if r.action == "create"]
        updates = [r for r in plan.rows if r.action == "update"]
        total = len(creates) + len(updates)
        done = 0
        for chunk in _batches(creates):
            new = [
                Grid(
                    level=level,
                    code=r.code,
                    name=r.name,
                    kind=r.kind or DEFAULT_KIND[level],
                    parent_id=r.parent_id,
                    geom=_geos(r.geom),
                )
                for r in chunk
            ]
            Grid.objects.bulk_create(new)
            AuditEntry.objects.bulk_create(
                [_audit(actor, "grid.create", grid, None, snapshot(grid)) for grid in new]
            )
            touched.add(r.geom for r in chunk)
            result.created += len(new)
            done += len(chunk)
            progress(_("writing"), done, total)
        for chunk in _batches(updates):
            grids = Grid.objects.select_for_update().in_bulk([r.existing_id for r in chunk])
            starts = version_starts([r.existing_id for r in chunk if r.geom_changed])
            versions, audits = [], []
            for row in chunk:
                grid = grids[row.existing_id]
                before = snapshot(grid)
                if row.geom_changed:
                    versions.append(
                        GridVersion(
                            grid=grid,
                            geom=grid.geom,
                            name=grid.name,
                            valid_from=starts[grid.pk],
                            valid_to=now,
                        )
                    )
                if row.geom_changed or grid.parent_id != row.parent_id:
                    touched.add([shapely.from_wkb(bytes(grid.geom.wkb)), row.geom])
                grid.name, grid.parent_id, grid.updated_at = row.name, row.parent_id, now
                grid.kind = row.kind or grid.kind
                if row.geom_changed:
                    grid.geom = _geos(row.geom)
                audits.append(_audit(actor, "grid.update", grid, before, snapshot(grid)))
            _write_updates([(grids[r.existing_id], r) for r in chunk], now)
            GridVersion.objects.bulk_create(versions)
            AuditEntry.objects.bulk_create(audits)
            result.versions += len(versions)
            result.updated += len(chunk)
            done += len(chunk)
            progress(_("writing"), done, total)
        result.timings["write"] = time.perf_counter() - start
        start = time.perf_counter()
        if touched.bounds is not None:
            relocate_within(touched.bounds)
        result.timings["relocate"] = time.perf_counter() - start
    return result


BATCH_VERTICES = 200_000  # a batch's audit snapshots hold its geometries as text, twice


def _batches(rows: list[Row]) -> Iterator[list[Row]]:
    """Rows in batches of at most BATCH features and about BATCH_VERTICES vertices: a
    district's small buildings go 1,000 at a time, surveyed boundaries of thousands of
    vertices a few dozen at a time, so memory stays flat whatever the file holds."""
    chunk: list[Row] = []
    vertices = 0
    for row in rows:
        chunk.append(row)
        vertices += int(shapely.get_num_coordinates(row.geom)) if row.geom is not None else 0
        if len(chunk) >= BATCH or vertices >= BATCH_VERTICES:
            yield chunk
            chunk, vertices = [], 0
    if chunk:
        yield chunk


class _Box:
    """A growing bounding box (xmin, ymin, xmax, ymax) of the geometries added."""

    def __init__(self) -> None:
        self.bounds: tuple[float, float, float, float] | None = None

    def add(self, geoms: Iterable[BaseGeometry]) -> None:
        geoms = [g for g in geoms if g is not None]
        if not geoms:
            return
        b = shapely.total_bounds(geoms).tolist()
        if self.bounds is not None:
            b = [
                min(b[0], self.bounds[0]),
                min(b[1], self.bounds[1]),
                max(b[2], self.bounds[2]),
                max(b[3], self.bounds[3]),
            ]
        self.bounds = (b[0], b[1], b[2], b[3])


def _write_updates(pairs: list[tuple[Grid, Row]], now) -> None:
    """UPDATE the changed grids, one executemany per kind of change. (bulk_update builds a
    CASE over every row of a batch in Python: minutes for 50k buildings.) ST_GeomFromWKB is
    spelled the same in PostGIS and SpatiaLite."""
    table = connection.ops.quote_name(Grid._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(now)
    sets = "name = %s, kind = %s, parent_id = %s, updated_at = %s"
    moved = [
        (g.name, g.kind, g.parent_id, at, shapely.to_wkb(r.geom), g.pk)
        for g, r in pairs
        if r.geom_changed
    ]
    kept = [(g.name, g.kind, g.parent_id, at, g.pk) for g, r in pairs if not r.geom_changed]
    with connection.cursor() as cursor:
        if moved:
            cursor.executemany(
                f"UPDATE {table} SET {sets}, geom = ST_GeomFromWKB(%s, 4326) WHERE id = %s", moved
            )
        if kept:
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", kept)


def _audit(actor, action: str, grid: Grid, before: dict | None, after: dict) -> AuditEntry:
    """The row gridgov.accounts.services.audit_record writes, unsaved, for bulk_create."""
    return AuditEntry(
        actor=actor,
        action=action,
        object_type=grid._meta.label_lower,
        object_id=str(grid.pk),
        object_repr=str(grid)[:200],
        before=before,
        after=after,
    )


def grids_import(
    path: str | Path,
    *,
    level: int,
    acting_user=None,
    dry_run: bool = False,
    progress: Progress = _no_progress,
    **options: Any,
) -> ImportResult:
    """Check the whole file, then (unless a dry run) write it, all in one transaction so the
    checks see the database the writes change. Raises ImportFailed, writing nothing."""
    if dry_run:
        plan = import_plan(path, level=level, progress=progress, **options)
        result = ImportResult(
            plan=plan,
            created=plan.count("create"),
            updated=plan.count("update"),
            unchanged=plan.count("unchanged"),
            dry_run=True,
        )
        result.versions = sum(1 for r in plan.rows if r.action == "update" and r.geom_changed)
        result.timings["check"] = plan.seconds
        return result
    with transaction.atomic():
        _one_import_at_a_time()
        plan = import_plan(path, level=level, progress=progress, **options)
        return import_apply(plan, acting_user=acting_user, progress=progress)


# Any number fixed for the project: the key of the PostgreSQL advisory lock imports share.
IMPORT_LOCK_KEY = 0x67726964  # "grid"


def _one_import_at_a_time() -> None:
    """Imports run one after another, each checking the database the previous one left: two
    imports of the same file give the first's grids and, for the second, "unchanged" (not a
    unique-code error half-way through). PostgreSQL: a transaction-level advisory lock,
    released at commit or rollback. SQLite: the transaction already began with BEGIN
    IMMEDIATE (settings), which takes the database's write lock for its whole length."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
