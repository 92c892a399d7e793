"""Patrol routes through a grid and the patrols walked on them, through
gridgov.patrols.services (a route must stay inside its grid)."""

from __future__ import annotations

import factory
from django.contrib.gis.geos import LineString
from django.utils import timezone

from gridgov.patrols.models import Patrol, PatrolRoute
from gridgov.patrols.services import patrol_record, route_create
from tests.factories.base import ServiceFactory, inside
from tests.factories.grids import CompoundFactory
from tests.factories.people import MemberFactory


def across(grid) -> LineString:
    """A west–east line through a point inside the grid, across the middle fifth of its
    bounding box."""
    p = inside(grid.geom)
    x0, _, x1, _ = grid.geom.extent
    half = (x1 - x0) / 10
    return LineString((p.x - half, p.y), (p.x + half, p.y), srid=4326)


class RouteFactory(ServiceFactory):
    class Meta:
        model = PatrolRoute

    _service = staticmethod(route_create)

    grid = factory.SubFactory(CompoundFactory)
    name = factory.Sequence(lambda n: f"巡查路线{n}")
    line = factory.LazyAttribute(lambda o: across(o.grid))


class PatrolFactory(ServiceFactory):
    """Walked today by one member living in the route's grid; ``findings`` as
    patrol_record takes them (``{"point", "kind", "note"}``)."""

    class Meta:
        model = Patrol

    _service = staticmethod(patrol_record)

    route = factory.SubFactory(RouteFactory)
    walked_on = factory.LazyFunction(timezone.localdate)
    members = factory.LazyAttribute(lambda o: [MemberFactory(location=inside(o.route.grid.geom))])
    findings = ()
