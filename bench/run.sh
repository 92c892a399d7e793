#!/usr/bin/env bash
# Benchmarks on a generated district, on SpatiaLite and then on a throwaway PostGIS (or
# DATABASE_URL), results written to docs/PERFORMANCE.md.
#
#   bench/run.sh [--scale street|district]      (make bench runs --scale district)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"

"$PY" bench/district.py --write "$@"
if [[ -n "${DATABASE_URL:-}" ]]; then
    "$PY" bench/district.py --write --database-url "$DATABASE_URL" "$@"
else
    # shellcheck source=scripts/pg_cluster.sh
    source "$ROOT/scripts/pg_cluster.sh"
    start_cluster
    "$PY" bench/district.py --write --database-url "$POSTGIS_URL" "$@"
fi
