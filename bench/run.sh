#!/usr/bin/env bash
# Benchmarks on a generated district, on SpatiaLite and then on a throwaway PostGIS (or
# DATABASE_URL), results written to docs/PERFORMANCE.md.
#
#   bench/run.sh [--scale street|district] [--rebuild]     (make bench runs --scale district)
#
# The demo databases are built once and reused (var/bench-<scale>.sqlite3, and a pg_dump of
# the PostGIS one in var/bench-<scale>.pgdump) until the schema or the demo builder change,
# or --rebuild. geopandas (for the sjoin comparison) is a bench extra installed here.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
SCALE=district
for ((i = 1; i <= $#; i++)); do
    if [[ "${!i}" == "--scale" ]]; then j=$((i + 1)); SCALE="${!j}"; fi
    if [[ "${!i}" == --scale=* ]]; then SCALE="${!i#--scale=}"; fi
done
command -v ogr2ogr >/dev/null || { echo "bench: ogr2ogr not found (Debian: gdal-bin)" >&2; exit 1; }

echo "bench: installing the bench extras (bench/requirements.txt, requirements.lock as constraints)"
"$PY" -m pip install -q --disable-pip-version-check -c requirements.lock -r bench/requirements.txt

START=$(date +%s)
"$PY" bench/district.py --write "$@"
"$PY" bench/dashboard.py --write
if [[ -n "${DATABASE_URL:-}" ]]; then
    "$PY" bench/district.py --write --database-url "$DATABASE_URL" "$@"
else
    # shellcheck source=scripts/pg_cluster.sh
    source "$ROOT/scripts/pg_cluster.sh"
    start_cluster
    "$PY" bench/district.py --write --database-url "$POSTGIS_URL" \
        --dump "$ROOT/var/bench-$SCALE.pgdump" "$@"
    "$PY" bench/dashboard.py --write --database-url "$POSTGIS_URL"
fi
if [[ -n "${MAKELEVEL:-}" ]]; then  # run by make: record the command the reader would type
    CMD="make bench$([[ "$SCALE" == district ]] || echo " SCALE=$SCALE")"
else
    CMD="bash bench/run.sh $*"
fi
bash "$ROOT/bench/locate_load.sh" --scale street
"$PY" bench/report.py --write --scale "$SCALE" --command "$CMD"
echo "bench: done in $(( $(date +%s) - START )) s; figures in docs/PERFORMANCE.md"
