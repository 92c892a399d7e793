"""What every factory shares: geometry from WKT with an explicit SRID, the one test password,
and a factory base that creates through a service (so rows are checked, located and audited
the way the application writes them)."""

from __future__ import annotations

import factory
from django.contrib.gis.geos import GEOSGeometry, Point

PASSWORD = "x-Pass-2026!"  # every test account's password (passes the validators)
B1 = (113.102, 23.002)  # a point inside building B1 of tests/world.py's tree: the default home


def wkt(text: str) -> GEOSGeometry:
    """Geometry from WKT with an explicit SRID (WGS84)."""
    return GEOSGeometry(text, srid=4326)


def box(x0: float, y0: float, x1: float, y1: float) -> GEOSGeometry:
    """An axis-aligned rectangle, counter-clockwise, in WGS84 degrees."""
    return wkt(f"POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))")


def inside(geom: GEOSGeometry) -> Point:
    """A point certainly inside a polygon (its point on surface), in WGS84."""
    p = geom.point_on_surface
    return Point(p.x, p.y, srid=4326)


class ServiceFactory(factory.django.DjangoModelFactory):
    """Creates through ``_service(acting_user=None, **fields)`` instead of ``Model.objects
    .create``: the system itself acts (imports, tests), as services allow."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return cls._service(acting_user=None, **kwargs)
