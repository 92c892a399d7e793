"""Re-locating everyone while the community keeps working: a point moved by a service in the
middle of a run keeps the placement the service gave it; inside a caller's transaction (a
boundary edited on a page, an import) nothing is written in bulk, which would lock tables
until that caller's commit."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.utils import timezone

from gridgov.grids import relocation, relocation_sql
from gridgov.people.models import Household
from gridgov.people.services import household_update
from tests.factories import HouseholdFactory


def _spread(n: int) -> list[Household]:
    households = [
        HouseholdFactory(location=Point(113.10105 + i * 0.0001, 23.0015, srid=4326))
        for i in range(n)
    ]
    Household.objects.update(community=None, compound=None, building=None, grid_code="")
    return households


def test_a_point_moved_during_a_run_keeps_the_services_placement(tree, monkeypatch):
    households = _spread(10)
    mover = households[3]
    real_place = relocation.place

    moved = []

    def place_then_someone_moves_a_household(*args, **kwargs):
        placed = real_place(*args, **kwargs)
        if not moved:  # meanwhile, on a page: the household moves to another building
            moved.append(True)  # (the service places that one point itself)
            household_update(
                household=Household.objects.get(pk=mover.pk),
                acting_user=None,
                location=Point(113.107, 23.003, srid=4326),
            )
        return placed

    monkeypatch.setattr(relocation, "place", place_then_someone_moves_a_household)
    before = timezone.now()
    counts = relocation.relocate(Household.objects.all())

    mover.refresh_from_db()
    assert mover.grid_code == "100001002001"  # the service's placement, not the stale one
    assert counts["total"] == 10
    assert counts["written"] == 9
    rest = Household.objects.exclude(pk=mover.pk)
    assert set(rest.values_list("grid_code", flat=True)) == {"100001001001"}
    stamps = set(rest.values_list("located_at", flat=True))
    assert len(stamps) == 1  # one run, one time
    assert before <= stamps.pop() <= timezone.now() + dt.timedelta(seconds=1)


def test_no_bulk_write_inside_a_callers_transaction(tree, monkeypatch):
    """The test itself runs in a transaction, as a page's or an import's work does."""
    monkeypatch.setattr(relocation_sql, "BULK_ROWS", 1)
    monkeypatch.setattr(relocation_sql, "BULK_SHARE", 0.0)
    _spread(5)
    assert connection.in_atomic_block
    counts = relocation.relocate(Household.objects.all())
    assert counts["written"] == 5
    assert counts["bulk"] == 0
    if connection.vendor == "postgresql":
        Household.objects.update(building=None, grid_code="")
        counts = relocation_sql.relocate_sql(Household)
        assert counts["written"] == 5
        assert counts["bulk"] == 0
    assert set(Household.objects.values_list("grid_code", flat=True)) == {"100001001001"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostGIS only")
@pytest.mark.django_db(transaction=True)
def test_the_sql_engine_does_not_overwrite_a_point_moved_before_its_write(tree):
    """The placement is computed first and written after; a row whose point changed in
    between (here: moved by a trigger the moment the placement table is made) is skipped."""
    households = _spread(4)
    mover = households[0]
    with connection.cursor() as cursor:
        cursor.execute(f"""
            CREATE FUNCTION gridgov_test_move() RETURNS event_trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE people_household SET location = ST_SetSRID(ST_MakePoint(113.107, 23.003),
                    4326), grid_code = 'moved' WHERE id = {int(mover.pk)};
            END $$;
            CREATE EVENT TRIGGER gridgov_test_move ON ddl_command_end
                WHEN TAG IN ('CREATE TABLE AS') EXECUTE FUNCTION gridgov_test_move();
        """)
    try:
        counts = relocation_sql.relocate_sql(Household)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP EVENT TRIGGER gridgov_test_move; DROP FUNCTION gridgov_test_move();"
            )
    mover.refresh_from_db()
    assert mover.grid_code == "moved"
    assert counts["written"] == 3
