"""locate_people on SpatiaLite, bulk write: a large change is written with the indexes over
the location columns and SpatiaLite's per-row "last update" trigger dropped and re-made in
the same transaction. The placements, the schema and the geometry-columns timestamp are the
same as the ordinary way's; a failure after the UPDATE leaves everything as it was. Run
outside any test transaction, as locate_people runs: the rollback is the real one."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from gridgov.grids import relocation_sql
from gridgov.grids.relocation import relocate
from gridgov.people.models import Household
from tests.grids.placements import assert_placed_alike, placed, scatter

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SpatiaLite only")

SCHEMA = """
    SELECT type, name, sql FROM sqlite_master
    WHERE tbl_name = 'people_household' AND type IN ('index', 'trigger') ORDER BY type, name
"""
LAST_UPDATE = """
    SELECT last_update FROM geometry_columns_time WHERE f_table_name = 'people_household'
"""


def _query(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bulk", [True, False])
def test_bulk_and_ordinary_writes_give_the_same_placement_and_schema(tree, monkeypatch, bulk):
    monkeypatch.setattr(relocation_sql, "BULK_ROWS", 1 if bulk else 10**9)
    monkeypatch.setattr(relocation_sql, "BULK_SHARE", 0.0)
    scattered = scatter()
    before = _query(SCHEMA)
    assert any(name.startswith("tmu_") for _t, name, _s in before)  # SpatiaLite's trigger
    assert any("grid_code" in (sql or "") for _t, _n, sql in before)  # an index it drops
    _query("UPDATE geometry_columns_time SET last_update = '2000-01-01T00:00:00.000Z'")
    long_ago = _query(LAST_UPDATE)[0][0]
    started = timezone.now()

    counts = relocate(Household.objects.all())

    assert counts["bulk"] == int(bulk)
    assert counts["written"] == counts["total"] == 22
    assert counts["located"] == 21
    assert _query(SCHEMA) == before
    assert_placed_alike(scattered, placed())
    stamps = set(Household.objects.values_list("located_at", flat=True))
    assert len(stamps) == 1
    assert started <= stamps.pop() <= timezone.now() + dt.timedelta(seconds=1)
    # the table's "last updated" time moved, whether per row or once
    assert _query(LAST_UPDATE)[0][0] > long_ago
    # the re-made indexes serve their lookups
    plan = _query("EXPLAIN QUERY PLAN SELECT id FROM people_household WHERE grid_code = 'x'")
    assert "INDEX" in " ".join(str(row) for row in plan)
    again = relocate(Household.objects.all())
    assert again["written"] == 0
    assert again["bulk"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_update_leaves_rows_and_schema_as_they_were(tree, monkeypatch):
    monkeypatch.setattr(relocation_sql, "BULK_ROWS", 1)
    monkeypatch.setattr(relocation_sql, "BULK_SHARE", 0.0)
    scatter()
    # A unique index someone added over two location columns. It holds while nobody is
    # located (NULL buildings are all distinct); the placement puts twenty households in
    # one building with one code, so re-making this index, after the UPDATE, fails.
    _query("CREATE UNIQUE INDEX one_per_building ON people_household (grid_code, building_id)")
    before = _query(SCHEMA)
    with pytest.raises(DatabaseError, match="UNIQUE"):
        relocate(Household.objects.all())
    assert _query(SCHEMA) == before
    assert not Household.objects.exclude(grid_code="").exists()  # nothing half-written
    assert not Household.objects.filter(building__isnull=False).exists()
