"""Chinese coordinate systems, applied at the edges only (import, export, map tiles).

Storage is always WGS84 (EPSG:4326). Supported names:

- ``wgs84``: GPS, OpenStreetMap, GeoJSON (RFC 7946).
- ``cgcs2000``: China Geodetic Coordinate System 2000 (EPSG:4490). Its ellipsoid and frame
  differ from WGS84 by centimetres, far below the accuracy of community boundaries, so the
  coordinates are taken as they are and only the label (EPSG:4490) changes.
- ``gcj02``: the obfuscated datum of Gaode/Amap and Tencent maps, offset by up to ~500 m
  inside China (unchanged outside China).
- ``bd09``: Baidu's datum, GCJ-02 further offset.

The forward transforms are the published GCJ-02 / BD-09 formulas; the inverses iterate the
forward transform until the round trip is below 1e-9° (converging in a handful of steps), so
``to_wgs84(from_wgs84(p))`` returns ``p`` within 1e-7°.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import shapely
from numpy.typing import ArrayLike
from shapely.geometry.base import BaseGeometry

CRS_NAMES = ("wgs84", "cgcs2000", "gcj02", "bd09")
EPSG = {"wgs84": 4326, "cgcs2000": 4490}

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0
_TOLERANCE = 1e-9
_MAX_ITERATIONS = 30

Pair = tuple[np.ndarray, np.ndarray]


class UnknownCRS(ValueError):
    """A CRS name outside CRS_NAMES."""


def check_name(crs: str) -> str:
    if crs not in CRS_NAMES:
        raise UnknownCRS(f"unknown CRS {crs!r}: expected one of {', '.join(CRS_NAMES)}")
    return crs


def in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The rough box where GCJ-02 applies an offset."""
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> Pair:
    x, y = lon - 105.0, lat - 35.0
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> Pair:
    dlon, dlat = _offset(lon, lat)
    inside = in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_bd09(lon: np.ndarray, lat: np.ndarray) -> Pair:
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd09_to_gcj02_estimate(lon: np.ndarray, lat: np.ndarray) -> Pair:
    x, y = lon - 0.0065, lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(
    forward: Callable[[np.ndarray, np.ndarray], Pair],
    lon: np.ndarray,
    lat: np.ndarray,
    start: Pair | None = None,
) -> Pair:
    """Solve forward(x, y) = (lon, lat) by fixed-point iteration."""
    x, y = start if start is not None else (lon.copy(), lat.copy())
    for _ in range(_MAX_ITERATIONS):
        fx, fy = forward(x, y)
        dx, dy = fx - lon, fy - lat
        x, y = x - dx, y - dy
        if np.all(np.abs(dx) < _TOLERANCE) and np.all(np.abs(dy) < _TOLERANCE):
            break
    return x, y


def gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> Pair:
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> Pair:
    return _invert(gcj02_to_bd09, lon, lat, _bd09_to_gcj02_estimate(lon, lat))


def _arrays(lon: ArrayLike, lat: ArrayLike) -> Pair:
    return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")


def to_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str) -> Pair:
    """Coordinates in ``crs`` to WGS84 (arrays in, arrays out)."""
    lon, lat = _arrays(lon, lat)
    crs = check_name(crs)
    if crs == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if crs == "bd09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    return lon, lat


def from_wgs84(lon: ArrayLike, lat: ArrayLike, crs: str) -> Pair:
    """WGS84 coordinates to ``crs`` (arrays in, arrays out)."""
    lon, lat = _arrays(lon, lat)
    crs = check_name(crs)
    if crs == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    if crs == "bd09":
        return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    return lon, lat


def box_to_wgs84(
    box: tuple[float, float, float, float], crs: str, *, grow: float = 1e-4
) -> tuple[float, float, float, float]:
    """The WGS84 box (west, south, east, north) holding a box given in ``crs``: its corners
    and edge midpoints converted, and the box of those grown by ``grow`` degrees (the offset
    bends straight edges; 1e-4°, about 10 m, covers that over a map tile), kept on the globe."""
    w, s, e, n = box
    mx, my = (w + e) / 2, (s + n) / 2
    lon, lat = to_wgs84([w, mx, e, w, e, w, mx, e], [s, s, s, my, my, n, n, n], crs)
    return (
        max(-180.0, float(lon.min()) - grow),
        max(-90.0, float(lat.min()) - grow),
        min(180.0, float(lon.max()) + grow),
        min(90.0, float(lat.max()) + grow),
    )


def transform(geom: BaseGeometry, *, source: str, target: str) -> BaseGeometry:
    """A shapely geometry from one named CRS to another (via WGS84), all vertices at once."""
    check_name(source)
    check_name(target)
    if source == target or {source, target} <= {"wgs84", "cgcs2000"}:
        return geom

    def convert(coords: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(coords[:, 0], coords[:, 1], source)
        lon, lat = from_wgs84(lon, lat, target)
        return np.column_stack([lon, lat])

    return shapely.transform(geom, convert)
