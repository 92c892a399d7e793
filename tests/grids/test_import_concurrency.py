"""Two imports of the same file at the same moment give one result: the first creates the
grids, the second finds them unchanged (PostGIS with real threads; SQLite serialises
writers with BEGIN IMMEDIATE)."""

import threading

import pytest
from django.db import connection, connections
from django.utils import translation
from shapely.geometry import box, mapping

from gridgov.accounts.models import AuditEntry
from gridgov.grids.importing import grids_import
from gridgov.grids.models import Grid, GridVersion, Level
from tests.geodata.files import feature, write_geojson

IMPORTERS = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_file_give_one_result(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: real concurrency needs PostGIS")
    feats = [
        feature(
            {"code": f"3000{i:02d}", "name": f"社区{i}"},
            mapping(box(113.0 + i * 0.01, 23.0, 113.01 + i * 0.01, 23.01)),
        )
        for i in range(30)
    ]
    path = write_geojson(tmp_path / "communities.geojson", feats)
    barrier = threading.Barrier(IMPORTERS)
    results, errors = [], []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):
                result = grids_import(path, level=Level.COMMUNITY)
            with lock:
                results.append((result.created, result.updated, result.unchanged))
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(IMPORTERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    assert sorted(results) == [(0, 0, 30)] * (IMPORTERS - 1) + [(30, 0, 0)]
    assert Grid.objects.count() == 30
    assert AuditEntry.objects.filter(action="grid.create").count() == 30
    assert GridVersion.objects.count() == 0
