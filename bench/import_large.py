"""A 200 MB boundary file through import_grids: time and peak memory (issue 3, bad input
"a 200 MB file (streamed, not loaded whole)").

The file: a grid of community squares whose edges are densified (a few thousand vertices
each, as surveyed boundaries are), about 200 MB of GeoJSON. It is imported twice into an
empty SpatiaLite database: a dry run, then for real. The importer streams the features
through GDAL and keeps their geometries (the in-file overlap checks need them all), never
the file's text: peak memory is reported next to the file's size.

    .venv/bin/python bench/import_large.py [--mb 200] [--keep]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import manage


def square_ring(x0: float, y0: float, size: float, per_edge: int) -> np.ndarray:
    t = np.linspace(0, size, per_edge, endpoint=False)
    z = np.zeros(per_edge)
    xs = np.concatenate([x0 + t, x0 + size + z, x0 + size - t, x0 + z, [x0]])
    ys = np.concatenate([y0 + z, y0 + t, y0 + size + z, y0 + size - t, [y0]])
    return np.column_stack([xs, ys])


def write_file(path: Path, target_mb: float, per_edge: int = 1000, bad_last: bool = False) -> int:
    """Write about ``target_mb`` of GeoJSON; the number of features. With ``bad_last`` the
    last feature is a self-intersecting bow-tie (the import must read to the end to say so)."""
    bytes_per_feature = per_edge * 4 * 25 + 120
    n = max(2, int(target_mb * 1e6 / bytes_per_feature))
    cols = int(np.ceil(np.sqrt(n)))
    size = 0.01
    with path.open("w") as out:
        out.write('{"type":"FeatureCollection","features":[\n')
        for i in range(n):
            x0, y0 = 100.0 + (i % cols) * size, 20.0 + (i // cols) * size
            ring = square_ring(x0, y0, size, per_edge)
            if bad_last and i == n - 1:
                ring = np.array(
                    [[x0, y0], [x0 + size, y0 + size], [x0 + size, y0], [x0, y0 + size], [x0, y0]]
                )
            coords = ",".join(["[%.7f,%.7f]"] * len(ring)) % tuple(ring.ravel().tolist())
            sep = "," if i < n - 1 else ""
            out.write(
                f'{{"type":"Feature","properties":{{"code":"{900000 + i}",'
                f'"name":"社区{i}"}},"geometry":{{"type":"Polygon",'
                f'"coordinates":[[{coords}]]}}}}{sep}\n'
            )
        out.write("]}\n")
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the file and database")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gridgov-import-"))
    path = work / "communities.geojson"
    n = write_file(path, args.mb)
    size_mb = path.stat().st_size / 2**20
    env = {
        **os.environ,
        "GRIDGOV_SECRET_KEY": "bench",
        "DATABASE_URL": f"spatialite:///{work / 'import.sqlite3'}",
    }
    manage(["migrate", "-v", "0"], env)
    base = manage(["check"], env)
    dry = manage(["import_grids", str(path), "--level", "community", "--dry-run"], env)
    real = manage(["import_grids", str(path), "--level", "community"], env)
    print(f"file: {size_mb:.0f} MiB, {n:,} features")
    print(f"django start-up alone: {base.seconds:.1f} s, peak {base.mib:.0f} MiB")
    for label, r in (("dry run", dry), ("import", real)):
        print(
            f"{label}: {r.seconds:.1f} s, {n / r.seconds:,.0f} features/s, "
            f"{size_mb / r.seconds:.1f} MiB/s, peak {r.mib:.0f} MiB"
        )
    print(real.out.strip().splitlines()[-1])
    if not args.keep:
        for f in work.iterdir():
            f.unlink()
        work.rmdir()


if __name__ == "__main__":
    main()
