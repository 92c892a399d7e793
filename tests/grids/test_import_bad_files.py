"""import_grids on the bad files that used to slip through (issue 16, item 8): a projected
CRS declared over degrees, GBK text in a GeoJSON or in a .dbf without .cpg, NaN/Infinity
coordinates, a zipped Shapefile without its .dbf. Every file is made for real (bytes written
as GBK, Shapefiles written by GDAL's ogr2ogr, zips by zipfile); each is refused with the
feature, field and reason, or read right, and nothing is written when refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import shapely
from django.core.management.base import CommandError
from shapely.geometry import box, mapping

from gridgov.grids.models import Grid
from tests.geodata.files import feature, ogr2ogr, write_geojson
from tests.grids.importing import run, state

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English

EAST = box(113.00, 23.00, 113.01, 23.01)
WEST = box(113.01, 23.00, 113.02, 23.01)
# The Chinese text is written with escapes (no Chinese literals in code): 东区, 西区, and the
# column names 编码 (code) and 名称 (name).
EAST_NAME, WEST_NAME = "\u4e1c\u533a", "\u897f\u533a"
CODE, NAME = "\u7f16\u7801", "\u540d\u79f0"


def collection(features: list[dict], crs: str | None = None) -> dict:
    out: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        out["crs"] = {"type": "name", "properties": {"name": crs}}
    return out


def communities(code_field: str = "code", name_field: str = "name") -> list[dict]:
    return [
        feature({code_field: "300001", name_field: EAST_NAME}, mapping(EAST)),
        feature({code_field: "300002", name_field: WEST_NAME}, mapping(WEST)),
    ]


def refused(path: Path, *args: str) -> str:
    """The command's error, checking that nothing was written."""
    before = state()
    with pytest.raises(CommandError) as err:
        run(path, "--level", "community", *args)
    assert state() == before
    return str(err.value)


# --- a declared coordinate system ---------------------------------------------------------


@pytest.mark.parametrize("name", ["urn:ogc:def:crs:EPSG::3857", "EPSG:3857"])
def test_epsg_3857_declared_over_degrees_is_refused_naming_feature_and_crs(name, db, tmp_path):
    path = tmp_path / "declared.geojson"
    path.write_text(json.dumps(collection(communities(), crs=name)))
    text = refused(path)
    assert "Nothing imported: 2 of 2 features" in text
    assert "feature 1 (code 300001), geometry:" in text
    assert "feature 2 (code 300002), geometry:" in text
    assert "EPSG:3857" in text
    assert "degrees" in text
    assert "near 0°, 0°" in text
    assert Grid.objects.count() == 0


def test_epsg_3857_declared_over_metres_is_honoured(db, tmp_path):
    """The same boundaries in real Web Mercator metres, written by GDAL with their crs
    member: transformed back through GDAL, they land where they were drawn."""
    src = write_geojson(tmp_path / "degrees.geojson", communities())
    path = ogr2ogr(src, tmp_path / "mercator.geojson", "-t_srs", "EPSG:3857", "-lco", "RFC7946=NO")
    assert "3857" in json.loads(path.read_text())["crs"]["properties"]["name"]
    out = run(path, "--level", "community")
    assert "EPSG:3857" in out
    east = shapely.from_wkt(Grid.objects.get(code="300001").geom.wkt)
    assert east.symmetric_difference(EAST).area < 1e-12
    assert Grid.objects.get(code="300001").name == EAST_NAME


# --- text encodings -----------------------------------------------------------------------


def gbk_geojson(tmp_path: Path, code_field: str = CODE, name_field: str = NAME) -> Path:
    path = tmp_path / "gbk.geojson"
    text = json.dumps(collection(communities(code_field, name_field)), ensure_ascii=False)
    path.write_bytes(text.encode("gbk"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    return path


def test_gbk_geojson_is_detected_and_said(db, tmp_path):
    out = run(gbk_geojson(tmp_path), "--level", "community")
    assert "GB18030 (detected)" in out
    assert dict(Grid.objects.values_list("code", "name")) == {
        "300001": EAST_NAME,
        "300002": WEST_NAME,
    }


def test_utf8_geojson_says_utf8(db, tmp_path):
    path = write_geojson(tmp_path / "utf8.geojson", communities(CODE, NAME))
    assert "UTF-8 (detected)" in run(path, "--level", "community")


def test_encoding_given_is_used_or_refused_with_the_byte(db, tmp_path):
    path = gbk_geojson(tmp_path)
    text = refused(path, "--encoding", "utf-8")
    assert "is not valid UTF-8 text (byte" in text
    assert "--encoding" in text
    text = refused(path, "--encoding", "klingon")
    assert "Unknown text encoding 'klingon'" in text
    out = run(path, "--level", "community", "--encoding", "GBK")
    assert "GB18030 (given with --encoding)" in out
    assert Grid.objects.get(code="300002").name == WEST_NAME


def test_text_in_no_known_encoding_is_refused(db, tmp_path):
    path = tmp_path / "garbled.geojson"
    text = json.dumps(collection(communities()), ensure_ascii=False)
    text = text.replace(EAST_NAME, "@@").replace(WEST_NAME, "west")
    path.write_bytes(text.encode("ascii").replace(b"@@", b"\xff\xff"))
    text = refused(path)
    assert "neither UTF-8" in text
    assert "nor GB18030" in text
    assert "--encoding" in text


def gbk_shapefile(
    tmp_path: Path, *, keep: tuple[str, ...] = (".shp", ".shx", ".dbf", ".prj"), name: str = "grids"
) -> Path:
    """A zipped Shapefile written by GDAL with GBK attributes (CP936) and Chinese column
    names, the zip keeping only the parts in ``keep`` (no .cpg by default)."""
    src = write_geojson(tmp_path / "src.geojson", communities(CODE, NAME))
    folder = tmp_path / f"{name}_shp"
    folder.mkdir()
    ogr2ogr(src, folder / f"{name}.shp", "-lco", "ENCODING=CP936")
    dbf = (folder / f"{name}.dbf").read_bytes()
    assert EAST_NAME.encode("gbk") in dbf
    assert dbf[29] == 0
    out = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(out, "w") as archive:
        for part in sorted(folder.iterdir()):
            if part.suffix in keep:
                archive.write(part, part.name)
    return out


def test_gbk_dbf_without_cpg_is_detected(db, tmp_path):
    out = run(gbk_shapefile(tmp_path), "--level", "community")
    assert f"code field {CODE}, name field {NAME}" in out
    assert "GB18030 (detected)" in out
    assert dict(Grid.objects.values_list("code", "name")) == {
        "300001": EAST_NAME,
        "300002": WEST_NAME,
    }


def test_gbk_dbf_with_its_cpg_uses_it(db, tmp_path):
    path = gbk_shapefile(tmp_path, keep=(".shp", ".shx", ".dbf", ".prj", ".cpg"))
    out = run(path, "--level", "community")
    assert "GB18030 (named by the .cpg file)" in out
    assert Grid.objects.get(code="300001").name == EAST_NAME


def test_zip_without_dbf_says_so_and_names_what_is_there(db, tmp_path):
    text = refused(gbk_shapefile(tmp_path, keep=(".shp", ".shx", ".prj")))
    assert "grids.dbf is missing" in text
    assert "grids.prj, grids.shp, grids.shx" in text
    assert "code-field" not in text


# --- coordinates that are not numbers -----------------------------------------------------


def test_nan_and_infinity_are_named_not_taken_for_an_open_ring(db, tmp_path):
    nan, inf = float("nan"), float("inf")
    first_nan = [[nan, 23.0], [113.01, 23.0], [113.01, 23.01], [113.0, 23.01], [nan, 23.0]]
    middle_inf = [[113.01, 23.0], [inf, 23.0], [113.02, 23.01], [113.01, 23.01], [113.01, 23.0]]
    feats = [
        feature({"code": "300001", "name": "a"}, {"type": "Polygon", "coordinates": [first_nan]}),
        feature({"code": "300002", "name": "b"}, {"type": "Polygon", "coordinates": [middle_inf]}),
    ]
    path = tmp_path / "nan.geojson"
    path.write_text(json.dumps(collection(feats)))  # Python writes NaN and Infinity
    text = refused(path)
    assert (
        "feature 1 (code 300001), geometry: a coordinate is not a number: (nan, 23.0) at "
        "ring 1, vertex 1"
    ) in text
    assert (
        "feature 2 (code 300002), geometry: a coordinate is not a number: (inf, 23.0) at "
        "ring 1, vertex 2"
    ) in text
    assert "not closed" not in text
    assert "invalid geometry" not in text


def test_the_refusals_speak_the_sites_language(db, tmp_path):
    """zh-hans, the site's language: the zip's missing .dbf and a GBK byte the --encoding
    given cannot read are told in Chinese (the catalogue's entries, not the English)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        text = refused(gbk_shapefile(tmp_path, keep=(".shp", ".shx")))
        assert "\u7f3a\u5c11" in text
        assert "grids.dbf" in text
        text = refused(gbk_geojson(tmp_path), "--encoding", "utf-8")
        assert "\u4e0d\u662f\u6709\u6548\u7684 UTF-8" in text  # 不是有效的 (is not valid)
