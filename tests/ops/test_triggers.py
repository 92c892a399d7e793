"""The SQLite triggers that guard grid nesting, the grid code rule and the points ledger, and
keep households' resident counts, come back after a migration rebuilds their table (SQLite
drops a table's triggers with it)."""

import pytest
from django.contrib.gis.geos import MultiPolygon
from django.db import IntegrityError, connection, transaction

from gridgov.grids.models import Grid, Kind, Level
from gridgov.ops.triggers import expected_triggers, repair_triggers
from tests.factories import box

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="PostgreSQL keeps triggers across ALTER TABLE"
)


def _present() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def test_after_migrate_every_guard_trigger_is_there(db):
    # The test database was built by the migrations; grids/0007 rebuilds grids_grid.
    names = {name for *_, name, _sql in expected_triggers()}
    assert names == {
        "grids_grid_parent_ins",
        "grids_grid_parent_upd",
        "grids_grid_code_rule_ins",
        "grids_grid_code_rule_upd",
        "grids_street_code_rule_ins",
        "grids_street_code_rule_upd",
        "points_ledger_no_update",
        "points_ledger_no_delete",
        "people_resident_count_insert",
        "people_resident_count_delete",
        "people_resident_count_move",
    }
    assert names <= _present()


def test_a_dropped_trigger_is_recreated_and_guards_again(tree):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER grids_grid_parent_ins")
    bad = Grid(
        level=Level.BUILDING,
        parent=tree.c1,
        code="100001999",
        name="x",
        kind=Kind.BUILDING,
        geom=MultiPolygon(box(113.101, 23.001, 113.102, 23.002)),
    )
    assert repair_triggers() == ["grids_grid_parent_ins"]
    with pytest.raises(IntegrityError), transaction.atomic():
        bad.save()  # a building straight under a community: refused by the trigger again
    assert not Grid.objects.filter(code="100001999").exists()
    assert repair_triggers() == []
