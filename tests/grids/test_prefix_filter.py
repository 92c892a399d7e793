"""One case-exact code-prefix filter (issue 16, item 2): ``policy.scope_q`` (its
``accounts.selectors`` lookup) is the only one; the maps' live lists, which had their own
``code_prefix_q``, use it. A prefix holds the codes that begin with it, in the same letter
case, on both backends."""

from __future__ import annotations

import pytest

from gridgov.accounts import policy
from gridgov.grids import selectors
from gridgov.grids.models import Grid, Kind, Level
from gridgov.grids.services import grid_create
from maps.dashboard_live import route_rows
from tests.factories import box

pytestmark = pytest.mark.django_db


def test_one_prefix_filter():
    assert not hasattr(selectors, "code_prefix_q")


def test_the_prefix_is_exact_in_letter_case():
    upper = grid_create(
        acting_user=None,
        level=Level.COMMUNITY,
        code="A1",
        name="A1",
        kind=Kind.COMMUNITY,
        geom=box(113.20, 23.0, 113.21, 23.01),
    )
    grid_create(
        acting_user=None,
        level=Level.COMPOUND,
        code="A1001",
        name="A1001",
        kind=Kind.RESIDENTIAL,
        geom=box(113.201, 23.001, 113.209, 23.009),
        parent=upper,
    )
    grid_create(
        acting_user=None,
        level=Level.COMMUNITY,
        code="a1",
        name="a1",
        kind=Kind.COMMUNITY,
        geom=box(113.22, 23.0, 113.23, 23.01),
    )
    codes = set(Grid.objects.filter(policy.scope_q(["A1"], "code")).values_list("code", flat=True))
    assert codes == {"A1", "A1001"}


def test_the_live_routes_keep_to_the_grids_subtree(tree):
    from django.contrib.gis.geos import LineString

    from gridgov.patrols.services import route_create

    route_create(
        acting_user=None,
        grid=tree.k1,
        name="东湖线",
        line=LineString((113.1015, 23.0035), (113.1045, 23.0035), srid=4326),
    )
    route_create(
        acting_user=None,
        grid=tree.k3,
        name="南山线",
        line=LineString((113.112, 23.005), (113.118, 23.005), srid=4326),
    )
    assert [r["name"] for r in route_rows(tree.c1)] == ["东湖线"]
    assert [r["name"] for r in route_rows(tree.c2)] == ["南山线"]
