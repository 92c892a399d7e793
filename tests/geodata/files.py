"""Geo files for the tests: GeoJSON written from features, other formats through GDAL's
ogr2ogr, a zipped shapefile."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path


def write_geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    return path


def feature(props: dict, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def ogr2ogr(src: Path, dst: Path, *args: str) -> Path:
    driver = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON"}[dst.suffix]
    subprocess.run(
        ["ogr2ogr", "-f", driver, *args, str(dst), str(src)], check=True, capture_output=True
    )
    return dst


def zipped_shapefile(src: Path, tmp: Path, name: str = "grids") -> Path:
    folder = tmp / f"{name}_shp"
    folder.mkdir()
    ogr2ogr(src, folder / f"{name}.shp", "-lco", "ENCODING=UTF-8")
    out = tmp / f"{name}.zip"
    with zipfile.ZipFile(out, "w") as archive:
        for part in folder.iterdir():
            archive.write(part, part.name)
    return out
