"""GeoJSON export: ``manage.py export_geojson`` versus ``ogr2ogr -f GeoJSON``, same rows.

No single export layer reaches 100k features at district scale (grids ~50k: 360
communities + ~2.5k compounds + ~47k buildings; households ~47k: one polygon per building
with its counts; members ~20k: one point per located member). So both tools export the
three layers, ~117k features in all, each layer in its own process, and the comparison is
total features / total wall time. ogr2ogr reads the same tables with SQL that makes the same
properties (codes of all three levels, counts, masked phones), and writes RFC 7946 too
(``-lco RFC7946=YES``: WGS84, counter-clockwise exteriors, 7 decimals).

Ours is measured twice over the same code path (gridgov.grids.exporting.geojson_chunks):

- ``manage.py export_geojson``, one process per layer, Python and Django's start-up included
  (≈ 0.8 s a process, a constant whatever the layer's size);
- ``/api/v1/export/<layer>.geojson`` on a running server (gunicorn, one sync worker,
  production settings, a read key), where city systems call it: each layer one GET, the
  body streamed to a file, wall time from the request to the last byte. The worker's peak
  memory (VmHWM) is read after a small export (one community's buildings) and again after
  all three layers: a streamed export keeps it flat whatever the number of features.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
from pathlib import Path

from common import MANAGE, manage, run

LAYERS = ("grids", "households", "members")

_GRIDS = """
SELECT CASE g.level WHEN 1 THEN g.code WHEN 2 THEN p.code ELSE pp.code END AS community_code,
       CASE g.level WHEN 2 THEN g.code WHEN 3 THEN p.code END AS compound_code,
       CASE g.level WHEN 3 THEN g.code END AS building_code,
       g.code, g.name, g.level, g.kind, g.geom
FROM grids_grid g
LEFT JOIN grids_grid p ON p.id = g.parent_id
LEFT JOIN grids_grid pp ON pp.id = p.parent_id
ORDER BY g.code
"""
_HOUSEHOLDS = """
SELECT pp.code AS community_code, p.code AS compound_code, g.code AS building_code,
       coalesce(h.n, 0) AS households, coalesce(r.n, 0) AS residents, g.geom
FROM grids_grid g
LEFT JOIN grids_grid p ON p.id = g.parent_id
LEFT JOIN grids_grid pp ON pp.id = p.parent_id
LEFT JOIN (SELECT building_id, count(*) AS n FROM people_household
           WHERE building_id IS NOT NULL GROUP BY building_id) h ON h.building_id = g.id
LEFT JOIN (SELECT hh.building_id, count(*) AS n FROM people_resident r
           JOIN people_household hh ON hh.id = r.household_id
           WHERE hh.building_id IS NOT NULL GROUP BY hh.building_id) r ON r.building_id = g.id
WHERE g.level = 3
ORDER BY g.code
"""
_MEMBERS = """
SELECT c.code AS community_code, k.code AS compound_code, b.code AS building_code,
       m.name, m.kind, m.specialty, m.pledge,
       CASE WHEN m.phone_public THEN m.phone WHEN length(m.phone) <= 7 THEN '*******'
            ELSE substr(m.phone, 1, 3) || '****' || substr(m.phone, length(m.phone) - 3) END
         AS phone,
       {point_on_surface}(b.geom) AS geom
FROM people_member m
JOIN grids_grid b ON b.id = m.building_id
LEFT JOIN grids_grid c ON c.id = m.community_id
LEFT JOIN grids_grid k ON k.id = m.compound_id
ORDER BY m.id
"""


def ogr_sql(layer: str, backend: str) -> str:
    sql = {"grids": _GRIDS, "households": _HOUSEHOLDS, "members": _MEMBERS}[layer]
    pos = "ST_PointOnSurface" if backend == "postgis" else "PointOnSurface"
    return " ".join(sql.format(point_on_surface=pos).split())


def ogr_source(env: dict[str, str], backend: str, sqlite_path: Path | None) -> str:
    if backend == "spatialite":
        return str(sqlite_path)
    # postgis://user:password@host:port/name -> a libpq connection string for GDAL
    from urllib.parse import unquote, urlparse

    url = urlparse(env["DATABASE_URL"])
    parts = [f"dbname={url.path.lstrip('/')}"]
    host = url.hostname or env.get("PGHOST", "")
    if host:
        parts.append(f"host={unquote(host)}")
    if url.port:
        parts.append(f"port={url.port}")
    if url.username:
        parts.append(f"user={unquote(url.username)}")
    if url.password:
        parts.append(f"password={unquote(url.password)}")
    return "PG:" + " ".join(parts)


def feature_count(path: Path) -> int:
    """Features in a GeoJSON file, as GDAL reads it (so the file is also checked to parse)."""
    out = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return sum(
        int(line.split(":")[1]) for line in out.splitlines() if line.startswith("Feature Count:")
    )


def compare(
    env: dict[str, str], backend: str, out_dir: Path, sqlite_path: Path | None = None
) -> dict:
    """Export every layer with both tools; per tool: seconds, peak MiB, bytes, features."""
    out_dir.mkdir(parents=True, exist_ok=True)
    source = ogr_source(env, backend, sqlite_path)
    result: dict[str, dict] = {"ours": {}, "ogr2ogr": {}}
    for layer in LAYERS:
        ours = out_dir / f"ours-{layer}.geojson"
        theirs = out_dir / f"ogr2ogr-{layer}.geojson"
        for f in (ours, theirs):
            f.unlink(missing_ok=True)
        r = run([*MANAGE, "export_geojson", layer, "-o", str(ours)], env)
        # The command reports its own time (after Django's start-up) as the last number of
        # its last line, in whichever language is active ("... in 0.8 s." / "用时 0.8 秒。").
        inner = re.findall(r"\d+(?:\.\d+)?", r.out.strip().splitlines()[-1])
        result["ours"][layer] = {
            "seconds": r.seconds,
            "mib": r.mib,
            "bytes": ours.stat().st_size,
            "features": feature_count(ours),
            "reported_s": float(inner[-1]) if inner else None,
        }
        cmd = [
            "ogr2ogr",
            "-f",
            "GeoJSON",
            "-lco",
            "RFC7946=YES",
            "-nln",
            layer,
            str(theirs),
            source,
            "-sql",
            ogr_sql(layer, backend),
        ]
        r = run(cmd, env)
        result["ogr2ogr"][layer] = {
            "seconds": r.seconds,
            "mib": r.mib,
            "bytes": theirs.stat().st_size,
            "features": feature_count(theirs),
        }
        shown = (
            "var/bench-<scale>.sqlite3"
            if backend == "spatialite"
            else '"PG:dbname=... host=$PGHOST user=..."'
        )
        result.setdefault("commands", {})[layer] = (
            f"ogr2ogr -f GeoJSON -lco RFC7946=YES -nln {layer} {layer}.geojson {shown} "
            f'-sql "{ogr_sql(layer, backend)[:60]} ..."'
        )
    for tool in ("ours", "ogr2ogr"):
        layers = result[tool]
        total = {k: sum(v[k] for v in layers.values()) for k in ("seconds", "bytes", "features")}
        total["mib"] = max(v["mib"] for v in layers.values())
        if tool == "ours":
            total["reported_s"] = sum(v["reported_s"] or 0 for v in layers.values())
        total["features_per_s"] = total["features"] / total["seconds"]
        result[tool]["total"] = total
    result["url"] = compare_url(env, out_dir)
    result["same_counts"] = all(
        result["ours"][layer]["features"]
        == result["ogr2ogr"][layer]["features"]
        == result["url"][layer]["features"]
        for layer in LAYERS
    )
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_mib(pid: int) -> float:
    """The peak resident memory (VmHWM) of a live process, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


ISSUE_KEY = (
    "from gridgov.api.models import ApiKey\n"
    "from gridgov.api.services import api_key_issue\n"
    "print(api_key_issue(key=ApiKey(name='bench export', can_read=True), "
    "acting_user=None))"
)


def compare_url(env: dict[str, str], out_dir: Path) -> dict:
    """Each layer from /api/v1/export/<layer>.geojson on a running gunicorn (one worker)."""
    from locate_load import children, start_gunicorn

    key = manage(["shell", "-c", ISSUE_KEY], env).out.strip().splitlines()[-1]
    port = _free_port()
    server_env = dict(
        env, GRIDGOV_DEBUG="0", GRIDGOV_HTTPS="0", GRIDGOV_ALLOWED_HOSTS="127.0.0.1,localhost"
    )
    proc, cmd = start_gunicorn(server_env, port, 1, out_dir / "gunicorn.log")
    result: dict = {"server": " ".join(["gunicorn", *cmd[1:]]).replace(f":{port}", ":PORT")}
    try:
        worker = children(proc.pid)[0]

        def get(path: str, target: Path) -> float:
            # curl, as an integrator's script would: the body straight to a file.
            start = time.perf_counter()
            subprocess.run(
                [
                    "curl",
                    "-sSf",
                    "-o",
                    str(target),
                    "-H",
                    f"X-Api-Key: {key}",
                    f"http://127.0.0.1:{port}{path}",
                ],
                check=True,
            )
            return time.perf_counter() - start

        # A small export first: the worker's memory once everything is imported and warm.
        small = out_dir / "url-small.geojson"
        first = run(
            [
                *MANAGE,
                "shell",
                "-c",
                "from gridgov.grids.models import Grid; "
                "print(Grid.objects.filter(level=1).order_by('code')[0].code)",
            ],
            env,
        )
        code = first.out.strip().splitlines()[-1]
        get(f"/api/v1/export/buildings.geojson?grid={code}", small)
        result["small"] = {"features": feature_count(small), "worker_mib": _peak_mib(worker)}
        for layer in LAYERS:
            target = out_dir / f"url-{layer}.geojson"
            seconds = get(f"/api/v1/export/{layer}.geojson", target)
            result[layer] = {
                "seconds": seconds,
                "bytes": target.stat().st_size,
                "features": feature_count(target),
                "mib": _peak_mib(worker),
            }
            target.unlink()
        result["worker_mib"] = _peak_mib(worker)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    total = {k: sum(result[layer][k] for layer in LAYERS) for k in ("seconds", "bytes", "features")}
    total["mib"] = result["worker_mib"]
    total["features_per_s"] = total["features"] / total["seconds"]
    result["total"] = total
    return result
