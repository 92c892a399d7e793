#!/usr/bin/env bash
# Point lookup under load (/api/v1/locate/ behind gunicorn, wrk on loopback) on SpatiaLite,
# then on a throwaway PostGIS (or DATABASE_URL); figures in docs/PERFORMANCE.md.
#
#   bash bench/locate_load.sh [--scale street|district] [other bench/locate_load.py options]
#
# The demo databases are the ones bench/run.sh builds and caches (var/bench-<scale>.*).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
SCALE=street
for ((i = 1; i <= $#; i++)); do
    if [[ "${!i}" == "--scale" ]]; then j=$((i + 1)); SCALE="${!j}"; fi
    if [[ "${!i}" == --scale=* ]]; then SCALE="${!i#--scale=}"; fi
done
command -v wrk >/dev/null || echo "bench: wrk not found (Debian: apt-get install wrk);" \
    "using the asyncio load generator in bench/locate_load.py" >&2

"$PY" bench/locate_load.py --write "$@"
if [[ -n "${DATABASE_URL:-}" ]]; then
    "$PY" bench/locate_load.py --write --database-url "$DATABASE_URL" "$@"
else
    # shellcheck source=scripts/pg_cluster.sh
    source "$ROOT/scripts/pg_cluster.sh"
    start_cluster
    "$PY" bench/locate_load.py --write --database-url "$POSTGIS_URL" \
        --dump "$ROOT/var/bench-$SCALE.pgdump" "$@"
fi
