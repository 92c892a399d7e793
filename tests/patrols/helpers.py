"""Helpers of the patrol tests: a route through compound K1 and a walk along it, GPX tracks,
lines from coordinates, the patrol pages' address and reading a page."""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.geos import GEOSGeometry
from django.core.files.uploadedfile import SimpleUploadedFile

EN = "/en/patrols/"


def line(text: str) -> GEOSGeometry:
    return GEOSGeometry(f"LINESTRING({text})", srid=4326)


def gpx_track(points: list[tuple[float, float]], start="2026-03-02T01:00:00Z") -> bytes:
    t0 = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
    pts = "".join(
        f'<trkpt lat="{lat}" lon="{lon}"><time>'
        f"{(t0 + dt.timedelta(minutes=5 * i)).strftime('%Y-%m-%dT%H:%M:%SZ')}</time></trkpt>"
        for i, (lon, lat) in enumerate(points)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>walk</name><trkseg>{pts}</trkseg></trk></gpx>"
    ).encode()


# Inside compound K1 (113.101..113.105, 23.001..23.009): east, then north.
ROUTE = "113.1015 23.0015, 113.1045 23.0015, 113.1045 23.0085"
WALK = [
    (113.1015, 23.00152),
    (113.1030, 23.00148),
    (113.10452, 23.0015),
    (113.10448, 23.0050),
    (113.1045, 23.0085),
]


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def upload(content: bytes, name: str = "walk.gpx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/gpx+xml")
