"""Locating people: inside a building, on an edge two buildings share, in a compound's open
ground, outside every grid; one at a time (services) and all at once (locate_people)."""

import io
import math

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.accounts.models import AuditEntry
from gridgov.grids.services import grid_update
from gridgov.people.models import Household, Member
from gridgov.people.services import member_create, member_update, point_from
from tests.factories import HouseholdFactory, MemberFactory, box

METRES_PER_DEGREE_LAT_23N = 110_758  # meridian arc length of 1° at 23°N on WGS84


def where(person):
    person.refresh_from_db()
    code = lambda g: g.code if g else None  # noqa: E731
    return code(person.community), code(person.compound), code(person.building)


def test_point_inside_a_building_is_located_in_all_three_levels(tree):
    m = MemberFactory(location=Point(113.102, 23.002, srid=4326))
    assert where(m) == ("100001", "100001001", "100001001001")
    assert m.is_located
    assert m.nearest_building is None
    assert m.grid_code == "100001001001"


def test_point_on_a_shared_edge_goes_to_one_building_the_lowest_code(tree):
    # x=113.103 is the edge B1 (…001) and B2 (…002) share.
    m = MemberFactory(location=Point(113.103, 23.002, srid=4326))
    assert where(m) == ("100001", "100001001", "100001001001")


def test_point_on_compound_edge_shared_by_two_compounds(tree):
    # x=113.105 is the edge K1 and K2 share, north of any building.
    m = MemberFactory(location=Point(113.105, 23.008, srid=4326))
    assert where(m) == ("100001", "100001001", None)


def test_point_in_open_ground_keeps_compound_and_gets_nearest_building_in_metres(tree):
    # 0.0015° north of B2's northern edge (y=23.003), within its x range; B1 and B3 are
    # farther (about 195 m and 206 m).
    m = MemberFactory(location=Point(113.104, 23.0045, srid=4326))
    assert where(m) == ("100001", "100001001", None)
    assert not m.is_located
    assert m.nearest_building.code == "100001001002"
    expected = 0.0015 * METRES_PER_DEGREE_LAT_23N
    assert m.nearest_distance_m == pytest.approx(expected, rel=0.005)


def test_point_outside_every_grid_is_kept_unlocated_with_nearest_building(tree):
    # 0.01° east of B4's eastern edge (x=113.114) at the same latitude.
    m = MemberFactory(location=Point(113.124, 23.003, srid=4326))
    assert where(m) == (None, None, None)
    assert m.nearest_building.code == "100002001001"
    east = 0.01 * 111_320 * math.cos(math.radians(23.003)) * 1.0023  # ellipsoid at 23°N
    assert m.nearest_distance_m == pytest.approx(east, rel=0.005)
    assert m.grid_code == "100002001001"  # staff of that building's grid still see them


def test_moving_a_member_relocates_them(tree):
    m = MemberFactory(location=Point(113.102, 23.002, srid=4326))
    member_update(member=m, acting_user=None, location=Point(113.113, 23.003, srid=4326))
    assert where(m) == ("100002", "100002001", "100002001001")
    assert AuditEntry.objects.filter(action="member.update", object_id=str(m.pk)).count() == 1


@pytest.mark.parametrize(("lon", "lat"), [(181, 23), (113, -91), ("abc", 23), (None, 23)])
def test_coordinates_out_of_range_or_not_numbers_are_refused(db, lon, lat):
    with pytest.raises(ValidationError) as err:
        point_from(lon, lat, label="张三")
    assert "张三" in " ".join(err.value.messages)


def test_out_of_range_point_refused_and_nothing_written(tree):
    with pytest.raises(ValidationError):
        member_create(
            acting_user=None,
            name="李四",
            gender="M",
            kind="retired",
            location=Point(200.0, 23.0, srid=4326),
        )
    assert not Member.objects.exists()
    assert not AuditEntry.objects.filter(object_type="people.member").exists()


@pytest.mark.parametrize("engine", ["auto", "python"])
def test_locate_people_bulk_agrees_with_the_services(tree, engine):
    """auto is SQL inside PostGIS and the vectorised path on SpatiaLite; python is the
    vectorised path everywhere. All agree with locating one person at a time."""
    points = [
        (113.102, 23.002),
        (113.103, 23.002),
        (113.104, 23.0045),
        (113.124, 23.003),
        (113.107, 23.003),
        (113.113, 23.003),
        (113.105, 23.008),
    ]
    people = [HouseholdFactory(location=Point(x, y, srid=4326)) for x, y in points]
    by_service = [(where(h), h.nearest_building_id, h.grid_code) for h in people]
    metres = [h.nearest_distance_m for h in people]
    # Scramble the stored location results, then recompute set-based.
    Household.objects.update(
        community=None,
        compound=None,
        building=None,
        nearest_building=None,
        nearest_distance_m=None,
        grid_code="",
    )
    call_command("locate_people", "--engine", engine, stdout=io.StringIO())
    by_bulk = [(where(h), h.nearest_building_id, h.grid_code) for h in people]
    assert by_bulk == by_service
    # metres: a local projection in Python, the spheroid in PostGIS; they agree to 0.1 %
    for h, m in zip(people, metres, strict=True):
        assert (h.nearest_distance_m is None) == (m is None)
        if m is not None:
            assert h.nearest_distance_m == pytest.approx(m, rel=1e-3)
    assert by_bulk[4][0] == ("100001", "100001002", "100001002001")


def test_sql_engine_is_refused_without_postgis(db):
    from django.core.management.base import CommandError

    if connection.vendor == "postgresql":
        pytest.skip("PostGIS has the SQL engine")
    with pytest.raises(CommandError, match="needs PostGIS"):
        call_command("locate_people", "--engine", "sql")


def test_locate_people_is_set_based_not_one_query_per_person(tree):
    """Twice the people, the same number of queries (and few of them)."""

    def queries_to_locate(n: int) -> int:
        Household.objects.all().delete()
        for i in range(n):
            HouseholdFactory(location=Point(113.10105 + i * 0.0001, 23.0015, srid=4326))
        Household.objects.update(building=None, grid_code="")
        with CaptureQueriesContext(connection) as queries:
            call_command("locate_people", stdout=io.StringIO())
        return len(queries)

    assert queries_to_locate(40) == queries_to_locate(80) <= 20
    assert Household.objects.filter(building__code="100001001001").count() == 20


def test_changing_a_boundary_relocates_the_people_in_it(tree):
    m = MemberFactory(location=Point(113.1045, 23.004, srid=4326))  # open ground of K1
    assert where(m)[2] is None
    grid_update(grid=tree.b2, acting_user=None, geom=box(113.103, 23.001, 113.105, 23.005))
    assert where(m) == ("100001", "100001001", "100001001002")
