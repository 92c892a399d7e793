"""Where a layer's bytes come from and how GDAL opens them: a GeoJSON, a Shapefile and
its parts (.dbf, .shx, .cpg), a zip holding either or a GeoPackage, and the encoding of the
attribute text (geodata.encodings). A zipped Shapefile without its .dbf or .shx is refused
naming what the zip holds. geodata.io reads the features."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.contrib.gis.gdal import DataSource, GDALException
from django.contrib.gis.gdal.libgdal import lgdal
from django.utils.translation import gettext as _

from geodata import encodings
from geodata.encodings import Encoding, Opener


class ReadError(ValueError):
    """The file cannot be read as a layer of grid polygons (the message says why)."""


@dataclass(frozen=True)
class _Source:
    """What GDAL opens, and where the attribute text lies (a GeoJSON, or a Shapefile's .dbf,
    possibly inside a zip) for its encoding to be checked."""

    gdal: str
    label: str  # how messages name the text's file
    text: Opener | None = None  # None: the format fixes the encoding (GeoPackage: UTF-8)
    dbf: bool = False
    cpg: str | None = None


def gdal_path(path: str | Path, layer: str | None = None) -> str:
    """The path GDAL opens: a .zip is read in place through /vsizip/ (its one .shp, or the
    .shp named ``layer``)."""
    return _source(path, layer).gdal


def _file_opener(path: Path) -> Opener:
    return lambda: open(path, "rb")


def _zip_opener(path: Path, member: str) -> Opener:
    @contextmanager
    def opened() -> Iterator[IO[bytes]]:
        with zipfile.ZipFile(path) as archive, archive.open(member) as f:
            yield f

    return opened


def _beside(names: list[str], shp: str, suffix: str) -> str | None:
    """The file of a Shapefile's set with this suffix (.dbf, .shx, .cpg), any letter case."""
    want = (shp[:-4] + suffix).lower()
    return next((n for n in names if n.lower() == want), None)


def _shapefile_parts(label: str, names: list[str], shp: str) -> tuple[str, str | None]:
    """The .dbf and .cpg of the Shapefile ``shp`` among ``names``; a missing .dbf or .shx is
    refused, naming what is there."""
    for suffix, what in (
        (".dbf", _("its attribute table (.dbf), where the codes and names are")),
        (".shx", _("its index (.shx)")),
    ):
        if _beside(names, shp, suffix) is None:
            raise ReadError(
                _(
                    "%(file)s holds the Shapefile %(shp)s without %(what)s: %(missing)s is "
                    "missing. It holds: %(names)s."
                )
                % {
                    "file": label,
                    "shp": shp,
                    "what": what,
                    "missing": Path(shp).stem + suffix,
                    "names": ", ".join(names) or "-",
                }
            )
    return _beside(names, shp, ".dbf") or "", _beside(names, shp, ".cpg")


def _source(path: str | Path, layer: str | None) -> _Source:
    path = Path(path)
    if not path.exists():
        raise ReadError(_("File not found: %(path)s") % {"path": path})
    suffix = path.suffix.lower()
    if suffix == ".shp":
        names = [p.name for p in path.parent.iterdir()]
        dbf, cpg = _shapefile_parts(str(path.parent), names, path.name)
        return _Source(
            str(path),
            str(path.parent / dbf),
            _file_opener(path.parent / dbf),
            dbf=True,
            cpg=(path.parent / cpg).read_text("latin-1") if cpg else None,
        )
    if suffix in (".geojson", ".json"):
        return _Source(str(path), str(path), _file_opener(path))
    if suffix != ".zip":
        return _Source(str(path), str(path))
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.startswith("__MACOSX/")]
    except zipfile.BadZipFile as exc:
        raise ReadError(_("%(path)s is not a readable zip file.") % {"path": path}) from exc
    shps = [n for n in names if n.lower().endswith(".shp")]
    if layer:
        shps = [n for n in shps if Path(n).stem == layer] or shps
    if not shps:
        others = [n for n in names if n.lower().endswith((".gpkg", ".geojson", ".json"))]
        if len(others) == 1:
            gdal = f"/vsizip/{path.resolve()}/{others[0]}"
            if others[0].lower().endswith(".gpkg"):
                return _Source(gdal, f"{path}/{others[0]}")
            return _Source(gdal, f"{path}/{others[0]}", _zip_opener(path, others[0]))
        raise ReadError(
            _("The zip file %(path)s holds no Shapefile (.shp); it holds: %(names)s.")
            % {"path": path, "names": ", ".join(names) or "-"}
        )
    if len(shps) > 1:
        raise ReadError(
            _(
                "The zip file %(path)s holds several Shapefiles (%(names)s): choose one with "
                "--layer."
            )
            % {"path": path, "names": ", ".join(Path(n).stem for n in shps)}
        )
    dbf, cpg = _shapefile_parts(_("The zip file %(path)s") % {"path": path}, names, shps[0])
    cpg_text = None
    if cpg:
        with zipfile.ZipFile(path) as archive:
            cpg_text = archive.read(cpg).decode("latin-1")
    return _Source(
        f"/vsizip/{path.resolve()}/{shps[0]}",
        f"{path}/{dbf}",
        _zip_opener(path, dbf),
        dbf=True,
        cpg=cpg_text,
    )


@contextmanager
def _shapefile_bytes_as_they_are() -> Iterator[None]:
    """GDAL leaves a .dbf's text undecoded while the layer is opened (SHAPE_ENCODING=""):
    the encoding is chosen by geodata.encodings and applied by Django, .cpg or not."""
    lgdal.CPLSetThreadLocalConfigOption(b"SHAPE_ENCODING", b"")
    try:
        yield
    finally:
        lgdal.CPLSetThreadLocalConfigOption(b"SHAPE_ENCODING", None)


def open_layer(
    path: str | Path, layer: str | None, encoding: str | None = None
) -> tuple[DataSource, Any, Encoding]:
    """GDAL's data source and the layer to read (``layer``, else the first), and the
    encoding its attribute text is decoded with; a file that cannot be opened is refused
    with the reason."""
    source = _source(path, layer)
    enc = _encoding(source, encoding)
    try:
        with _shapefile_bytes_as_they_are():
            ds = DataSource(source.gdal, encoding=enc.codec)
    except GDALException as exc:
        raise ReadError(
            _(
                "%(path)s is not a geographic file GDAL can read (GeoJSON, zipped Shapefile, "
                "GeoPackage)."
            )
            % {"path": path}
        ) from exc
    names = tuple(ds[i].name for i in range(len(ds)))
    if not names:
        raise ReadError(_("%(path)s holds no layer.") % {"path": path})
    if layer and layer in names:
        return ds, ds[layer], enc
    if layer and not source.gdal.lower().endswith(".shp"):
        raise ReadError(
            _("No layer %(layer)s in %(path)s; its layers: %(names)s.")
            % {"layer": layer, "path": path, "names": ", ".join(names)}
        )
    return ds, ds[0], enc


def _encoding(source: _Source, given: str | None) -> Encoding:
    try:
        if source.text is None:
            if given:
                encodings.codec_name(given)
            return Encoding("utf-8", "format")
        return encodings.choose(
            source.text, label=source.label, given=given, cpg=source.cpg, dbf=source.dbf
        )
    except encodings.EncodingError as exc:
        raise ReadError(str(exc)) from exc
