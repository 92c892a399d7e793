"""Streaming GeoJSON export, with constant memory, and conversion to GeoPackage / Shapefile.

The writer takes an iterator of ``(properties, geometry)`` pairs and a writable text stream,
and writes one feature at a time. A geometry may be

- a ``str``: GeoJSON already made by the database (``ST_AsGeoJSON(ST_ForcePolygonCCW(geom),
  7)`` on PostGIS), in WGS84, counter-clockwise and rounded: written as it is in WGS84 and
  CGCS2000;
- ``bytes``/``memoryview``: WKB (SpatiaLite), or a shapely geometry: oriented (exterior
  counter-clockwise, holes clockwise), converted and rounded here, a batch at a time with
  shapely's vectorised functions;
- ``None`` (or empty): ``"geometry": null``.

Output is RFC 7946: WGS84, counter-clockwise exteriors, at most 7 decimals, no ``crs``
member. GCJ-02 and CGCS2000 are explicit options: the coordinates are converted with
geodata.crs.from_wgs84 (CGCS2000: unchanged) and the file says so in a top-level foreign
member ``"gridgov:crs"``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geodata import crs as crsmod

EXPORT_CRS = ("wgs84", "cgcs2000", "gcj02")
FORMATS = ("geojson", "gpkg", "shp")
PRECISION = 7
BATCH = 1_000  # features converted per vectorised shapely call

Geometry = str | bytes | memoryview | BaseGeometry | None
Item = tuple[dict[str, Any], Geometry]

CRS_MEMBER = "gridgov:crs"
CRS_NOTES = {
    "cgcs2000": (
        "Coordinates in CGCS2000 (EPSG:4490), numerically taken as WGS84: the two frames "
        "differ by centimetres. RFC 7946 readers will treat them as WGS84."
    ),
    "gcj02": (
        "Coordinates in GCJ-02 (the obfuscated datum of Gaode/Amap and Tencent maps), "
        "offset by up to ~500 m from WGS84 inside China. Not RFC 7946 WGS84: convert back "
        "before using with GPS or OpenStreetMap data."
    ),
}


class ExportError(ValueError):
    """A bad export request (unknown CRS or format) or a failed conversion."""


def crs_member(crs: str) -> dict[str, Any] | None:
    """The ``gridgov:crs`` foreign member announcing a non-WGS84 export, or None for WGS84."""
    if crs == "wgs84":
        return None
    member: dict[str, Any] = {"name": crs, "note": CRS_NOTES[crs]}
    if crs in crsmod.EPSG:
        member["epsg"] = crsmod.EPSG[crs]
    return member


def check_crs(crs: str) -> str:
    if crs not in EXPORT_CRS:
        raise ExportError(f"unknown CRS {crs!r}: expected one of {', '.join(EXPORT_CRS)}")
    return crs


def _round(coords: np.ndarray) -> np.ndarray:
    return np.round(coords, PRECISION)


def prepare(geoms: list[BaseGeometry | None], crs: str) -> list[str | None]:
    """Orient, convert and round shapely geometries (vectorised); their GeoJSON strings."""
    arr = np.array(geoms, dtype=object)
    missing = shapely.is_missing(arr) | shapely.is_empty(arr)
    arr = shapely.orient_polygons(arr)  # exterior counter-clockwise, holes clockwise
    if crs == "gcj02":

        def convert(coords: np.ndarray) -> np.ndarray:
            lon, lat = crsmod.from_wgs84(coords[:, 0], coords[:, 1], crs)
            return _round(np.column_stack([lon, lat]))

        arr = shapely.transform(arr, convert)
        # A shift of a few hundred metres keeps the winding, but make sure of it.
        arr = shapely.orient_polygons(arr)
    else:
        arr = shapely.transform(arr, _round)
    out = shapely.to_geojson(arr)
    return [None if m else s for s, m in zip(out.tolist(), missing.tolist(), strict=True)]


def finish(geoms: list[Geometry], crs: str) -> list[str | None]:
    """The GeoJSON text of each geometry (see the module docstring for what a geometry may be)."""
    out: list[str | None] = [None] * len(geoms)
    todo: list[int] = []
    shapes: list[BaseGeometry | None] = []
    wkb_at: list[int] = []  # positions in ``shapes`` of WKB, parsed in one call below
    wkb: list[bytes] = []
    for i, geom in enumerate(geoms):
        if geom is None:
            continue
        if isinstance(geom, str):
            if crs == "gcj02":  # database GeoJSON is WGS84: convert it here
                todo.append(i)
                shapes.append(shapely.from_geojson(geom))
            else:
                out[i] = geom
        elif isinstance(geom, bytes | memoryview):
            todo.append(i)
            wkb_at.append(len(shapes))
            wkb.append(bytes(geom))
            shapes.append(None)
        else:
            todo.append(i)
            shapes.append(geom)
    if wkb:
        for at, shape in zip(wkb_at, shapely.from_wkb(wkb).tolist(), strict=True):
            shapes[at] = shape
    if todo:
        for i, text in zip(todo, prepare(shapes, crs), strict=True):
            out[i] = text
    return out


def collection_start(crs: str = "wgs84") -> str:
    """The text of a FeatureCollection up to its first feature (with the ``gridgov:crs``
    member for CGCS2000 / GCJ-02)."""
    check_crs(crs)
    start = '{"type":"FeatureCollection"'
    member = crs_member(crs)
    if member is not None:
        text = json.dumps(member, ensure_ascii=False, separators=(",", ":"))
        start += f",{json.dumps(CRS_MEMBER)}:{text}"
    return start + ',"features":['


COLLECTION_END = "\n]}\n"


def feature_text(props: dict[str, Any], geometry: str | None) -> str:
    """One compact Feature (``geometry`` is GeoJSON text already, or None)."""
    properties = json.dumps(props, ensure_ascii=False, separators=(",", ":"))
    return (
        '{"type":"Feature","properties":'
        + properties
        + ',"geometry":'
        + (geometry if geometry is not None else "null")
        + "}"
    )


def feature_batches(
    items: Iterable[Item], *, crs: str = "wgs84", batch: int = BATCH
) -> Iterator[list[str]]:
    """The features of ``items`` as text, ``batch`` at a time (geometries finished here)."""
    iterator: Iterator[Item] = iter(items)
    while chunk := list(islice(iterator, batch)):
        texts = finish([geom for _props, geom in chunk], crs)
        yield [feature_text(props, text) for (props, _geom), text in zip(chunk, texts, strict=True)]


def collection_chunks(
    batches: Iterable[list[str]], crs: str = "wgs84", counter: list[int] | None = None
) -> Iterator[str]:
    """A whole FeatureCollection's text, one chunk per batch of feature texts; the number
    of features is added to ``counter[0]`` as they go."""
    yield collection_start(crs)
    first = True
    for texts in batches:
        if not texts:
            continue
        yield ("\n" if first else ",\n") + ",\n".join(texts)
        first = False
        if counter is not None:
            counter[0] += len(texts)
    yield COLLECTION_END


def write_geojson(
    items: Iterable[Item], stream: TextIO, *, crs: str = "wgs84", batch: int = BATCH
) -> int:
    """Write a FeatureCollection to ``stream``, one batch of features at a time; the feature
    count. Memory stays bounded by ``batch`` features whatever the length of ``items``."""
    check_crs(crs)
    counter = [0]
    for chunk in collection_chunks(feature_batches(items, crs=crs, batch=batch), crs, counter):
        stream.write(chunk)
    return counter[0]


# --- other formats through GDAL's ogr2ogr -----------------------------------------------


def ogr2ogr_available() -> bool:
    return shutil.which("ogr2ogr") is not None


def convert(
    source: str | os.PathLike,
    target: str | os.PathLike,
    *,
    fmt: str,
    layer: str,
    crs: str = "wgs84",
) -> Path:
    """Convert a GeoJSON file we wrote into a GeoPackage or a zipped Shapefile with ogr2ogr.

    ``shp`` produces ``target`` as a .zip holding the shapefile's parts (.shp .shx .dbf .prj
    .cpg, and ``<layer>.crs.txt`` for CGCS2000/GCJ-02), as the importer reads it back. The
    layer is labelled EPSG:4326 (WGS84, GCJ-02) or EPSG:4490 (CGCS2000); a GeoPackage also
    carries the ``gridgov:crs`` note as metadata.
    """
    if fmt not in ("gpkg", "shp"):
        raise ExportError(f"unknown format {fmt!r}: expected gpkg or shp")
    check_crs(crs)
    if not ogr2ogr_available():
        raise ExportError("ogr2ogr not found: install GDAL (Debian: gdal-bin)")
    target = Path(target)
    srs = f"EPSG:{crsmod.EPSG.get(crs, 4326)}"
    base = ["ogr2ogr", "-overwrite", "-a_srs", srs, "-nln", layer]
    with tempfile.TemporaryDirectory(prefix="gridgov-export-") as tmp:
        if fmt == "gpkg":
            out = Path(tmp) / "out.gpkg"
            cmd = [*base, "-f", "GPKG"]
            member = crs_member(crs)
            if member is not None:
                cmd += [
                    "-mo",
                    f"GRIDGOV_CRS={member['name']}",
                    "-mo",
                    f"GRIDGOV_CRS_NOTE={member['note']}",
                ]
            _run([*cmd, str(out), str(source)])
            shutil.move(str(out), target)
        else:
            folder = Path(tmp) / "shp"
            folder.mkdir()
            _run(
                [
                    *base,
                    "-f",
                    "ESRI Shapefile",
                    "-lco",
                    "ENCODING=UTF-8",
                    str(folder / f"{layer}.shp"),
                    str(source),
                ]
            )
            member = crs_member(crs)
            if member is not None:  # a .prj cannot say GCJ-02: a note beside it does
                note = folder / f"{layer}.crs.txt"
                note.write_text(f"{member['name']}: {member['note']}\n", encoding="utf-8")
            part = Path(tmp) / "out.zip"
            with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in sorted(folder.iterdir()):
                    zf.write(f, f.name)
            shutil.move(str(part), target)
    return target


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ExportError(f"{cmd[0]} failed: {result.stderr.strip() or result.stdout.strip()}")
