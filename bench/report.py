"""The goals of the district benchmark, met or not, from the results of both backends.

    .venv/bin/python bench/report.py --scale district [--command "make bench"] [--write]

Reads var/bench-<scale>-spatialite.json and var/bench-<scale>-postgis.json (written by
bench/district.py) and writes the block ``<scale>:goals`` of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import json

from common import ROOT, write_block


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def goals(sl: dict | None, pg: dict | None) -> list[str]:
    rows = []
    if pg:
        for engine, e in pg["locate"].items():
            rows.append(
                (
                    f"locate everyone, persisted, PostGIS `--engine {engine}`: ≤ 10 s end to end",
                    f"{e['seconds']:.1f} s ({e['points']:,} points, "
                    f"{e['points_per_s']:,.0f} points/s, "
                    f"{e['residents_per_s']:,.0f} residents/s)",
                    e["seconds"] <= 10,
                )
            )
    if sl:
        e = sl["locate"]["python"]
        rows.append(
            (
                "locate everyone, persisted, SpatiaLite (`--engine python`): ≥ 100k residents/s",
                f"{e['residents_per_s']:,.0f} residents/s "
                f"({e['residents_in_building']:,} residents in located households in "
                f"{e['seconds']:.1f} s; {e['points_per_s']:,.0f} points/s)",
                e["residents_per_s"] >= 100_000,
            )
        )
        s = sl.get("sjoin")
        if s:
            ratio = s["geopandas_s"] / s["ours_s"]
            rows.append(
                (
                    "≥ 2× the throughput of `geopandas.sjoin` on the same points (in "
                    "memory, three levels)",
                    f"{ratio:.2f}× ({s['points'] / s['ours_s']:,.0f} vs "
                    f"{s['points'] / s['geopandas_s']:,.0f} points/s)",
                    ratio >= 2,
                )
            )
    for name, res in (("SpatiaLite", sl), ("PostGIS", pg)):
        if not res:
            continue
        ex = res["export"]
        theirs = ex["ogr2ogr"]["total"]
        url = ex.get("url", {}).get("total")
        if url:
            ratio = url["features_per_s"] / theirs["features_per_s"]
            small = ex["url"]["small"]
            rows.append(
                (
                    f"GeoJSON export ≥ 3× the features/s of ogr2ogr, {name}: "
                    "`/api/v1/export/<layer>.geojson` on a running server",
                    f"{ratio:.2f}× ({url['features_per_s']:,.0f} vs "
                    f"{theirs['features_per_s']:,.0f} features/s over "
                    f"{url['features']:,} features; server worker peak "
                    f"{small['worker_mib']:.0f} MiB after {small['features']:,} features, "
                    f"{url['mib']:.0f} MiB after all {url['features']:,}; ogr2ogr "
                    f"{theirs['mib']:.0f} MiB)",
                    ratio >= 3,
                )
            )
        ours = ex["ours"]["total"]
        ratio = ours["features_per_s"] / theirs["features_per_s"]
        rows.append(
            (
                f"the same from `manage.py export_geojson`, {name}: one process per "
                "layer, Python and Django start-up (≈ 0.8 s each) included",
                f"{ratio:.2f}× ({ours['features_per_s']:,.0f} vs "
                f"{theirs['features_per_s']:,.0f} features/s; the command's own time "
                f"{ours['reported_s']:.1f} s of {ours['seconds']:.1f} s; peak "
                f"{ours['mib']:.0f} vs {theirs['mib']:.0f} MiB)",
                ratio >= 3,
            )
        )
    return [
        "| goal | measured | |",
        "|---|---|---|",
        *(f"| {g} | {m} | {verdict(ok)} |" for g, m, ok in rows),
    ]


def persisted_vs_sjoin(sl: dict | None, pg: dict | None) -> list[str]:
    """The persisted figures beside the in-memory sjoin, kept apart: not like with like."""
    if not sl or "sjoin" not in sl:
        return []
    s = sl["sjoin"]
    gpd_rate = s["points"] / s["geopandas_s"]
    lines = [
        "",
        "For scale, the persisted runs against the in-memory sjoin (not like with like: "
        "`locate_people` also reads the points from the database, starts Django, and "
        "writes seven columns of every row back; sjoin does none of that):",
        "",
    ]
    for name, res in (("SpatiaLite", sl), ("PostGIS", pg)):
        for engine, e in (res or {"locate": {}})["locate"].items():
            lines.append(
                f"- {name} `locate_people --engine {engine}`: "
                f"{e['points_per_s']:,.0f} points/s end to end = "
                f"{e['points_per_s'] / gpd_rate:.2f}× in-memory sjoin's "
                f"{gpd_rate:,.0f} points/s."
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="district")
    parser.add_argument("--command", default="")
    parser.add_argument("--write", action="store_true")
    opts = parser.parse_args()
    res = {}
    for backend in ("spatialite", "postgis"):
        f = ROOT / "var" / f"bench-{opts.scale}-{backend}.json"
        res[backend] = json.loads(f.read_text()) if f.exists() else None
    sl, pg = res["spatialite"], res["postgis"]
    first = sl or pg
    if first is None:
        raise SystemExit("no results: run bench/district.py first")
    command = opts.command or f"bash bench/run.sh --scale {opts.scale}"
    loads = "; ".join(
        f"{r['backend']}: {r['load_before']} before, {r['load_after']} after" for r in (sl, pg) if r
    )
    body = [
        f"## {opts.scale} scale: goals",
        "",
        f"`{command}`, run {first['date']} on {first['machine']} with {first['cores']} cores "
        f"(seed {first['seed']}). Machine load during the runs — {loads}.",
        "",
        *goals(sl, pg),
        *persisted_vs_sjoin(sl, pg),
    ]
    print("\n".join(body))
    if opts.write:
        write_block(f"{opts.scale}:goals", body)


if __name__ == "__main__":
    main()
