#!/usr/bin/env bash
# Run the whole pytest suite twice: on SpatiaLite and on PostGIS, side by side.
#
#   scripts/test.sh [pytest args...]
#
# PostGIS: DATABASE_URL when it is set (postgis://user:pass@host:port/name; the user must be
# allowed to create the test database and the postgis extension), otherwise a throwaway
# PostgreSQL cluster in a temp dir, reached over a unix socket only, removed on exit.
# Ends with one line per backend, e.g. "spatialite: 57 passed, 0 failed"; JUnit reports are
# left in var/test-results/. Run scripts/setup.sh first (make test does).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
[[ -x "$PY" ]] || { echo "test: no .venv; run scripts/setup.sh first" >&2; exit 2; }

export GRIDGOV_SECRET_KEY=test-only-not-secret
REPORTS="$ROOT/var/test-results"
mkdir -p "$REPORTS"
rm -f "$REPORTS"/spatialite.xml "$REPORTS"/postgis.xml

# shellcheck source=scripts/pg_cluster.sh
source "$ROOT/scripts/pg_cluster.sh"

# run_suite NAME -> runs pytest, leaves var/test-results/NAME.xml; returns pytest's exit code
run_suite() {
    local name="$1"
    shift
    echo
    echo "test: ===== $name ====="
    "$@" "$PY" -m pytest --junitxml="$REPORTS/$name.xml" "${PYTEST_ARGS[@]}"
}

PYTEST_ARGS=("$@")

# The PostGIS suite runs beside the SpatiaLite one (two processes; most tests wait on one
# database or the other, so together they take little more than the longer one alone).
# GRIDGOV_TEST_SERIAL=1 runs them one after the other, with the PostGIS output live.
if [[ -n "${DATABASE_URL:-}" ]]; then
    echo
    echo "test: PostGIS from DATABASE_URL"
    POSTGIS_URL="$DATABASE_URL"
    cluster_ok=0
else
    start_cluster
    cluster_ok=$?
fi
[[ $cluster_ok == 0 ]] || echo "test: could not start PostgreSQL; PostGIS run skipped" >&2

PG_LOG="$REPORTS/postgis.log"
pg_pid=""
if [[ $cluster_ok == 0 && "${GRIDGOV_TEST_SERIAL:-0}" != 1 ]]; then
    echo "test: the postgis suite runs in parallel; its output follows the spatialite one" \
        "(live in $PG_LOG)"
    run_suite postgis env DATABASE_URL="$POSTGIS_URL" >"$PG_LOG" 2>&1 &
    pg_pid=$!
    trap 'kill "$pg_pid" 2>/dev/null; exit 130' INT
    trap 'kill "$pg_pid" 2>/dev/null; exit 143' TERM
fi

run_suite spatialite env -u DATABASE_URL
rc_spatialite=$?

if [[ -n "$pg_pid" ]]; then
    wait "$pg_pid"
    rc_postgis=$?
    cat "$PG_LOG"
elif [[ $cluster_ok == 0 ]]; then
    run_suite postgis env DATABASE_URL="$POSTGIS_URL"
    rc_postgis=$?
else
    rc_postgis=1
fi
cleanup
PGTMP=""

# Summary from the JUnit reports: errors count as failed; a run that ran nothing, crashed or
# exited non-zero fails.
"$PY" - "$REPORTS" "spatialite:$rc_spatialite" "postgis:$rc_postgis" <<'EOF'
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

reports = Path(sys.argv[1])
ok = True
lines = []
for arg in sys.argv[2:]:
    name, rc = arg.split(":")
    rc = int(rc)
    tests = failed = skipped = 0
    path = reports / f"{name}.xml"
    if path.exists():
        root = ET.parse(path).getroot()
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for s in suites:
            tests += int(s.get("tests", 0))
            failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
            skipped += int(s.get("skipped", 0))
    else:
        print(f"test: {name}: no report (pytest exit code {rc})", file=sys.stderr)
    passed = tests - failed - skipped
    if rc != 0 or failed or passed <= 0:
        ok = False
        if rc != 0 and not failed:
            print(f"test: {name}: pytest exit code {rc}", file=sys.stderr)
        if tests == 0:
            print(f"test: {name}: no tests ran", file=sys.stderr)
    line = f"{name}: {passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    lines.append(line)
print()
print("\n".join(lines))
sys.exit(0 if ok else 1)
EOF
