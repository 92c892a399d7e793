"""Benchmark: a community's grid dashboard and vector tiles at district scale.

    .venv/bin/python bench/dashboard.py [--database-url URL [--dump FILE]] [--write]
                                        [--requests N] [--tiles N]

SpatiaLite (no --database-url): the cached district database (var/bench-district.sqlite3,
built by bench/district.py when missing) is copied to a throwaway var/bench-dashboard.sqlite3.
PostGIS: the database at --database-url is used as it is (bench/run.sh restored the district
there); with --dump, it is first restored from that pg_dump (bench/district.py's cache).
Either copy is then changed: one community is enlarged to ~600 buildings (buildings split in
four), its boundaries are densified as surveyed outlines are (a vertex every 2 m, ±0.25 m of
noise, so that simplification has something to do), 90 % of its buildings get a leader, and
300 open requests and 12 patrol routes are created in it through the services.

Measured, each in its own process after Django's start-up (so: server time, in-process with
Django's test Client, middleware included):
- the community dashboard /en/map/grid/<code>/ as its community secretary (a staff user who
  may see phones): cold (cache cleared) and warm (median and p95 over --requests), the bytes
  of the page and of every static asset it loads;
- vector tiles at district scale (PostGIS: .pbf; SpatiaLite: the .geojson fallback): p95 over
  --tiles tiles per layer, sampled where the district has features, at the zoom levels the
  street map asks for them.
Results go to var/bench-dashboard-<backend>.json and, with --write, to the block
"dashboard:<backend>" of docs/PERFORMANCE.md (bench/common.write_block).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MANAGE, ROOT, load_note, run, write_block

TARGET_BUILDINGS = 600
OPEN_CASES = 300
ROUTES = 12
GOAL_MS = 100.0
GOAL_BYTES = 1.5 * 2**20
GOAL_TILE_MS = 50.0


# --- inside Django ----------------------------------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()


def _densify(geom, rng, step_m: float = 2.0, noise_m: float = 0.25):
    """A surveyed-looking outline: a vertex every ``step_m`` metres, each moved by up to
    ``noise_m``; the original when the noise would make it invalid."""
    import shapely
    from django.contrib.gis.geos import GEOSGeometry

    deg = 1 / 111_000
    shape = shapely.segmentize(shapely.from_wkb(bytes(geom.wkb)), step_m * deg)

    def jitter(ring):
        coords = list(ring.coords)[:-1]
        moved = [
            (x + rng.uniform(-noise_m, noise_m) * deg, y + rng.uniform(-noise_m, noise_m) * deg)
            for x, y in coords
        ]
        return [*moved, moved[0]]

    polys = [
        shapely.Polygon(jitter(p.exterior), [jitter(r) for r in p.interiors])
        for p in shapely.get_parts(shape)
    ]
    out = shapely.MultiPolygon(polys)
    if not out.is_valid:
        out = shapely.MultiPolygon(list(shapely.get_parts(shape)))
    return GEOSGeometry(memoryview(shapely.to_wkb(out)), srid=4326)


def prepare() -> dict:
    """Enlarge one community to ~600 buildings, ~540 leaders, 300 open requests, 12 routes."""
    import datetime as dt
    import random

    import shapely
    from django.contrib.auth import get_user_model
    from django.contrib.gis.geos import GEOSGeometry, LineString, Point
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from gridgov.accounts.models import Assignment
    from gridgov.cases.models import Case, CaseCategory
    from gridgov.cases.services import case_create
    from gridgov.grids.models import Grid, GridRole, Level, RoleKind
    from gridgov.patrols.models import PatrolRoute
    from gridgov.patrols.services import route_create
    from gridgov.people.models import Member

    rng = random.Random(5)
    counts = (
        Grid.objects.filter(level=Level.BUILDING)
        .values("parent__parent_id")
        .annotate(n=Count("id"))
        .order_by("-n", "parent__parent__code")
    )
    community = Grid.objects.get(pk=counts[0]["parent__parent_id"])
    buildings = list(
        Grid.objects.filter(level=Level.BUILDING, code__startswith=community.code).order_by("code")
    )
    with transaction.atomic():
        split = max(0, -(-(TARGET_BUILDINGS - len(buildings)) // 3))
        next_no = {}
        for b in buildings:
            next_no[b.parent_id] = max(next_no.get(b.parent_id, 0), int(b.code[-3:]))
        new = []
        for b in buildings[:split]:
            x0, y0, x1, y1 = b.geom.extent
            w, h = (x1 - x0) / 2, (y1 - y0) / 2
            pad_w, pad_h = w * 0.04, h * 0.04
            quarters = [
                shapely.box(
                    x0 + i * w + pad_w,
                    y0 + j * h + pad_h,
                    x0 + (i + 1) * w - pad_w,
                    y0 + (j + 1) * h - pad_h,
                )
                for i in (0, 1)
                for j in (0, 1)
            ]
            geoms = [
                GEOSGeometry(memoryview(shapely.to_wkb(shapely.MultiPolygon([q]))), srid=4326)
                for q in quarters
            ]
            Grid.objects.filter(pk=b.pk).update(geom=geoms[0])
            for g in geoms[1:]:
                next_no[b.parent_id] += 1
                n = next_no[b.parent_id]
                new.append(
                    Grid(
                        level=Level.BUILDING,
                        parent_id=b.parent_id,
                        kind=b.kind,
                        code=f"{b.code[:-3]}{n:03d}",
                        name=f"{n}栋",
                        geom=g,
                    )
                )
        Grid.objects.bulk_create(new)
        grids = list(Grid.objects.filter(code__startswith=community.code))
        for g in grids:
            Grid.objects.filter(pk=g.pk).update(geom=_densify(g.geom, rng))
        buildings = list(
            Grid.objects.filter(level=Level.BUILDING, code__startswith=community.code).order_by(
                "code"
            )
        )
        led = set(
            GridRole.objects.current()
            .filter(grid__in=buildings, role=RoleKind.BUILDING_LEADER)
            .values_list("grid_id", flat=True)
        )
        members = list(Member.objects.filter(community=community).order_by("pk"))
        today = timezone.localdate()
        roles = []
        for b in buildings:
            if b.pk not in led and rng.random() < 0.9:
                roles.append(
                    GridRole(
                        grid=b,
                        member=rng.choice(members),
                        role=RoleKind.BUILDING_LEADER,
                        since=today,
                    )
                )
        GridRole.objects.bulk_create(roles)

    categories = list(CaseCategory.objects.order_by("code"))
    titles = ["路灯不亮", "楼道堆放杂物", "下水道堵塞", "噪音扰民", "电梯故障", "垃圾未清运"]
    now = timezone.now()
    made = []
    for i in range(OPEN_CASES):
        b = rng.choice(buildings)
        p = b.geom.point_on_surface
        case = case_create(
            acting_user=None,
            category=rng.choice(categories),
            channel="phone",
            title=rng.choice(titles),
            requester_name=f"居民{i}",
            requester_phone=f"1370000{i:04d}",
            location=Point(p.x, p.y, srid=4326),
        )
        made.append(case.pk)
    for pk in made:  # spread their ages over two weeks
        opened = now - dt.timedelta(hours=rng.uniform(0, 336))
        Case.objects.filter(pk=pk).update(opened_at=opened, created_at=opened)

    compounds = list(Grid.objects.filter(level=Level.COMPOUND, parent=community).order_by("code"))
    for i in range(ROUTES):
        k = compounds[i % len(compounds)]
        x0, y0, x1, y1 = k.geom.extent
        f = 0.15 + 0.05 * (i // len(compounds))
        line = LineString(
            (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f),
            (x1 - (x1 - x0) * f, y0 + (y1 - y0) * 0.5),
            (x1 - (x1 - x0) * f, y1 - (y1 - y0) * f),
            srid=4326,
        )
        if not PatrolRoute.objects.filter(grid=k, name=f"巡逻线{i + 1}").exists():
            route_create(acting_user=None, grid=k, name=f"巡逻线{i + 1}", line=line)

    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username="bench-secretary", defaults={"is_staff": True}
    )
    Assignment.objects.get_or_create(
        user=user,
        role="community_secretary",
        grid=community,
        defaults={"scope_code": community.code},
    )
    return {
        "community": community.code,
        "buildings": len(buildings),
        "leaders": GridRole.objects.current()
        .filter(grid__in=buildings, role=RoleKind.BUILDING_LEADER)
        .count(),
        "compounds": len(compounds),
        "open_cases": Case.objects.filter(grid_code__startswith=community.code).count(),
        "routes": PatrolRoute.objects.filter(grid__code__startswith=community.code).count(),
        "vertices": sum(
            g.geom.num_coords for g in Grid.objects.filter(code__startswith=community.code)
        ),
    }


def _client():
    """Django's test Client asking as a browser reaches production: over HTTPS (with
    SECURE_SSL_REDIRECT a plain request is answered 301)."""
    import functools

    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.get = functools.partial(client.get, secure=True)
    return client


def _percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def measure_dashboard(code: str, requests: int) -> dict:
    """Cold and warm server time of the community dashboard, and what the browser loads."""
    import gzip
    import re

    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection

    user = get_user_model().objects.get(username="bench-secretary")
    client = _client()
    client.force_login(user)
    url = f"/en/map/grid/{code}/"
    cache.clear()
    t = time.perf_counter()
    first = client.get(url)
    cold_ms = (time.perf_counter() - t) * 1000
    assert first.status_code == 200, first.status_code
    for _ in range(3):
        client.get(url)
    queries = []  # counted apart: logging each query costs time

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(requests):
        t = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
    html = r.content
    assets = {}
    for src in sorted(set(re.findall(rb'(?:src|href)="(/static/[^"?]+)', html))):
        a = client.get(src.decode())
        body = b"".join(a.streaming_content) if a.streaming else a.content
        assets[src.decode()] = len(body)
    fetched = {}
    for src in sorted(
        set(re.findall(rb'"(/(?:en/)?(?:map|tiles)/[^"]+\.(?:geojson|json))"', html))
    ):
        a = client.get(src.decode())
        fetched[src.decode()] = len(a.content)
    return {
        "url": url,
        "cold_ms": cold_ms,
        "median_ms": _percentile(times, 0.5),
        "p95_ms": _percentile(times, 0.95),
        "requests": requests,
        "queries_per_request": len(queries),
        "html_bytes": len(html),
        "html_gzip_bytes": len(gzip.compress(html, 6)),
        "assets": assets,
        "fetched": fetched,
        "total_bytes": len(html) + sum(assets.values()) + sum(fetched.values()),
        **_geometry_and_fingerprint(code, user),
    }


def _geometry_and_fingerprint(code: str, user) -> dict:
    """Vertices stored and sent for the dashboard's polygons; the fingerprint's cost."""
    from gridgov.grids.models import Grid
    from maps.dashboard_data import dashboard, fingerprint

    grid = Grid.objects.get(code=code)
    data = dashboard(grid, user=user)

    def count(c) -> int:
        return 1 if isinstance(c[0], (int, float)) else sum(count(x) for x in c)

    sent = count(data.outline["geometry"]["coordinates"]) + sum(
        count(f["geometry"]["coordinates"]) for f in data.children["features"]
    )
    stored = grid.geom.num_coords + sum(c.geom.num_coords for c in grid.children.all())
    times = []
    for _ in range(30):
        t = time.perf_counter()
        fingerprint(grid)
        times.append((time.perf_counter() - t) * 1000)
    return {
        "vertices_stored": stored,
        "vertices_sent": sent,
        "fingerprint_ms": _percentile(times, 0.5),
    }


def measure_tiles(per_layer: int, backend: str, code: str) -> dict:
    """p95 of tiles (PostGIS .pbf, SpatiaLite .geojson) that hold features: the grid layers
    over the whole district at zoom 14 (the coarsest zoom buildings are drawn at, so the
    heaviest tiles) and 15; requests and routes (only the enlarged community has them) at
    zoom 15 and 16 over that community. Three tiles are asked for first (connection, PROJ)."""
    import math
    import random

    from django.contrib.auth import get_user_model
    from django.contrib.gis.db.models import Extent

    from gridgov.grids.models import Grid
    from maps.tiles.layers import LAYERS

    rng = random.Random(7)
    district = Grid.objects.aggregate(e=Extent("geom"))["e"]
    community = Grid.objects.get(code=code).geom.extent
    user = get_user_model().objects.get(username="bench-secretary")
    staff = _client()
    staff.force_login(user)
    anonymous = _client()
    fmt = "pbf" if backend == "postgis" else "geojson"

    def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
        n = 2**z
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        return x, y

    def tiles_over(ext, z):
        x0, y1 = tile_of(ext[0], ext[1], z)
        x1, y0 = tile_of(ext[2], ext[3], z)
        return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]

    for z, x, y in tiles_over(community, 15)[:3]:
        anonymous.get(f"/tiles/buildings/{z}/{x}/{y}.{fmt}")
        staff.get(f"/tiles/cases/{z}/{x}/{y}.{fmt}")
    out = {}
    for name, layer in LAYERS.items():
        client = staff if layer.private else anonymous
        zooms = (15, 16) if layer.private else (max(layer.min_zoom, 14), 15)
        for z in zooms:
            candidates = tiles_over(community if layer.private else district, z)
            rng.shuffle(candidates)
            times, sizes, empty = [], [], 0
            for z_, x, y in candidates:
                if len(times) >= per_layer:
                    break
                url = f"/tiles/{name}/{z_}/{x}/{y}.{fmt}"
                t = time.perf_counter()
                r = client.get(url)
                ms = (time.perf_counter() - t) * 1000
                if r.status_code == 204:
                    empty += 1
                    continue
                assert r.status_code == 200, (url, r.status_code)
                times.append(ms)
                sizes.append(len(r.content))
            if times:
                out[f"{name} z{z}"] = {
                    "zoom": z,
                    "tiles": len(times),
                    "empty_skipped": empty,
                    "median_ms": _percentile(times, 0.5),
                    "p95_ms": _percentile(times, 0.95),
                    "max_ms": max(times),
                    "median_bytes": _percentile(sizes, 0.5),
                    "max_bytes": max(sizes),
                }
    return out


def inner(step: str, args: list[str]) -> None:
    _django()
    if step == "prepare":
        result = prepare()
    elif step == "dashboard":
        result = measure_dashboard(args[0], int(args[1]))
    elif step == "tiles":
        result = measure_tiles(int(args[0]), args[1], args[2])
    else:
        raise SystemExit(f"unknown step {step}")
    print(json.dumps(result))


# --- the orchestration ------------------------------------------------------------------------


def _last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--dump", default="", help="PostGIS: restore this pg_dump first")
    parser.add_argument("--scale", choices=["street", "district"], default="district")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--tiles", type=int, default=60, help="tiles measured per layer")
    parser.add_argument("--write", action="store_true", help="update docs/PERFORMANCE.md")
    parser.add_argument("--inner", nargs="+", help=argparse.SUPPRESS)
    opts, _rest = parser.parse_known_args()
    if opts.inner:
        inner(opts.inner[0], opts.inner[1:])
        return

    env = dict(os.environ, GRIDGOV_SECRET_KEY=os.environ.get("GRIDGOV_SECRET_KEY", "bench"))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    steps: list[tuple[str, float | None]] = []
    if opts.database_url:
        env["DATABASE_URL"] = opts.database_url
        backend = "postgis"
        if opts.dump:
            import district

            district.prepare(
                argparse.Namespace(scale=opts.scale, seed=opts.seed, dump=opts.dump, rebuild=False),
                env,
                backend,
                [],
            )
    else:
        backend = "spatialite"
        cached = ROOT / "var" / f"bench-{opts.scale}.sqlite3"
        if not cached.exists():
            import district

            district.prepare(
                argparse.Namespace(scale=opts.scale, seed=opts.seed, dump="", rebuild=False),
                env,
                backend,
                [],
            )
        db = ROOT / "var" / "bench-dashboard.sqlite3"
        shutil.copyfile(cached, db)
        env["DATABASE_URL"] = f"spatialite:///{db}"
        r = run([*MANAGE, "migrate", "-v0"], env)
        steps.append(("copy and migrate the district database", r.seconds))
    print(f"bench dashboard on {backend}", flush=True)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = load_note()
    me = [sys.executable, str(Path(__file__).resolve())]
    r = run([*me, "--inner", "prepare"], env)
    data = _last_json(r.out)
    steps.append(("enlarge one community (buildings, leaders, requests, routes)", r.seconds))
    print(f"  prepared {data} in {r.seconds:.0f} s", flush=True)
    r = run([*me, "--inner", "dashboard", data["community"], str(opts.requests)], env)
    dash = _last_json(r.out)
    print(
        f"  dashboard: cold {dash['cold_ms']:.0f} ms, warm median {dash['median_ms']:.1f} ms, "
        f"p95 {dash['p95_ms']:.1f} ms, {dash['total_bytes']:,} bytes",
        flush=True,
    )
    r = run([*me, "--inner", "tiles", str(opts.tiles), backend, data["community"]], env)
    tiles = _last_json(r.out)
    for name, t in tiles.items():
        print(f"  tiles {name}: p95 {t['p95_ms']:.1f} ms over {t['tiles']}", flush=True)
    result = {
        "backend": backend,
        "date": started,
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "load_before": load_before,
        "load_after": load_note(),
        "data": data,
        "dashboard": dash,
        "tiles": tiles,
        "steps": steps,
    }
    (ROOT / "var" / f"bench-dashboard-{backend}.json").write_text(json.dumps(result, indent=1))
    if backend == "spatialite":
        (ROOT / "var" / "bench-dashboard.sqlite3").unlink(missing_ok=True)
    if opts.write:
        write_block(f"dashboard:{backend}", block(result))


def block(res: dict) -> list[str]:
    d, t, data = res["dashboard"], res["tiles"], res["data"]
    ok = lambda good: "**met**" if good else "**not met**"  # noqa: E731
    tile_p95 = max((v["p95_ms"] for v in t.values()), default=float("nan"))
    fmt = "`.pbf` (ST_AsMVT)" if res["backend"] == "postgis" else "`.geojson` (fallback)"
    lines = [
        f"## Grid dashboard and tiles on {res['backend']}",
        "",
        f"`bench/dashboard.py`, run {res['date']} on {res['machine']} with {res['cores']} "
        f"cores ({res['load_before']} before, {res['load_after']} after). Community "
        f"{data['community']} of the district enlarged to {data['buildings']} buildings "
        f"({data['leaders']} with a leader), {data['compounds']} compounds, "
        f"{data['open_cases']} open requests and {data['routes']} patrol routes; its "
        f"boundaries densified to {data['vertices']:,} vertices (a vertex every 2 m).",
        "",
        "| goal | measured | |",
        "|---|---|---|",
        f"| community dashboard ≤ 100 ms server time (warm) | median {d['median_ms']:.1f} ms, "
        f"p95 {d['p95_ms']:.1f} ms over {d['requests']} requests "
        f"({d['queries_per_request']} queries each); cold {d['cold_ms']:.0f} ms "
        f"| {ok(d['p95_ms'] <= GOAL_MS)} |",
        f"| ≤ 1.5 MB transferred | {d['total_bytes'] / 2**20:.2f} MiB: page "
        f"{d['html_bytes'] / 1024:.0f} KiB ({d['html_gzip_bytes'] / 1024:.0f} KiB gzipped), "
        f"static assets {sum(d['assets'].values()) / 1024:.0f} KiB, "
        f"data fetched {sum(d['fetched'].values()) / 1024:.0f} KiB "
        f"| {ok(d['total_bytes'] <= GOAL_BYTES)} |",
        f"| vector tile ≤ 50 ms p95 at district scale ({fmt}) | worst layer p95 "
        f"{tile_p95:.1f} ms | {ok(tile_p95 <= GOAL_TILE_MS)} |",
        "",
        "| layer | zoom | tiles | median | p95 | max | median size | largest |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, v in t.items():
        lines.append(
            f"| {name.split()[0]} | {v['zoom']} | {v['tiles']} | "
            f"{v['median_ms']:.1f} ms | {v['p95_ms']:.1f} ms | {v['max_ms']:.1f} ms | "
            f"{v['median_bytes'] / 1024:.1f} KiB | {v['max_bytes'] / 1024:.1f} KiB |"
        )
    lines += [
        "",
        f"Polygons sent: the outline and the {data['compounds']} compounds with "
        f"{d['vertices_sent']:,} vertices, of {d['vertices_stored']:,} stored "
        "(simplified by half a pixel two zoom levels beyond the fitted view, coordinates "
        "rounded to a quarter pixel). The cache key's fingerprint query: "
        f"{d['fingerprint_ms']:.1f} ms (median). Tiles of the grid layers are sampled "
        "over the whole district (empty ones skipped), requests and routes over the "
        "enlarged community; the first three tiles are not timed.",
    ]
    lines += [
        "",
        "Static assets of the page (loaded once, then from the browser's cache): "
        + ", ".join(f"`{k.rsplit('/', 1)[-1]}` {v / 1024:.0f} KiB" for k, v in d["assets"].items())
        + ".",
    ]
    return lines


if __name__ == "__main__":
    main()
