"""Reading grid polygons from GeoJSON, zipped Shapefiles and GeoPackages through GDAL.

Features are streamed one at a time from GDAL's reader and come out as shapely geometries in
WGS84 longitude/latitude. Coordinates are converted at this edge only:

- ``source_crs`` given (wgs84, cgcs2000, gcj02, bd09): every vertex through geodata.crs;
- else a layer SRS that is not WGS84/CGCS2000 (a projected Gauss–Krüger zone, UTM, another
  datum): GDAL/PROJ transforms it to EPSG:4326;
- else (WGS84, CGCS2000 or no SRS) the coordinates are taken as they are.

Nothing is repaired here: a geometry GEOS cannot even build (an unclosed ring) comes back
with the reason, and validity is judged by geodata.topology.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from django.contrib.gis.gdal import CoordTransform, DataSource, GDALException, SpatialReference
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geodata import crs as crsmod

WGS84_EQUIVALENT = (4326, 4490)  # WGS84 and CGCS2000: same coordinates at grid accuracy
NON_POLYGON_TYPES = ("Point", "LineString", "MultiPoint", "MultiLineString")


class ReadError(ValueError):
    """The file cannot be read as a layer of grid polygons (the message says why)."""


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


@dataclass
class RawFeature:
    """One feature as read: its 1-based position, GDAL's id, attributes and geometry.

    ``geom`` is in WGS84 lon/lat, or None with ``error`` saying why it could not be built."""

    index: int
    fid: int
    properties: dict[str, Any]
    geom: BaseGeometry | None
    error: str | None = None


def gdal_path(path: str | Path, layer: str | None = None) -> str:
    """The path GDAL opens: a .zip is read in place through /vsizip/ (its one .shp, or the
    .shp named ``layer``)."""
    path = Path(path)
    if not path.exists():
        raise ReadError(_("File not found: %(path)s") % {"path": path})
    if path.suffix.lower() != ".zip":
        return str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.startswith("__MACOSX/")]
    except zipfile.BadZipFile as exc:
        raise ReadError(_("%(path)s is not a readable zip file.") % {"path": path}) from exc
    shps = [n for n in names if n.lower().endswith(".shp")]
    if layer:
        shps = [n for n in shps if Path(n).stem == layer] or shps
    if not shps:
        others = [n for n in names if n.lower().endswith((".gpkg", ".geojson", ".json"))]
        if len(others) == 1:
            return f"/vsizip/{path.resolve()}/{others[0]}"
        raise ReadError(_("The zip file %(path)s holds no Shapefile (.shp).") % {"path": path})
    if len(shps) > 1:
        raise ReadError(
            _("The zip file %(path)s holds several Shapefiles (%(names)s): choose one with "
              "--layer.") % {"path": path, "names": ", ".join(Path(n).stem for n in shps)}
        )
    return f"/vsizip/{path.resolve()}/{shps[0]}"


def _open(path: str | Path, layer: str | None) -> tuple[DataSource, Any]:
    source = gdal_path(path, layer)
    try:
        ds = DataSource(source)
    except GDALException as exc:
        raise ReadError(
            _("%(path)s is not a geographic file GDAL can read (GeoJSON, zipped Shapefile, "
              "GeoPackage).") % {"path": path}
        ) from exc
    names = tuple(lyr.name for lyr in ds)
    if not names:
        raise ReadError(_("%(path)s holds no layer.") % {"path": path})
    if layer and layer in names:
        return ds, ds[layer]
    if layer and not str(source).lower().endswith(".shp"):
        raise ReadError(
            _("No layer %(layer)s in %(path)s; its layers: %(names)s.")
            % {"layer": layer, "path": path, "names": ", ".join(names)}
        )
    return ds, ds[0]


def _epsg(srs: SpatialReference | None) -> int | None:
    if srs is None:
        return None
    try:
        return srs.srid
    except GDALException:
        return None


def layer_info(path: str | Path, *, layer: str | None = None) -> LayerInfo:
    """The layer's name, fields, feature count, geometry type and SRS, without reading it."""
    ds, lyr = _open(path, layer)
    return _info(path, ds, lyr)


def _info(path: str | Path, ds: DataSource, lyr: Any) -> LayerInfo:
    srs = lyr.srs
    epsg = _epsg(srs)
    return LayerInfo(
        path=str(path),
        name=lyr.name,
        layer_names=tuple(x.name for x in ds),
        fields=tuple(lyr.fields),
        count=len(lyr),
        geom_type=lyr.geom_type.name,
        srs_name=srs.name if srs is not None else None,
        epsg=epsg,
        transformed=srs is not None and epsg not in WGS84_EQUIVALENT,
    )


def read_features(
    path: str | Path, *, layer: str | None = None, source_crs: str | None = None
) -> tuple[LayerInfo, Iterator[RawFeature]]:
    """The layer's description and a stream of its features in WGS84 lon/lat.

    ``source_crs`` names the datum of lon/lat coordinates (GCJ-02 from Gaode, BD-09 from
    Baidu...); it is refused for a projected layer, whose SRS GDAL applies instead."""
    if source_crs is not None:
        crsmod.check_name(source_crs)
    ds, lyr = _open(path, layer)
    info = _info(path, ds, lyr)
    if info.geom_type.lstrip("3D ").replace("25D", "") in NON_POLYGON_TYPES:
        raise ReadError(
            _("The layer %(layer)s holds %(type)s geometries; a grid boundary must be a "
              "polygon.") % {"layer": info.name, "type": info.geom_type}
        )
    srs = lyr.srs
    if source_crs is not None and srs is not None and srs.projected:
        raise ReadError(
            _("The layer %(layer)s is projected (%(srs)s); --source-crs applies to "
              "longitude/latitude files only. Leave it out: the layer's SRS is used.")
            % {"layer": info.name, "srs": info.srs_name}
        )
    transform = None
    if source_crs is None and info.transformed:
        transform = CoordTransform(srs, SpatialReference(4326))

    def stream() -> Iterator[RawFeature]:
        fields = info.fields
        for index, feat in enumerate(lyr, start=1):
            props = {name: feat.get(name) for name in fields}
            try:
                ogr = feat.geom
            except GDALException:  # a feature without geometry: GDAL hands out no pointer
                ogr = None
            if ogr is None:
                yield RawFeature(index, feat.fid, props, None, _("no geometry"))
                continue
            if transform is not None:
                ogr.transform(transform)
            try:
                geom = shapely.from_wkb(bytes(ogr.wkb))
            except shapely.errors.GEOSException as exc:
                reason = str(exc)
                if "closed linestring" in reason:
                    reason = _("a ring is not closed (its first and last points differ)")
                yield RawFeature(index, feat.fid, props, None, reason)
                continue
            if source_crs is not None and source_crs != "wgs84":
                geom = crsmod.transform(geom, source=source_crs, target="wgs84")
            yield RawFeature(index, feat.fid, props, geom)

    return info, stream()


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
