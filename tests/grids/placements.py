"""Households that every locate path must place alike (on the ``tree`` fixture's grids):
twenty inside building 1栋 of 东湖花园, one on the edge it shares with 2栋, one outside every
grid; stored placements cleared, as before a first location."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import Point

from gridgov.people.models import Household
from tests.factories import HouseholdFactory


@dataclass
class Scattered:
    inside: list[Household]
    edge: Household
    outside: Household


def scatter() -> Scattered:
    scattered = Scattered(
        inside=[
            HouseholdFactory(location=Point(113.10105 + i * 0.0001, 23.0015, srid=4326))
            for i in range(20)
        ],
        edge=HouseholdFactory(location=Point(113.103, 23.002, srid=4326)),  # b1 | b2 edge
        outside=HouseholdFactory(location=Point(113.2, 23.3, srid=4326)),
    )
    Household.objects.update(community=None, compound=None, building=None, grid_code="")
    return scattered


def placed() -> dict[int, tuple]:
    """Each household's (building code, grid code, nearest building id), as stored."""
    return {
        h.pk: (h.building.code if h.building else None, h.grid_code, h.nearest_building_id)
        for h in Household.objects.select_related("building")
    }


def assert_placed_alike(s: Scattered, got: dict[int, tuple]) -> None:
    assert {got[h.pk][0] for h in s.inside} == {"100001001001"}
    assert got[s.edge.pk][0] == "100001001001"  # the shared edge goes to the lower code
    assert got[s.outside.pk][0] is None
    assert got[s.outside.pk][2] is not None
