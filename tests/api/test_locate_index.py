"""The in-process index behind /api/v1/locate/: the same answers as the database path
(gridgov.grids.placement.locate_one), and fresh after grids, leaders or members change."""

import time

import numpy as np
import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.api.locate_index import holder, locate_index
from gridgov.grids.models import Grid, Level, RoleKind
from gridgov.grids.placement import locate_one
from gridgov.grids.services import grid_update, gridrole_assign
from gridgov.people.services import member_update
from tests.api.conftest import IN_B3
from tests.factories import MemberFactory, box

URL = "/api/v1/locate/"
pytestmark = pytest.mark.django_db


def test_same_placement_as_locate_one_on_a_lattice(tree):
    """Every point of a lattice over both communities and beyond (edges, corners, open
    ground, outside): the same grids and the same nearest building, to the centimetre."""
    index = locate_index()
    xs = np.round(np.arange(113.0985, 113.1216, 0.0005), 7)
    ys = np.round(np.arange(22.9985, 23.0116, 0.0005), 7)
    checked = outside = 0
    for x in xs:
        for y in ys:
            found = index.locate(float(x), float(y))
            p = locate_one(Point(float(x), float(y), srid=4326))
            got = [
                r.id if r else 0
                for r in (found.community, found.compound, found.building, found.nearest)
            ]
            assert got == [
                int(p.community[0]),
                int(p.compound[0]),
                int(p.building[0]),
                int(p.nearest[0]),
            ], (x, y)
            if found.nearest is not None:
                assert found.nearest_m == pytest.approx(float(p.nearest_m[0]), abs=0.01)
            checked += 1
            outside += found.community is None
    assert checked > 1000
    assert outside > 100


def test_a_new_building_leader_and_a_member_edit_show_at_once(api, tree):
    assert api.get(URL, {"lon": IN_B3.x, "lat": IN_B3.y}).json()["contact"] is None
    li = MemberFactory(name="李强", location=IN_B3, phone="13700001111")
    gridrole_assign(grid=tree.b3, member=li, role=RoleKind.BUILDING_LEADER, acting_user=None)
    contact = api.get(URL, {"lon": IN_B3.x, "lat": IN_B3.y}).json()["contact"]
    assert contact["name"] == "李强"
    assert contact["phone"] == "137****1111"
    member_update(member=li, acting_user=None, phone_public=True, pledge="随叫随到")
    contact = api.get(URL, {"lon": IN_B3.x, "lat": IN_B3.y}).json()["contact"]
    # opted in: the full number is for the building-contact page only
    assert contact["phone"] == "137****1111"
    assert contact["pledge"] == "随叫随到"


def test_a_boundary_change_shows_at_once(api, tree):
    point = {"lon": 113.1075, "lat": 23.0045}  # just north of B3
    assert api.get(URL, point).json()["building"] is None
    grid_update(grid=tree.b3, acting_user=None, geom=_multi(box(113.106, 23.002, 113.108, 23.005)))
    assert api.get(URL, point).json()["building"]["code"] == tree.b3.code


def _multi(polygon):
    from django.contrib.gis.geos import MultiPolygon

    m = MultiPolygon(polygon)
    m.srid = 4326
    return m


def test_between_checks_the_index_is_reused_then_refreshed(api, tree, settings):
    settings.GRIDGOV_LOCATE_CHECK_SECONDS = 0.5
    holder.clear()
    point = {"lon": 113.116, "lat": 23.007}  # in compound K3, no building there yet
    assert api.get(URL, point).json()["building"] is None
    builds = holder.builds
    Grid.objects.create(
        level=Level.BUILDING,
        code="100002001002",
        name="2栋",
        kind="building",
        parent=tree.k3,
        geom=_multi(box(113.115, 23.006, 113.117, 23.008)),
    )
    # Within the interval: the process answers from the index it has, reading no grid or
    # member (its only queries count the caller against the public lookup limit).
    with CaptureQueriesContext(connection) as queries:
        assert api.get(URL, point).json()["building"] is None
    assert [q["sql"] for q in queries if "grids_" in q["sql"] or "people_" in q["sql"]] == []
    assert holder.builds == builds
    time.sleep(0.6)
    assert api.get(URL, point).json()["building"]["code"] == "100002001002"
    assert holder.builds == builds + 1
    api.get(URL, point)
    assert holder.builds == builds + 1  # unchanged fingerprint: not rebuilt
