"""GPS tracks and lines in metres: GPX parsing (gpxpy), track length, how far a track strays
from a route and how far a line leaves a polygon.

Pure geometry: shapely in, numbers out, no Django models. Every length and distance is measured
after projecting into the local equal-area projection of geodata.measure, never in degrees.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import IO

import gpxpy
import gpxpy.gpx
import numpy as np
import shapely
from django.contrib.gis.gdal import CoordTransform, OGRGeometry, SpatialReference
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry

from geodata.measure import WGS84, centre_of, local_srs, project

# A GPX file larger than this is refused before parsing (a day's walk at one point a second
# is about 5 MB).
MAX_GPX_BYTES = 20 * 1024 * 1024

# Lines are cut into pieces no longer than this (metres) before the greatest distance from a
# polygon is taken, so that a line passing a concave corner is measured between its vertices.
SEGMENT_STEP_M = 1.0


class TrackError(ValueError):
    """A GPX file that cannot be used. ``kind`` says why: "too_large", "not_gpx", "empty" or
    "out_of_range"; ``detail`` is the parser's own words (for "not_gpx")."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class Track:
    """A parsed GPS track: its lines (lon, lat) and the first and last time stamps, if any."""

    lines: MultiLineString
    points: int
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    dropped_segments: int = field(default=0)


def _read(source: bytes | str | IO) -> bytes:
    if isinstance(source, str):
        data = source.encode("utf-8")
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(MAX_GPX_BYTES + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > MAX_GPX_BYTES:
        raise TrackError("too_large", f"{len(data)} bytes")
    return data


def _root_tag(data: bytes) -> str:
    """The local name of the document's root element (XML syntax errors are not GPX)."""
    parser = ET.XMLPullParser(events=("start",))
    try:
        for chunk_start in range(0, len(data), 65536):
            parser.feed(data[chunk_start : chunk_start + 65536])
            for event in parser.read_events():
                element = event[-1]  # (event, element) pairs
                if isinstance(element, ET.Element):  # always, for a "start" event
                    return element.tag.rsplit("}", 1)[-1]
        parser.close()
    except ET.ParseError as exc:
        raise TrackError("not_gpx", str(exc)) from exc
    raise TrackError("not_gpx", "no root element")


def parse_gpx(source: bytes | str | IO) -> Track:
    """Parse a GPX document into lines: every track segment and every route (<rte>) is one line.

    Waypoints alone are not a walk and are ignored. Segments with fewer than two points are
    dropped (counted in ``dropped_segments``). Raises TrackError when the document is too
    large, is not GPX (not XML, another root element, a DTD, unreadable numbers), holds no
    line, or has coordinates outside longitude -180..180 / latitude -90..90.
    """
    data = _read(source)
    head = data[:4096].lower()
    # No DTDs: GPX never needs one, and entity expansion is how XML bombs work.
    if b"<!doctype" in head or b"<!entity" in head:
        raise TrackError("not_gpx", "a document type declaration is not allowed")
    root = _root_tag(data)
    if root != "gpx":
        raise TrackError("not_gpx", f"the root element is <{root}>, not <gpx>")
    try:
        gpx = gpxpy.parse(data)
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise TrackError("not_gpx", str(exc)) from exc

    sequences: list[list[tuple[float, float]]] = []
    for track in gpx.tracks:
        for segment in track.segments:
            sequences.append([(p.longitude, p.latitude) for p in segment.points])
    for route in gpx.routes:
        sequences.append([(p.longitude, p.latitude) for p in route.points])
    lines = [s for s in sequences if len(s) >= 2]
    if not lines:
        raise TrackError("empty")
    coords = np.array([c for s in lines for c in s], dtype=float)
    if (np.abs(coords[:, 0]) > 180).any() or (np.abs(coords[:, 1]) > 90).any():
        raise TrackError("out_of_range")
    start, end = gpx.get_time_bounds()
    return Track(
        lines=MultiLineString(lines),
        points=len(coords),
        start=start,
        end=end,
        dropped_segments=len(sequences) - len(lines),
    )


def length_m(line: BaseGeometry) -> float:
    """The length of a (multi)line in metres."""
    if line.is_empty:
        return 0.0
    return float(project([line])[0].length)


def distances_from_line_m(points: BaseGeometry, line: BaseGeometry) -> np.ndarray:
    """The distance in metres of every vertex of ``points`` (any geometry) from ``line``."""
    centre = centre_of([points, line])
    p, ln = project([points, line], centre)
    xy = shapely.get_coordinates(p)
    return np.asarray(shapely.distance(shapely.points(xy), ln))


@dataclass(frozen=True)
class Stray:
    """How far a track strays from a route, in metres, over its vertices."""

    median_m: float
    max_m: float
    share_within: float  # share of track vertices within the threshold used


def track_stray(track: BaseGeometry, route: BaseGeometry, *, within_m: float) -> Stray:
    """Median and greatest distance of the track's vertices from the route, and the share of
    vertices no farther than ``within_m``."""
    d = distances_from_line_m(track, route)
    return Stray(float(np.median(d)), float(d.max()), float((d <= within_m).mean()))


@dataclass(frozen=True)
class Outside:
    """The part of a line outside a polygon: its length and the greatest distance of any point
    of the line from the polygon (metres), and the line's whole length."""

    length_m: float
    max_distance_m: float
    total_m: float


def line_outside(line: BaseGeometry, polygon: BaseGeometry) -> Outside:
    """How much of ``line`` lies outside ``polygon``, measured in metres.

    The greatest distance is taken over the line cut into SEGMENT_STEP_M pieces, so it holds
    for points between vertices too (within that step)."""
    centre = centre_of([line, polygon])
    pl, pp = project([line, polygon], centre)
    outside = pl.difference(pp)
    if outside.is_empty:
        return Outside(0.0, 0.0, float(pl.length))
    dense = shapely.segmentize(outside, SEGMENT_STEP_M)
    distances = shapely.distance(shapely.points(shapely.get_coordinates(dense)), pp)
    return Outside(float(outside.length), float(distances.max()), float(pl.length))


def buffer_bbox_m(geom: BaseGeometry, metres: float) -> tuple[float, float, float, float]:
    """The WGS84 bounding box of ``geom`` grown by ``metres``: a correct prefilter for
    "within so many metres".

    ``geom``'s bounding box (which holds it, so its buffer holds ``geom``'s; and is quick to
    buffer where a surveyed outline is not) is buffered in a projection in metres and the
    result's box brought back. Each box's edges are divided first: a straight edge in one
    projection is a curve in the other, and its corners alone would lose a sliver."""
    box = _divided(shapely.envelope(geom))
    centre = centre_of([box])
    local = _divided(project([box], centre)[0].buffer(metres, quad_segs=4).envelope)
    back = CoordTransform(
        local_srs(round(centre[0], 2), round(centre[1], 2)), SpatialReference(WGS84)
    )
    ogr = OGRGeometry(memoryview(shapely.to_wkb(local)))
    ogr.transform(back)
    return shapely.from_wkb(bytes(ogr.wkb)).bounds


def _divided(box: BaseGeometry, parts: int = 64) -> BaseGeometry:
    """A bounding box with each edge divided into ``parts`` (a point stays a point)."""
    x0, y0, x1, y1 = box.bounds
    size = max(x1 - x0, y1 - y0)
    return shapely.segmentize(box, size / parts) if size > 0 else box


def within_distance(
    polygons: list[BaseGeometry], lines: list[BaseGeometry], *, distance_m: float
) -> np.ndarray:
    """For each polygon, whether any of ``lines`` comes within ``distance_m`` metres of it.

    Set-based: everything is projected once, the buffered lines go into one STRtree query."""
    result = np.zeros(len(polygons), dtype=bool)
    if not polygons or not lines:
        return result
    centre = centre_of(list(polygons) + list(lines))
    projected = project(list(polygons) + list(lines), centre)
    local_polys, local_lines = projected[: len(polygons)], projected[len(polygons) :]
    tree = shapely.STRtree(local_polys)
    pairs = tree.query(local_lines, predicate="dwithin", distance=distance_m)
    result[np.unique(pairs[1])] = True
    return result


def as_line(coords: list[tuple[float, float]]) -> LineString:
    """A LineString from (lon, lat) pairs (a small convenience for callers and tests)."""
    return LineString(coords)
