"""Reading grid polygons from GeoJSON, zipped Shapefiles and GeoPackages through GDAL.

Features are streamed one at a time from GDAL's reader and come out as shapely geometries in
WGS84 longitude/latitude. Coordinates are converted at this edge only:

- ``source_crs`` given (wgs84, cgcs2000, gcj02, bd09): every vertex through geodata.crs;
- else a layer SRS that is not WGS84/CGCS2000 (a projected Gauss–Krüger zone, UTM, another
  datum): GDAL/PROJ transforms it to EPSG:4326;
- else (WGS84, CGCS2000 or no SRS) the coordinates are taken as they are.

A projected SRS declared over degrees (a GeoJSON's legacy ``crs`` member saying EPSG:3857
over longitude/latitude) is refused per feature rather than written near (0°, 0°); a
coordinate that is not a number (NaN, Infinity) is named where it lies. Attribute text is
decoded with the encoding geodata.encodings chooses (--encoding, a .cpg, else UTF-8 then
GB18030); which file GDAL opens, and how, is geodata.sources'.

Nothing is repaired here: a geometry GEOS cannot even build (an unclosed ring) comes back
with the reason, and validity is judged by geodata.topology.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.gdal import CoordTransform, DataSource, GDALException, SpatialReference
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geodata import crs as crsmod
from geodata.encodings import Encoding
from geodata.sources import ReadError, open_layer

__all__ = [
    "LayerInfo",
    "RawFeature",
    "ReadError",
    "layer_info",
    "outside_lonlat",
    "read_features",
    "to_multipolygon",
]

WGS84_EQUIVALENT = (4326, 4490)  # WGS84 and CGCS2000: same coordinates at grid accuracy
NON_POLYGON_TYPES = ("Point", "LineString", "MultiPoint", "MultiLineString")


@dataclass(frozen=True)
class LayerInfo:
    """What a layer holds, before its features are read."""

    path: str
    name: str
    layer_names: tuple[str, ...]
    fields: tuple[str, ...]
    count: int
    geom_type: str
    srs_name: str | None
    epsg: int | None
    transformed: bool  # coordinates go through GDAL to EPSG:4326
    encoding: Encoding = Encoding("utf-8", "format")  # of the attributes' text

    @property
    def srs_label(self) -> str:
        """The layer's SRS as people name it: "WGS 84 / Pseudo-Mercator (EPSG:3857)"."""
        if self.epsg:
            return f"{self.srs_name} (EPSG:{self.epsg})"
        return self.srs_name or "-"


@dataclass
class RawFeature:
    """One feature as read: its 1-based position, GDAL's id, attributes and geometry.

    ``geom`` is in WGS84 lon/lat, or None with ``error`` saying why it could not be built."""

    index: int
    fid: int
    properties: dict[str, Any]
    geom: BaseGeometry | None
    error: str | None = None


def _epsg(srs: SpatialReference | None) -> int | None:
    if srs is None:
        return None
    try:
        return srs.srid
    except GDALException:
        return None


def layer_info(
    path: str | Path, *, layer: str | None = None, encoding: str | None = None
) -> LayerInfo:
    """The layer's name, fields, feature count, geometry type and SRS, without reading it."""
    ds, lyr, enc = open_layer(path, layer, encoding)
    return _info(path, ds, lyr, enc)


def _info(path: str | Path, ds: DataSource, lyr: Any, enc: Encoding) -> LayerInfo:
    srs = lyr.srs
    epsg = _epsg(srs)
    return LayerInfo(
        path=str(path),
        name=lyr.name,
        layer_names=tuple(ds[i].name for i in range(len(ds))),
        fields=tuple(lyr.fields),
        count=len(lyr),
        geom_type=lyr.geom_type.name,
        srs_name=srs.name if srs is not None else None,
        epsg=epsg,
        transformed=srs is not None and epsg not in WGS84_EQUIVALENT,
        encoding=enc,
    )


def read_features(
    path: str | Path,
    *,
    layer: str | None = None,
    source_crs: str | None = None,
    encoding: str | None = None,
) -> tuple[LayerInfo, Iterator[RawFeature]]:
    """The layer's description and a stream of its features in WGS84 lon/lat.

    ``source_crs`` names the datum of lon/lat coordinates (GCJ-02 from Gaode, BD-09 from
    Baidu...); it is refused for a projected layer, whose SRS GDAL applies instead.
    ``encoding`` is the attributes' text encoding; by default the .cpg's, else detected."""
    if source_crs is not None:
        crsmod.check_name(source_crs)
    ds, lyr, enc = open_layer(path, layer, encoding)
    info = _info(path, ds, lyr, enc)
    if info.geom_type.lstrip("3D ").replace("25D", "") in NON_POLYGON_TYPES:
        raise ReadError(
            _("The layer %(layer)s holds %(type)s geometries; a grid boundary must be a polygon.")
            % {"layer": info.name, "type": info.geom_type}
        )
    srs = lyr.srs
    if source_crs is not None and srs is not None and srs.projected:
        raise ReadError(
            _(
                "The layer %(layer)s is projected (%(srs)s); --source-crs applies to "
                "longitude/latitude files only. Leave it out: the layer's SRS is used."
            )
            % {"layer": info.name, "srs": info.srs_name}
        )
    transform = None
    if source_crs is None and info.transformed:
        transform = _Transform(
            CoordTransform(srs, SpatialReference(4326)), info, projected=bool(srs.projected)
        )

    def stream() -> Iterator[RawFeature]:
        fields = info.fields
        for index, feat in enumerate(lyr, start=1):
            try:
                props = {name: feat[i].value for i, name in enumerate(fields)}
            except UnicodeDecodeError as exc:
                raise ReadError(
                    _(
                        "Feature %(index)s: an attribute is not valid %(codec)s text; give the "
                        "encoding with --encoding."
                    )
                    % {"index": index, "codec": enc.codec.upper()}
                ) from exc
            try:
                ogr = feat.geom
            except GDALException:  # a feature without geometry: GDAL hands out no pointer
                ogr = None
            if ogr is None:
                yield RawFeature(index, feat.fid, props, None, _("no geometry"))
                continue
            geom, error = _geometry(ogr, transform)
            if geom is not None and source_crs is not None and source_crs != "wgs84":
                geom = crsmod.transform(geom, source=source_crs, target="wgs84")
            yield RawFeature(index, feat.fid, props, geom, error)

    return info, stream()


@dataclass(frozen=True)
class _Transform:
    """GDAL's transform from the layer's declared SRS to WGS84."""

    ct: CoordTransform
    info: LayerInfo
    projected: bool


def _geometry(ogr: Any, transform: _Transform | None) -> tuple[BaseGeometry | None, str | None]:
    """The feature's geometry in WGS84, or None and why: a coordinate that is not a number,
    an unclosed ring, degrees under a projected SRS, a transform that fails."""
    geom, error = _build(ogr)
    if geom is None or transform is None:
        return geom, error
    if transform.projected and outside_lonlat(geom) is None:
        # Metres of any projection used for a city lie far outside ±180/±90: these are
        # degrees, which taken as metres would land a few metres from (0°, 0°).
        xmin, ymin, xmax, ymax = (round(float(v), 6) for v in geom.bounds)
        return None, _(
            "the file declares the coordinate system %(srs)s, measured in metres, but the "
            "coordinates (%(xmin)s, %(ymin)s … %(xmax)s, %(ymax)s) are longitude/latitude "
            "degrees; read as metres they would land near 0°, 0°. Remove the declared system "
            "(the GeoJSON's crs member, the Shapefile's .prj) or give the coordinates in it"
        ) % {
            "srs": transform.info.srs_label,
            "xmin": xmin,
            "ymin": ymin,
            "xmax": xmax,
            "ymax": ymax,
        }
    try:
        ogr.transform(transform.ct)
    except GDALException:
        return None, _("its coordinates cannot be transformed from %(srs)s to WGS84") % {
            "srs": transform.info.srs_label
        }
    geom, error = _build(ogr)
    if geom is not None and not np.isfinite(shapely.get_coordinates(geom)).all():
        return None, _("its coordinates lie outside the area where %(srs)s is defined") % {
            "srs": transform.info.srs_label
        }
    return geom, error


def _build(ogr: Any) -> tuple[BaseGeometry | None, str | None]:
    """A shapely geometry from GDAL's, or None and the reason."""
    error = None
    with np.errstate(invalid="ignore"):  # NaN coordinates: shapely would warn, we explain
        try:
            geom = shapely.from_wkb(bytes(ogr.wkb))
        except shapely.errors.GEOSException as exc:
            geom, error = None, str(exc)
            if "closed linestring" in error:
                error = _("a ring is not closed (its first and last points differ)")
    if geom is None or not np.isfinite(shapely.get_coordinates(geom)).all():
        where = _not_a_number(ogr.tuple)
        if where:
            return None, where
    return geom, error


def _not_a_number(coords: Any, path: tuple[int, ...] = ()) -> str | None:
    """Where the first coordinate that is not a finite number (NaN, Infinity) lies, walking
    GDAL's nested coordinate tuples (polygon, ring, vertex)."""
    if coords and isinstance(coords[0], (int, float)):
        if all(math.isfinite(v) for v in coords):
            return None
        point = ", ".join(str(v) for v in coords)
        names = (_("polygon"), _("ring"), _("vertex"))
        pairs = list(zip(reversed(names), reversed(path), strict=False))[::-1]
        place = ", ".join(f"{name} {i}" for name, i in pairs)
        return _("a coordinate is not a number: (%(point)s) at %(place)s") % {
            "point": point,
            "place": place,
        }
    for i, item in enumerate(coords, start=1):
        found = _not_a_number(item, (*path, i))
        if found:
            return found
    return None


def to_multipolygon(geom: BaseGeometry) -> MultiPolygon | None:
    """A Polygon or MultiPolygon as a MultiPolygon (2D); None for any other type."""
    if geom.has_z:
        geom = shapely.force_2d(geom)
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    return None


def outside_lonlat(geom: BaseGeometry) -> tuple[float, float, float, float] | None:
    """The bounds when any coordinate lies outside longitude -180..180 / latitude -90..90
    (typically projected metres read as degrees), else None."""
    xmin, ymin, xmax, ymax = (float(v) for v in geom.bounds)
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        return xmin, ymin, xmax, ymax
    return None
