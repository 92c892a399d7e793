"""locate_people on PostGIS, bulk write: a large change is written with the location foreign
keys and the secondary indexes dropped and re-made; the result and the schema are the same
as the ordinary way's, with either engine (SQL inside PostGIS, or placed in Python and
staged by COPY)."""

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from gridgov.grids import relocation_sql
from gridgov.grids.models import Kind, Level
from gridgov.grids.relocation import relocate
from gridgov.grids.services import grid_create
from gridgov.people.models import Household
from tests.factories import HouseholdFactory, box
from tests.grids.placements import assert_placed_alike, placed, scatter

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostGIS only")

SCHEMA = """
    SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'people_household'::regclass
    UNION ALL
    SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
    WHERE conrelid = 'people_household'::regclass
    ORDER BY 1
"""


def _schema() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(SCHEMA)
        return [r[0] for r in cursor.fetchall()]


ENGINES = {
    "sql": relocation_sql.relocate_sql,
    "python": lambda model: relocate(model.objects.all()),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize("bulk", [True, False])
def test_bulk_and_ordinary_writes_give_the_same_placement_and_schema(
    tree, monkeypatch, bulk, engine
):
    monkeypatch.setattr(relocation_sql, "BULK_ROWS", 1 if bulk else 10**9)
    monkeypatch.setattr(relocation_sql, "BULK_SHARE", 0.0)
    # a code as an import may bring it: COPY's text format must carry \ and a tab through
    odd = grid_create(
        acting_user=None,
        level=Level.BUILDING,
        code="100001002\\9\t9",
        name="9栋",
        kind=Kind.BUILDING,
        geom=box(113.1085, 23.005, 113.1089, 23.006),
        parent=tree.k2,
    )
    in_odd = HouseholdFactory(location=Point(113.1087, 23.0055, srid=4326))
    scattered = scatter()
    before = _schema()
    counts = ENGINES[engine](Household)
    assert counts["bulk"] == int(bulk)
    assert counts["written"] == counts["total"] == 23
    assert counts["located"] == 22
    assert _schema() == before
    got = placed()
    assert_placed_alike(scattered, got)
    assert got[in_odd.pk][:2] == (odd.code, odd.code)
    again = ENGINES[engine](Household)
    assert again["written"] == 0
    assert again["bulk"] == 0
