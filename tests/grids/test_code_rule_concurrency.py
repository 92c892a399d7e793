"""The code rule holds under concurrent writers (issue 16, item 3; grids/0009): two
transactions inserting conflicting codes at once — unpadded siblings …1 and …10, or street
codes one beginning with the other — each could not see the other's uncommitted row, so
both passed the PostgreSQL trigger. The trigger now takes an advisory lock first: the second
writer waits for the first to commit, then sees its row and is refused. SQLite serialises
writers, so real concurrency needs PostGIS."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.gis.geos import MultiPolygon
from django.db import IntegrityError, connection, connections, transaction

from gridgov.grids.models import Grid, Kind, Level, Street
from tests.factories import box

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers: real concurrency needs PostGIS",
)


def race(first, second) -> list[str]:
    """Run ``first`` and ``second`` each in its own transaction on its own connection, the
    second starting while the first has written but not committed; the outcome of each."""
    written = threading.Event()
    outcomes: dict[str, str] = {}

    def run(name, write, before, after):
        try:
            before()
            with transaction.atomic():
                write()
                after()
            outcomes[name] = "ok"
        except IntegrityError as exc:
            outcomes[name] = f"refused: {exc}"
        except BaseException as exc:
            outcomes[name] = f"error: {exc!r}"
        finally:
            written.set()
            connections.close_all()

    def hold():
        written.set()
        time.sleep(1.0)  # the second writer runs its insert now, before this commits

    threads = [
        threading.Thread(target=run, args=("first", first, lambda: None, hold)),
        threading.Thread(
            target=run, args=("second", second, lambda: written.wait(30), lambda: None)
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return [outcomes.get("first", "hung"), outcomes.get("second", "hung")]


def compound(code: str, parent: Grid, x: float):
    def write():
        Grid(
            level=Level.COMPOUND,
            code=code,
            name=code,
            kind=Kind.RESIDENTIAL,
            parent=parent,
            geom=MultiPolygon(box(x, 23.001, x + 0.002, 23.009)),
        ).save()

    return write


@pytest.mark.django_db(transaction=True)
def test_unpadded_siblings_inserted_at_once_one_wins():
    community = Grid.objects.create(
        level=Level.COMMUNITY,
        code="900001",
        name="社区",
        kind=Kind.COMMUNITY,
        geom=MultiPolygon(box(113.30, 23.0, 113.31, 23.01)),
    )
    outcomes = race(
        compound("9000011", community, 113.301), compound("90000110", community, 113.305)
    )
    assert outcomes[0] == "ok"
    assert outcomes[1].startswith("refused: grid code rule"), outcomes
    assert list(Grid.objects.filter(level=Level.COMPOUND).values_list("code", flat=True)) == [
        "9000011"
    ]


@pytest.mark.django_db(transaction=True)
def test_nested_street_codes_inserted_at_once_one_wins():
    outcomes = race(
        lambda: Street.objects.create(code="4401", name="甲街道"),
        lambda: Street.objects.create(code="440101", name="乙街道"),
    )
    assert outcomes[0] == "ok"
    assert outcomes[1].startswith("refused: street code rule"), outcomes
    assert list(Street.objects.values_list("code", flat=True)) == ["4401"]
