"""In-memory point-in-polygon: our vectorised ``place()`` versus ``geopandas.sjoin``.

    .venv/bin/python bench/sjoin.py var/bench-district.sqlite3 [--repeat 3] [--json]

Both sides get the same input, read once from the SpatiaLite file with sqlite3 +
mod_spatialite (``AsBinary``) before any clock starts: the household points as coordinate
arrays and the grid polygons of the three levels as shapely geometries. Then, best of
``--repeat``:

- geopandas: points made from the arrays (``points_from_xy``), then
  ``gpd.sjoin(points, polygons, predicate="within")`` once per level (three joins), against
  polygon GeoDataFrames built fresh before each repeat so that no spatial index is reused;
- ours: ``gridgov.grids.placement.place(x, y, layers)`` on layers built fresh before each
  repeat from new geometry objects (so its cell index, prepared polygons and the STRtree for
  the nearest search are built inside the clock, as geopandas' spatial index is), doing more
  than the joins: one grid per point (ties on shared edges to the
  lowest code), compound and community derived from the building, the nearest building and
  the distance in metres for points in no building, and each point's finest grid code.

Neither side reads from or writes to the database inside the clock: this favours geopandas
compared with ``locate_people``, whose end-to-end time includes reading and persisting.
geopandas is a bench extra (``pip install .[bench]``), never a runtime dependency.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def read(db: Path) -> dict:
    """Household points (with their residents) and the grids of each level, from SpatiaLite."""
    con = sqlite3.connect(db)
    con.enable_load_extension(True)
    con.load_extension(os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite"))
    rows = con.execute(
        "SELECT h.id, X(h.location), Y(h.location), count(r.id) FROM people_household h "
        "LEFT JOIN people_resident r ON r.household_id = h.id "
        "WHERE h.location IS NOT NULL GROUP BY h.id ORDER BY h.id"
    ).fetchall()
    data = np.array(rows, dtype="float64").reshape(-1, 4)
    grids = {}
    for level in (1, 2, 3):
        g = con.execute(
            "SELECT id, code, coalesce(parent_id, 0), AsBinary(geom) FROM grids_grid "
            "WHERE level = ? ORDER BY code",
            (level,),
        ).fetchall()
        grids[level] = (
            np.array([r[0] for r in g], dtype="int64"),
            [r[1] for r in g],
            np.array([r[2] for r in g], dtype="int64"),
            shapely.from_wkb([bytes(r[3]) for r in g]),
        )
    con.close()
    return {
        "x": data[:, 1].copy(),
        "y": data[:, 2].copy(),
        "residents": data[:, 3].astype("int64"),
        "grids": grids,
    }


def best(fn, repeat: int, setup=lambda: ()) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        args = setup()
        gc.collect()
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="one JSON line on stdout")
    opts = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    os.environ.setdefault("GRIDGOV_SECRET_KEY", "bench")
    os.environ["DATABASE_URL"] = f"spatialite:///{opts.db.resolve()}"
    import django

    django.setup()
    import geopandas as gpd

    from gridgov.grids.placement import GridLayer, place

    start = time.perf_counter()
    data = read(opts.db)
    read_s = time.perf_counter() - start
    x, y, grids = data["x"], data["y"], data["grids"]

    def fresh_layers():  # outside the clock, new each repeat: nothing prepared or indexed
        return {
            level: GridLayer(
                ids=ids,
                codes=codes,
                parent_ids=parents,
                geoms=list(shapely.from_wkb(shapely.to_wkb(geoms))),
            )
            for level, (ids, codes, parents, geoms) in grids.items()
        }

    def ours(layers):
        return place(x, y, layers)

    def fresh_polygons():  # outside the clock, new each repeat: no spatial index carried over
        return {
            level: gpd.GeoDataFrame({"gid": ids}, geometry=geoms.copy(), crs=4326)
            for level, (ids, _codes, _parents, geoms) in grids.items()
        }

    def geopandas_sjoin(right):
        # From the same coordinate arrays as place(): the points are made inside the clock.
        left = gpd.GeoDataFrame(
            {"pid": np.arange(len(x))}, geometry=gpd.points_from_xy(x, y), crs=4326
        )
        return {
            level: gpd.sjoin(left, df, predicate="within", how="inner")
            for level, df in right.items()
        }

    # Warm both code paths (imports, first-call set-up) on a slice, outside the clock.
    place(x[:1000], y[:1000], fresh_layers())
    gpd.sjoin(
        gpd.GeoDataFrame(geometry=gpd.points_from_xy(x[:1000], y[:1000]), crs=4326),
        fresh_polygons()[1],
        predicate="within",
    )
    ours_s, p = best(ours, opts.repeat, lambda: (fresh_layers(),))
    gpd_s, joined = best(geopandas_sjoin, opts.repeat, lambda: (fresh_polygons(),))

    # Agreement: the building each point got from both sides (sjoin may give a point on a
    # shared edge to none or, with overlaps, to several; ours gives exactly one).
    sj = joined[3].drop_duplicates("pid").set_index("pid")["gid"]
    theirs = np.zeros(len(x), dtype="int64")
    theirs[sj.index.to_numpy()] = sj.to_numpy()
    agree = float(np.mean(theirs == p.building))
    in_building = p.building > 0
    result = {
        "points": int(len(x)),
        "households_in_building": int(np.count_nonzero(in_building)),
        "residents": int(data["residents"].sum()),
        "residents_in_building": int(data["residents"][in_building].sum()),
        "polygons": {str(level): int(len(g[0])) for level, g in grids.items()},
        "read_s": read_s,
        "ours_s": ours_s,
        "geopandas_s": gpd_s,
        "sjoin_rows": {str(level): int(len(df)) for level, df in joined.items()},
        "building_agreement": agree,
        "repeat": opts.repeat,
        "versions": {
            "geopandas": gpd.__version__,
            "shapely": shapely.__version__,
            "numpy": np.__version__,
        },
    }
    if opts.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    sys.stdout.flush()
    # Django's GDAL/PROJ (Debian's) and pyproj's bundled PROJ share this process; their
    # destructors can crash at interpreter exit ("free(): invalid pointer"). All is written.
    os._exit(0)


if __name__ == "__main__":
    main()
