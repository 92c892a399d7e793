"""Export -> empty database -> import gives back the same grids; GDAL's ogrinfo reads the
exported file as valid WGS84 GeoJSON."""

import io
import json
import subprocess

import pytest
from django.core.management import call_command

from gridgov.grids.models import Grid, Level

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


def export(tmp_path, layer):
    path = tmp_path / f"{layer}.geojson"
    call_command("export_geojson", layer, "-o", str(path), stderr=io.StringIO())
    return path


def snapshot():
    return {
        g.code: (g.level, g.name, g.kind, g.parent.code if g.parent else None, g.geom)
        for g in Grid.objects.select_related("parent")
    }


def test_export_then_import_into_an_empty_database_gives_the_same_grids(tree, tmp_path):
    before = snapshot()
    files = {layer: export(tmp_path, layer) for layer in ("communities", "compounds", "buildings")}
    for level in (Level.BUILDING, Level.COMPOUND, Level.COMMUNITY):
        Grid.objects.filter(level=level).delete()
    assert not Grid.objects.exists()

    for layer, level in (
        ("communities", "community"),
        ("compounds", "compound"),
        ("buildings", "building"),
    ):
        call_command(
            "import_grids",
            str(files[layer]),
            "--level",
            level,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    after = snapshot()
    assert sorted(after) == sorted(before)
    for code, (level, name, kind, parent, geom) in before.items():
        level2, name2, kind2, parent2, geom2 = after[code]
        assert (level2, name2, kind2, parent2) == (level, name, kind, parent), code
        # 7 decimals (about 1 cm) is what RFC 7946 output keeps
        assert geom2.equals_exact(geom, tolerance=1e-7), code


def test_ogrinfo_reads_the_export_as_wgs84_geojson(tree, tmp_path):
    path = export(tmp_path, "grids")
    result = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Feature Count: 9" in result.stdout
    assert "Geometry: Multi Polygon" in result.stdout
    assert 'ID["EPSG",4326]' in result.stdout or "WGS 84" in result.stdout
    for field in ("community_code", "compound_code", "building_code"):
        assert field in result.stdout
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert "crs" not in doc
