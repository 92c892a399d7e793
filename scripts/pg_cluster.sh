# Throwaway PostgreSQL + PostGIS cluster, sourced by scripts/test.sh and bench/run.sh.
#
# start_cluster: initdb + pg_ctl start in a temp dir under /tmp, reached over a unix socket
# only (as root through `runuser -u postgres`), creates database "gridgov", exports PGHOST and
# sets POSTGIS_URL. An EXIT trap stops the cluster and removes the directory.
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
        || { echo "pg: no PostgreSQL server under /usr/lib/postgresql; run scripts/setup.sh" >&2; return 1; }
    # Under /tmp, not $TMPDIR: a unix socket path must stay short, and as root the postgres
    # user must be able to reach it.
    PGTMP="$(mktemp -d /tmp/gridgov-pg.XXXXXX)"
    if [[ "$(id -u)" == 0 ]]; then
        id postgres >/dev/null 2>&1 || { echo "pg: no 'postgres' user to run the server" >&2; return 1; }
        chown postgres: "$PGTMP"
    fi
    echo "pg: starting a throwaway PostgreSQL ($PGBIN) in $PGTMP"
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
