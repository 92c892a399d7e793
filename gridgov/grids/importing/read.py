"""Reading a boundary file for import: open it through geodata.io (GeoJSON, zipped
Shapefile, GeoPackage; coordinates converted to WGS84), pick the code, name, parent and kind
fields, and turn every feature into a Row, refusing a feature with its reason (a missing or
over-long code or name, a code used twice in the file, no polygon, coordinates outside
longitude/latitude, invalid geometry). Nothing here reads the stored grids: that is the plan
(importing/plan.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from geodata.io import (
    LayerInfo,
    RawFeature,
    ReadError,
    outside_lonlat,
    read_features,
    to_multipolygon,
)
from geodata.topology import invalid_reason
from gridgov.grids.models import Level

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

Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
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


def refuse(row: Row, problems: list[FeatureProblem], fieldname: str | None, reason: str) -> None:
    """Mark a row bad and say why (the plan's checks refuse rows the same way)."""
    row.ok = False
    problems.append(FeatureProblem(row.index, row.ident, fieldname or "-", str(reason)))


def open_layer(
    path: str | Path,
    *,
    layer: str | None = None,
    source_crs: str | None = None,
    encoding: str | None = None,
) -> tuple[LayerInfo, Iterator[RawFeature]]:
    """The layer's description and its features (read lazily); ImportFailed when the file
    cannot be read or holds no features."""
    try:
        info, features = read_features(path, layer=layer, source_crs=source_crs, encoding=encoding)
    except ReadError as exc:
        raise ImportFailed(str(exc)) from exc
    if info.count == 0:
        raise ImportFailed(_("%(path)s holds no features.") % {"path": path})
    return info, features


def pick_fields(
    info: LayerInfo,
    *,
    level: int,
    code_field: str | None = None,
    name_field: str | None = None,
    parent_code: str | None = None,
) -> dict[str, str | None]:
    """The attribute holding each of code, name, parent (none for communities, or when
    --parent-code names the parent) and kind: the one given, else the first candidate."""
    return {
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


def read_rows(
    path: str | Path,
    info: LayerInfo,
    features: Iterator[RawFeature],
    fields: dict[str, str | None],
    problems: list[FeatureProblem],
    progress: Progress = no_progress,
) -> list[Row]:
    """Every feature as a Row, each refused feature's reasons added to ``problems``; a code
    already used by an earlier feature of the file is refused."""
    rows: list[Row] = []
    first_index: dict[str, int] = {}
    for raw in _reading(features):
        row = _row(raw, fields, problems)
        if row.code:
            if row.code in first_index:
                refuse(
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
    return rows


def _reading(features: Iterator[RawFeature]) -> Iterator[RawFeature]:
    """The features, a file that cannot be read further refused as a whole."""
    try:
        yield from features
    except ReadError as exc:
        raise ImportFailed(str(exc)) from exc


def _row(raw, fields: dict[str, str | None], problems: list[FeatureProblem]) -> Row:
    code = _text(raw.properties.get(fields["code"]))
    name = _text(raw.properties.get(fields["name"]))
    kind = _text(raw.properties.get(fields["kind"])) if fields["kind"] else ""
    hint = _text(raw.properties.get(fields["parent"])) if fields["parent"] else ""
    ident = _("code %(code)s") % {"code": code} if code else _("id %(fid)s") % {"fid": raw.fid}
    row = Row(raw.index, ident, code, name, kind or None, hint or None, None)
    if not code:
        refuse(row, problems, fields["code"], _("missing code"))
    elif len(code) > CODE_MAX:
        refuse(
            row, problems, fields["code"], _("code longer than %(n)s characters") % {"n": CODE_MAX}
        )
    if not name:
        refuse(row, problems, fields["name"], _("missing name"))
    elif len(name) > NAME_MAX:
        refuse(
            row, problems, fields["name"], _("name longer than %(n)s characters") % {"n": NAME_MAX}
        )
    geom_field = _("geometry")
    if raw.geom is None:
        refuse(row, problems, geom_field, raw.error or _("no geometry"))
        return row
    geom = to_multipolygon(raw.geom)
    if geom is None:
        refuse(
            row,
            problems,
            geom_field,
            _("a boundary must be a polygon, not a %(type)s") % {"type": raw.geom.geom_type},
        )
        return row
    bounds = outside_lonlat(geom)
    if bounds:
        refuse(
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
        refuse(
            row,
            problems,
            geom_field,
            _("invalid geometry (not repaired): %(reason)s") % {"reason": reason},
        )
        return row
    row.geom = geom
    return row
