"""Helpers of the grid import tests: run the command, write a GeoJSON file of grids (or
another format of it), and everything an import writes, to compare before and after."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command
from shapely.geometry import mapping

from gridgov.accounts.models import AuditEntry
from gridgov.grids.models import Grid, GridVersion
from tests.geodata.files import feature, ogr2ogr, write_geojson, zipped_shapefile


def run(path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_grids", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def geojson(tmp_path: Path, name: str, items: list[tuple[str, str, object]], **extra) -> Path:
    """A GeoJSON file of (code, name, shapely geometry) features."""
    feats = [feature({"code": c, "name": n, **extra}, mapping(g)) for c, n, g in items]
    return write_geojson(tmp_path / f"{name}.geojson", feats)


def as_format(path: Path, fmt: str, tmp_path: Path) -> Path:
    tmp_path.mkdir(exist_ok=True)
    if fmt == "gpkg":
        return ogr2ogr(path, path.with_suffix(".gpkg"))
    if fmt == "zip":
        return zipped_shapefile(path, tmp_path, path.stem)
    return path


def state() -> tuple:
    """Everything an import writes, to compare before and after."""
    grids = list(
        Grid.objects.order_by("code").values_list(
            "code", "name", "kind", "parent_id", "geom", "updated_at"
        )
    )
    grids = [(*g[:4], g[4].wkt, g[5]) for g in grids]
    versions = list(GridVersion.objects.values_list("pk", "grid_id", "valid_to"))
    audits = list(AuditEntry.objects.order_by("pk").values_list("pk", "action", "object_id"))
    return grids, versions, audits
