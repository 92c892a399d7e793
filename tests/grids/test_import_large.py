"""A 200 MB boundary file: streamed through GDAL to its last feature, whose fault is named,
and nothing written (all or nothing holds at any size). Time and memory: bench/import_large.py."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from bench.import_large import write_file
from tests.grids.importing import state


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "communities.geojson"
    count = write_file(path, 200, bad_last=True)
    assert path.stat().st_size > 190 * 2**20
    return path, count


def test_a_200_mb_file_is_read_to_its_last_feature_and_refused_whole(big_file, db):
    path, count = big_file
    before = state()
    with translation.override("en"), pytest.raises(CommandError) as err:
        call_command(
            "import_grids",
            str(path),
            "--level",
            "community",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    message = str(err.value)
    assert f"1 of {count} features have problems" in message
    assert f"feature {count} (code {900000 + count - 1}), geometry: invalid geometry" in message
    assert "Self-intersection" in message
    assert state() == before
