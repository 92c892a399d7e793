#!/usr/bin/env bash
# Run the whole pytest suite twice: on SpatiaLite, then on PostGIS.
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

PGTMP=""
PGBIN=""
as_pg() {  # run a PostgreSQL server command as the cluster's owner
    if [[ "$(id -u)" == 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
cleanup() {
    if [[ -n "$PGTMP" && -d "$PGTMP" ]]; then
        if [[ -f "$PGTMP/data/postmaster.pid" ]]; then
            as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null 2>&1 \
                || as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 \
                || true
        fi
        rm -rf "$PGTMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_cluster() {
    PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$PGBIN" && -x "$PGBIN/initdb" ]] \
        || { echo "test: no PostgreSQL server under /usr/lib/postgresql; run scripts/setup.sh" >&2; return 1; }
    # Under /tmp, not $TMPDIR: a unix socket path must stay short, and as root the postgres
    # user must be able to reach it.
    PGTMP="$(mktemp -d /tmp/gridgov-pg.XXXXXX)"
    if [[ "$(id -u)" == 0 ]]; then
        id postgres >/dev/null 2>&1 || { echo "test: no 'postgres' user to run the server" >&2; return 1; }
        chown postgres: "$PGTMP"
    fi
    echo "test: starting a throwaway PostgreSQL ($PGBIN) in $PGTMP"
    as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$PGTMP/initdb.log" 2>&1 \
        || { cat "$PGTMP/initdb.log" >&2; return 1; }
    as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
        -o "-k $PGTMP -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null \
        || { cat "$PGTMP/server.log" >&2; return 1; }
    # A database to point DATABASE_URL at; Django creates test_gridgov beside it.
    as_pg "$PGBIN/createdb" -h "$PGTMP" -U postgres gridgov || return 1
    export PGHOST="$PGTMP"
    POSTGIS_URL="postgis://postgres@/gridgov"
}

# run_suite NAME -> runs pytest, leaves var/test-results/NAME.xml; returns pytest's exit code
run_suite() {
    local name="$1"
    shift
    echo
    echo "test: ===== $name ====="
    "$@" "$PY" -m pytest --junitxml="$REPORTS/$name.xml" "${PYTEST_ARGS[@]}"
}

PYTEST_ARGS=("$@")

run_suite spatialite env -u DATABASE_URL
rc_spatialite=$?

if [[ -n "${DATABASE_URL:-}" ]]; then
    echo
    echo "test: PostGIS from DATABASE_URL"
    POSTGIS_URL="$DATABASE_URL"
    cluster_ok=0
else
    start_cluster
    cluster_ok=$?
fi
if [[ $cluster_ok == 0 ]]; then
    run_suite postgis env DATABASE_URL="$POSTGIS_URL"
    rc_postgis=$?
else
    echo "test: could not start PostgreSQL; PostGIS run skipped" >&2
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
