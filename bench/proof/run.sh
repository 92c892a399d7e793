#!/usr/bin/env bash
# The long proofs of issue 8 (schemathesis, locust load, faults) against gunicorn with
# production settings, on SpatiaLite and on a throwaway PostGIS; figures in
# docs/RELIABILITY.md.
#
#   bash bench/proof/run.sh [--backend spatialite|postgis|both] [--rebuild]
#                           [--fuzz-seconds N] [--users N] [--load-seconds N] [--steps ...]
#
# The tools live in their own venv, var/proof-venv (bench/proof/requirements.txt), never in
# .venv. The street-scale demo is built once per backend and reused (var/proof-street.*)
# until the demo builder or the synthetic geometry change, or --rebuild. Exits 1 when a
# goal is missed (the doc is written all the same).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
BACKEND=both
ARGS=()
while (($#)); do
    case "$1" in
        --backend) BACKEND="$2"; shift 2 ;;
        --backend=*) BACKEND="${1#--backend=}"; shift ;;
        *) ARGS+=("$1"); shift ;;
    esac
done
case "$BACKEND" in spatialite|postgis|both) ;; *)
    echo "proof: --backend spatialite|postgis|both, not $BACKEND" >&2; exit 2 ;;
esac
[[ -x "$PY" ]] || { echo "proof: no .venv; run make setup first" >&2; exit 1; }

# schemathesis on CPython 3.11.0-3.11.4 hits "SystemError: AST constructor recursion depth
# mismatch" (CPython gh-106905, fixed in 3.11.5) and loses whole phases: use a Python that
# has the fix when there is one (PROOF_PYTHON, python3 on PATH), else Debian's.
pick_python() {
    local c
    for c in "${PROOF_PYTHON:-}" "$(command -v python3 || true)" /usr/bin/python3; do
        [[ -n "$c" ]] || continue
        if "$c" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11, 5))' 2>/dev/null; then
            echo "$c"; return
        fi
    done
    echo /usr/bin/python3
}
VENV="$ROOT/var/proof-venv"
PROOF_PY="$(pick_python)"
WANT="$(sha256sum bench/proof/requirements.txt | cut -c1-16) $("$PROOF_PY" -c 'import sys; print(sys.version.split()[0])')"
if [[ ! -x "$VENV/bin/schemathesis" || "$(cat "$VENV/.stamp" 2>/dev/null)" != "$WANT" ]]; then
    echo "proof: installing schemathesis and locust into var/proof-venv ($PROOF_PY)"
    rm -rf "$VENV"
    "$PROOF_PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r bench/proof/requirements.txt
    echo "$WANT" >"$VENV/.stamp"
fi

START=$(date +%s)
STATUS=0
if [[ "$BACKEND" != postgis ]]; then
    "$PY" bench/proof/proof.py --backend spatialite --venv "$VENV" ${ARGS[@]+"${ARGS[@]}"} || STATUS=$?
fi
if [[ "$BACKEND" != spatialite ]]; then
    # shellcheck source=scripts/pg_cluster.sh
    source "$ROOT/scripts/pg_cluster.sh"
    start_cluster
    # The throwaway cluster starts without fsync and synchronous commit (fast tests); the
    # crash fault needs a durable server, as in production: restart it with the defaults.
    as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
        -o "-k $PGTMP -c listen_addresses=''" restart >/dev/null
    export PROOF_PGDATA="$PGTMP/data" PROOF_PGLOG="$PGTMP/server.log"
    "$PY" bench/proof/proof.py --backend postgis --database-url "$POSTGIS_URL" \
        --venv "$VENV" ${ARGS[@]+"${ARGS[@]}"} || STATUS=$?
fi
if [[ -n "${MAKELEVEL:-}" ]]; then  # run by make: record the command the reader would type
    CMD="make proof"
else
    CMD="bash bench/proof/run.sh${BACKEND:+ --backend $BACKEND}"
fi
"$PY" bench/proof/report.py --write --command "$CMD" --backends "$BACKEND" || STATUS=1
echo "proof: done in $(( $(date +%s) - START )) s; figures in docs/RELIABILITY.md"
exit "$STATUS"
