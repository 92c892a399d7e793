"""Benchmark: locate and export a generated district, one backend per run.

    .venv/bin/python bench/district.py --scale district [--database-url URL] [--dump FILE]
                                       [--rebuild] [--keep-cache] [--write]

Each step runs as its own process so that its wall time and peak memory (max RSS, from
wait4) are its own. The demo database is built once and reused: on SpatiaLite the file
var/bench-<scale>.sqlite3; on PostGIS (with --dump) a pg_dump of it, restored into the
throwaway cluster. A cache is rebuilt when the migrations, the demo builder or the synthetic
geometry changed (see common.fingerprint), or with --rebuild.

Steps: locate_people per engine (python on SpatiaLite; python and sql on PostGIS); on
SpatiaLite also bench/sjoin.py (place() against geopandas.sjoin, in memory); GeoJSON export
against ogr2ogr (bench/export.py). Results go to var/bench-<scale>-<backend>.json and, with
--write, to this backend's block in docs/PERFORMANCE.md; bench/report.py then writes the
goals. bench/run.sh runs it on SpatiaLite and on a throwaway PostGIS.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import export
from common import (
    MANAGE,
    ROOT,
    Run,
    fingerprint,
    load_note,
    manage,
    mib,
    run,
    try_run,
    write_block,
)

LOCATED = re.compile(
    r"(\d+) with a point, (\d+) in a building, (\d+) unlocated"
    r"(?:, \d+ rewritten)? \(([\d.]+) s"
)
# Clears every stored placement so that locate_people recomputes and rewrites every row
# (it skips rows whose placement did not change).
SCRAMBLE = (
    "from gridgov.people.models import Household, Member\n"
    "for m in (Member, Household):\n"
    "    m.objects.update(community=None, compound=None, building=None,"
    " nearest_building=None, nearest_distance_m=None, grid_code='')"
)
COUNTS = """
from gridgov.people.models import Household, Member, Resident
import json
print(json.dumps({
    "members": Member.objects.filter(location__isnull=False).count(),
    "households": Household.objects.filter(location__isnull=False).count(),
    "households_in_building": Household.objects.filter(building__isnull=False).count(),
    "residents": Resident.objects.count(),
    "residents_located": Resident.objects.filter(household__location__isnull=False).count(),
    "residents_in_building": Resident.objects.filter(household__building__isnull=False).count(),
}))
"""
GRID_COUNT = "from gridgov.grids.models import Grid; print(Grid.objects.count())"


def pg_tool(name: str) -> str:
    bins = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return str(bins[-1]) if bins else (shutil.which(name) or name)


def pg_args(url: str) -> list[str]:
    u = urlparse(url)
    args = ["-d", u.path.lstrip("/")]
    if u.hostname:
        args += ["-h", unquote(u.hostname)]
    if u.port:
        args += ["-p", str(u.port)]
    if u.username:
        args += ["-U", unquote(u.username)]
    return args


def kept(built: str, current: str) -> str:
    """A note when a cache built from another demo builder was kept (--keep-cache)."""
    return (
        ""
        if built == current
        else (f"; the demo builder changed since (now {current}): kept with --keep-cache")
    )


def prepare(opts, env: dict[str, str], backend: str, steps: list) -> Path | None:
    """Build the demo database, or reuse the cached one; the SpatiaLite file, if any."""
    fp = fingerprint(opts.scale, opts.seed)
    build = [
        ("migrate", ["migrate", "-v0"]),
        (
            f"load_demo --scale {opts.scale} --seed {opts.seed}",
            ["load_demo", "--scale", opts.scale, "--seed", str(opts.seed), "--reset"],
        ),
    ]
    migrate = [*MANAGE, "migrate", "-v0"]

    def build_all(build_env: dict[str, str]) -> None:
        for label, args in build:
            steps.append((label, manage(args, build_env)))
            print(f"  {label}: {steps[-1][1].seconds:.1f} s", flush=True)

    if backend == "spatialite":
        db = ROOT / "var" / f"bench-{opts.scale}.sqlite3"
        stamp = db.with_name(db.name + ".fingerprint")
        if (
            not opts.rebuild
            and db.exists()
            and stamp.exists()
            and (stamp.read_text() == fp or opts.keep_cache)
            and try_run(migrate, env)
        ):
            steps.append(
                (
                    f"reuse {db.relative_to(ROOT)} (built earlier, fingerprint "
                    f"{stamp.read_text()}{kept(stamp.read_text(), fp)}; migrated forward)",
                    None,
                )
            )
            return db
        # Build beside the cache and swap only when complete: a failed build keeps the old one.
        db.parent.mkdir(exist_ok=True)
        part = db.with_name(db.name + ".part")
        part.unlink(missing_ok=True)
        build_all(dict(env, DATABASE_URL=f"spatialite:///{part}"))
        os.replace(part, db)
        stamp.write_text(fp)
        return db

    dump = Path(opts.dump) if opts.dump else None
    stamp = dump.with_name(dump.name + ".fingerprint") if dump else None
    restored = False
    if (
        dump
        and not opts.rebuild
        and dump.exists()
        and stamp.exists()
        and (stamp.read_text() == fp or opts.keep_cache)
    ):
        r = try_run(
            [
                pg_tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                "-j",
                str(os.cpu_count() or 1),
                *pg_args(env["DATABASE_URL"]),
                str(dump),
            ],
            env,
        )
        restored = bool(r) and bool(try_run(migrate, env))
        if restored:
            steps.append(
                (
                    f"pg_restore {dump.relative_to(ROOT)} (fingerprint "
                    f"{stamp.read_text()}{kept(stamp.read_text(), fp)}), migrate",
                    r,
                )
            )
            print(f"  restore: {r.seconds:.1f} s", flush=True)
    if not restored:
        if dump:  # start from an empty database
            run(
                [
                    pg_tool("psql"),
                    "-q",
                    *pg_args(env["DATABASE_URL"]),
                    "-c",
                    "DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
                ],
                env,
            )
        build_all(env)
        if dump:
            stamp.unlink(missing_ok=True)
            r = run(
                [pg_tool("pg_dump"), "-Fc", "-Z1", *pg_args(env["DATABASE_URL"]), "-f", str(dump)],
                env,
            )
            stamp.write_text(fp)
            steps.append((f"pg_dump to {dump.relative_to(ROOT)} (for the next run)", r))
    # Statistics as a settled database has them (autovacuum would get there on its own).
    steps.append(("VACUUM ANALYZE", vacuum_analyze(env)))
    return None


def vacuum_analyze(env: dict[str, str], tables: str = ""):
    """VACUUM ANALYZE (the whole database, or these tables) through manage.py."""
    return manage(
        [
            "shell",
            "-c",
            "from django.db import connection\n"
            f"connection.cursor().execute('VACUUM ANALYZE {tables}')",
        ],
        env,
    )


def locate(engine: str, env: dict[str, str], steps: list) -> dict:
    steps.append(("clear every placement", manage(["shell", "-c", SCRAMBLE], env)))
    if env["DATABASE_URL"].startswith("postgis"):
        # The clearing UPDATE leaves a dead version of every row behind, which an import (the
        # real "nobody located yet") does not: vacuum them away, as autovacuum would, so that
        # each engine starts from the same settled tables instead of the previous run's bloat.
        steps.append(
            (
                "VACUUM ANALYZE the people tables",
                vacuum_analyze(env, "people_member, people_household"),
            )
        )
    r = manage(["locate_people", "--engine", engine], env)
    steps.append((f"locate_people --engine {engine} (every row rewritten)", r))
    again = manage(["locate_people", "--engine", engine], env)
    steps.append((f"locate_people --engine {engine} (again, nothing changed)", again))
    found = LOCATED.findall(r.out)
    if len(found) != 2:
        sys.exit(f"cannot read locate_people's output:\n{r.out}")
    (m_total, m_in, _m_un, m_s), (h_total, h_in, _h_un, h_s) = found
    counts = json.loads(manage(["shell", "-c", COUNTS], env).out.strip().splitlines()[-1])
    points = int(m_total) + int(h_total)
    res = {
        "engine": engine,
        "seconds": r.seconds,
        "mib": r.mib,
        "rerun_seconds": again.seconds,
        "members_s": float(m_s),
        "households_s": float(h_s),
        "points": points,
        "members_in_building": int(m_in),
        "households_in_building": int(h_in),
        **counts,
        "points_per_s": points / r.seconds,
        "residents_per_s": counts["residents_in_building"] / r.seconds,
    }
    print(
        f"  locate {engine}: {r.seconds:.1f} s, {res['points_per_s']:,.0f} points/s, "
        f"{res['residents_per_s']:,.0f} residents/s",
        flush=True,
    )
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["street", "district"], default="district")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--dump", default="", help="PostGIS: cache the demo database here")
    parser.add_argument("--rebuild", action="store_true", help="ignore cached databases")
    parser.add_argument(
        "--keep-cache",
        action="store_true",
        help="reuse the cached databases even if the demo builder changed "
        "(same data as the previous run: before/after comparisons)",
    )
    parser.add_argument("--write", action="store_true", help="update docs/PERFORMANCE.md")
    opts = parser.parse_args()

    env = dict(os.environ, GRIDGOV_SECRET_KEY=os.environ.get("GRIDGOV_SECRET_KEY", "bench"))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if opts.database_url:
        env["DATABASE_URL"] = opts.database_url
    else:
        db = ROOT / "var" / f"bench-{opts.scale}.sqlite3"
        env["DATABASE_URL"] = f"spatialite:///{db}"
    backend = "postgis" if env["DATABASE_URL"].startswith("postgis") else "spatialite"
    print(f"bench {opts.scale} on {backend}", flush=True)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = load_note()

    steps: list[tuple[str, Run | None]] = []
    db = prepare(opts, env, backend, steps)
    result: dict = {
        "scale": opts.scale,
        "seed": opts.seed,
        "backend": backend,
        "date": started,
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "load_before": load_before,
        "locate": {},
    }
    for engine in ("python", "sql") if backend == "postgis" else ("python",):
        result["locate"][engine] = locate(engine, env, steps)

    if backend == "spatialite":
        r = run([sys.executable, str(ROOT / "bench" / "sjoin.py"), str(db), "--json"], env)
        steps.append(("bench/sjoin.py (in memory: place() vs geopandas.sjoin)", r))
        result["sjoin"] = json.loads(r.out.strip().splitlines()[-1])
        result["sjoin"]["mib"] = r.mib
        s = result["sjoin"]
        print(f"  in memory: place {s['ours_s']:.2f} s, sjoin {s['geopandas_s']:.2f} s", flush=True)

    out_dir = ROOT / "var" / "bench-export" / backend
    result["export"] = export.compare(env, backend, out_dir, db)
    for tool in ("ours", "url", "ogr2ogr"):
        t = result["export"][tool]["total"]
        print(
            f"  export {tool}: {t['features']} features in {t['seconds']:.1f} s "
            f"({t['features_per_s']:,.0f}/s), peak {t['mib']:.0f} MiB",
            flush=True,
        )
    shutil.rmtree(out_dir, ignore_errors=True)  # hundreds of MB of GeoJSON: not kept
    result["load_after"] = load_note()
    result["steps"] = [
        (label, r.seconds if r else None, r.mib if r else None) for label, r in steps
    ]

    out = ROOT / "var" / f"bench-{opts.scale}-{backend}.json"
    out.write_text(json.dumps(result, indent=1))
    if opts.write:
        write_block(f"{opts.scale}:{backend}", backend_block(result))


def backend_block(res: dict) -> list[str]:
    """This backend's details for docs/PERFORMANCE.md."""
    lines = [
        f"### {res['scale']} scale on {res['backend']}: details",
        "",
        f"Measured {res['date']} on {res['machine']}, {res['cores']} cores "
        f"({res['load_before']} before, {res['load_after']} after).",
        "",
        "| step | wall time | peak memory (max RSS) |",
        "|---|---|---|",
    ]
    for label, seconds, peak in res["steps"]:
        lines.append(
            f"| {label} | " + (f"{seconds:.1f} s | {peak:.0f} MiB |" if seconds else "— | — |")
        )
    lines += [
        "",
        "Locate (`locate_people`, end to end: process start, read, place, write "
        "members and households, commit), after every stored placement was cleared, so "
        "that every row is recomputed and rewritten; the last column is the same command "
        "run again, when nothing changed and nothing is rewritten:",
        "",
        "| engine | wall | members / households inside | points | points/s "
        "| residents in located households | residents/s | peak memory | re-run |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for e in res["locate"].values():
        lines.append(
            f"| {e['engine']} | {e['seconds']:.1f} s (members {e['members_s']:.1f} s, "
            f"households {e['households_s']:.1f} s) | {e['members_in_building']:,} / "
            f"{e['households_in_building']:,} | {e['points']:,} | {e['points_per_s']:,.0f} | "
            f"{e['residents_in_building']:,} of {e['residents']:,} | "
            f"{e['residents_per_s']:,.0f} | {e['mib']:.0f} MiB | "
            f"{e.get('rerun_seconds', 0):.1f} s |"
        )
    if "sjoin" in res:
        s = res["sjoin"]
        lines += [
            "",
            f"In memory, {s['points']:,} household points against "
            f"{', '.join(f'{n:,}' for n in s['polygons'].values())} polygons "
            f"(communities, compounds, buildings), best of {s['repeat']}, input read "
            "before the clock (bench/sjoin.py):",
            "",
            "| | seconds | points/s | residents/s |",
            "|---|---|---|---|",
        ]
        for name, key in (
            ("`place(x, y, layers)` (ours)", "ours_s"),
            ('`geopandas.sjoin(..., predicate="within")` × 3 levels', "geopandas_s"),
        ):
            lines.append(
                f"| {name} | {s[key]:.2f} | {s['points'] / s[key]:,.0f} | "
                f"{s['residents_in_building'] / s[key]:,.0f} |"
            )
        versions = ", ".join(f"{k} {v}" for k, v in s["versions"].items())
        lines += [
            "",
            f"Same building for {s['building_agreement']:.2%} of the points; sjoin "
            f"rows per level {s['sjoin_rows']}; {versions}.",
        ]
    ex = res["export"]
    lines += [
        "",
        "GeoJSON export of grids + households + members (the command and ogr2ogr: "
        "each layer one process; the URL: each layer one GET of a running server; "
        "features counted by `ogrinfo` reading each file back; for the command, the "
        "time it reports itself, after Django's start-up, in brackets):",
        "",
        "| tool | layer | features | wall | features/s | peak memory | output |",
        "|---|---|---|---|---|---|---|",
    ]
    for tool, name in (
        ("ours", "`manage.py export_geojson`"),
        ("url", "`/api/v1/export/<layer>.geojson` (curl)"),
        ("ogr2ogr", "`ogr2ogr`"),
    ):
        for layer, v in ex.get(tool, {}).items():
            if not isinstance(v, dict) or layer == "small":
                continue
            bold = "**" if layer == "total" else ""
            inner = f" ({v['reported_s']:.1f} s)" if v.get("reported_s") else ""
            lines.append(
                f"| {name} | {bold}{layer}{bold} | {v['features']:,} | "
                f"{v['seconds']:.1f} s{inner} | {v['features'] / v['seconds']:,.0f} | "
                f"{v['mib']:.0f} MiB | {mib(v['bytes'])} |"
            )
    if "url" in ex:
        lines += [
            "",
            f"The URL: {ex['url']['server']}, production settings, a read API key; "
            "peak memory there is the worker's VmHWM (it was "
            f"{ex['url']['small']['worker_mib']:.0f} MiB after a "
            f"{ex['url']['small']['features']:,}-feature export, before the three "
            "layers).",
        ]
    lines.append("")
    lines.append(
        "Same feature count per layer from all the tools: "
        + ("yes." if ex["same_counts"] else "**no** (see the table).")
    )
    lines.append(
        "ogr2ogr command (the full SQL of each layer is in bench/export.py): `"
        + ex["commands"]["grids"]
        + "`."
    )
    return lines


if __name__ == "__main__":
    main()
