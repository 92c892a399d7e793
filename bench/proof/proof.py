"""The long proofs of issue 8 on one backend: fuzzing, load, faults.

    .venv/bin/python bench/proof/proof.py --backend spatialite|postgis [--database-url URL]
        --venv var/proof-venv [--rebuild] [--fuzz-seconds 100] [--users 200] ...

bench/proof/run.sh runs it per backend (PostGIS: a throwaway cluster, whose data directory
and log it passes in PROOF_PGDATA / PROOF_PGLOG for the restart fault), then
bench/proof/report.py writes docs/RELIABILITY.md.

Steps: the street-scale demo (load_demo --scale street; cached in var/proof-street.sqlite3
or var/proof-street.pgdump, rebuilt when the demo builder or synth changed), an API key,
gunicorn with production settings (bench/proof/proof_settings.py: gridgov.settings with the
lookup limit from the environment), schemathesis (fuzz.py), locust (load.py), the
worker-kill fault, the server stopped, then the import fault (faults.py). Results:
var/proof-<backend>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

import faults
import fuzz
import load
from proofkit import (
    HERE,
    ROOT,
    Server,
    dbtool,
    load_note,
    manage,
    pg_args,
    pg_tool,
    psql,
    run,
    say,
)

sys.path.insert(0, str(ROOT / "bench"))
from common import fingerprint

SCALE = "street"


def new_exceptions(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v > before.get(k, 0)}


def base_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DJANGO_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "GRIDGOV_SECRET_KEY": secrets.token_urlsafe(50),
            "GRIDGOV_HTTPS": "0",  # plain HTTP on loopback; everything else as in production
            "GRIDGOV_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "GRIDGOV_FINDER_RATE_LIMIT": str(10**9),
            "DJANGO_SETTINGS_MODULE": "proof_settings",
            "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
        }
    )
    return env


def prepare(opts, env: dict[str, str], work: Path) -> Path | None:
    """The demo database; the SpatiaLite file (a working copy of the cache) if any."""
    fp = fingerprint(SCALE, opts.seed)
    build = [["migrate", "-v0"], ["load_demo", "--scale", SCALE, "--seed", str(opts.seed)]]
    if opts.backend == "spatialite":
        cache = ROOT / "var" / f"proof-{SCALE}.sqlite3"
        stamp = cache.with_name(cache.name + ".fingerprint")
        db = work / "proof.sqlite3"
        env["DATABASE_URL"] = f"spatialite:///{db}"
        if not opts.rebuild and cache.exists() and stamp.exists() and stamp.read_text() == fp:
            shutil.copyfile(cache, db)
            if manage(["migrate", "-v0"], env, check=False).returncode == 0:
                say(f"demo: copy of {cache.relative_to(ROOT)} (fingerprint {fp}), migrated")
                return db
            db.unlink()
        say("demo: building the street-scale demo (load_demo --scale street)")
        for args in build:
            manage(args, env)
        cache.parent.mkdir(exist_ok=True)
        shutil.copyfile(db, cache.with_name(cache.name + ".part"))
        os.replace(cache.with_name(cache.name + ".part"), cache)
        stamp.write_text(fp)
        return db
    url = env["DATABASE_URL"]
    dump = ROOT / "var" / f"proof-{SCALE}.pgdump"
    stamp = dump.with_name(dump.name + ".fingerprint")
    if not opts.rebuild and dump.exists() and stamp.exists() and stamp.read_text() == fp:
        r = run(
            [pg_tool("pg_restore"), "--no-owner", "--exit-on-error", *pg_args(url), str(dump)],
            env,
            check=False,
        )
        if r.returncode == 0 and manage(["migrate", "-v0"], env, check=False).returncode == 0:
            say(f"demo: pg_restore of {dump.relative_to(ROOT)} (fingerprint {fp}), migrated")
            psql(url, "VACUUM ANALYZE", env)
            return None
        psql(url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", env)
    say("demo: building the street-scale demo on PostGIS (load_demo --scale street)")
    for args in build:
        manage(args, env)
    run([pg_tool("pg_dump"), "-Fc", "-Z1", *pg_args(url), "-f", str(dump) + ".part"], env)
    os.replace(str(dump) + ".part", dump)
    stamp.write_text(fp)
    psql(url, "VACUUM ANALYZE", env)
    return None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=["spatialite", "postgis"], required=True)
    p.add_argument("--database-url", default="")
    p.add_argument("--venv", type=Path, default=ROOT / "var" / "proof-venv")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--rebuild", action="store_true", help="ignore the cached demo database")
    p.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    p.add_argument(
        "--fuzz-seconds",
        type=int,
        default=90,
        help="time budget of the first round of schemathesis runs",
    )
    p.add_argument(
        "--fuzz-target",
        type=int,
        default=2000,
        help="more rounds until schemathesis generated this many test cases",
    )
    p.add_argument(
        "--fuzz-cap", type=int, default=420, help="... or this many seconds of schemathesis went by"
    )
    p.add_argument("--users", type=int, default=200)
    p.add_argument("--spawn-rate", type=float, default=20)
    p.add_argument("--load-seconds", type=int, default=60, help="after the ramp")
    p.add_argument("--wait", default="2-6", help="seconds each user waits between requests")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    p.add_argument(
        "--steps",
        default="fuzz,load,kill,import",
        help="comma-separated subset of fuzz,load,kill,import",
    )
    opts = p.parse_args()
    steps = set(opts.steps.split(","))
    if opts.backend == "postgis" and not opts.database_url:
        sys.exit("--database-url postgis://... is needed for --backend postgis")

    work = Path(tempfile.mkdtemp(prefix=f"gridgov-proof-{opts.backend}-"))
    env = base_env(opts.database_url)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    t0 = time.monotonic()
    result: dict = {
        "backend": opts.backend,
        "date": started,
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "ram_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "load_before": load_note(),
        "workers": opts.workers,
    }
    result["tools_python"] = run(
        [
            str(opts.venv / "bin" / "python"),
            "-c",
            "import platform; print(platform.python_version())",
        ],
        env,
    ).stdout.strip()
    say(f"{opts.backend}: work directory {work}; {result['load_before']}")
    db = prepare(opts, env, work)
    fix_file = work / "fixtures.json"
    dbtool(["fixtures", str(fix_file)], env)
    fixtures = json.loads(fix_file.read_text())
    result["demo"] = fixtures["counts"]
    server = Server(env, opts.workers, work)
    server.start()
    result["server"] = (
        " ".join(["gunicorn", *server.command[1:]])
        .replace(f":{server.port}", ":PORT")
        .replace(str(work), "$WORK")
    )
    say(f"gunicorn on {server.url} ({opts.workers} workers)")
    try:
        if "fuzz" in steps:
            result["fuzz"] = fuzz.run(
                server,
                fixtures,
                opts.venv,
                work,
                seconds=opts.fuzz_seconds,
                target=opts.fuzz_target,
                cap=opts.fuzz_cap,
            )
        if "load" in steps:
            before = server.exceptions()
            result["load"] = load.run(
                server,
                fixtures,
                opts.venv,
                work,
                users=opts.users,
                spawn_rate=opts.spawn_rate,
                seconds=opts.load_seconds,
                wait=opts.wait,
            )
            result["load"]["exceptions"] = new_exceptions(before, server.exceptions())
            result["load_during"] = load_note()
        if "kill" in steps:
            before = server.exceptions()
            result["worker_kill"] = faults.worker_kill(server, fixtures, env, work)
            result["worker_kill"]["exceptions"] = new_exceptions(before, server.exceptions())
    finally:
        server.stop()
    if "import" in steps:
        pg = None
        if opts.backend == "postgis":
            pg = {
                "url": opts.database_url,
                "data": os.environ["PROOF_PGDATA"],
                "log": os.environ["PROOF_PGLOG"],
            }
        result["import_abort"] = faults.import_abort(env, opts.backend, work, db_file=db, pg=pg)
    result["load_after"] = load_note()
    result["seconds"] = time.monotonic() - t0
    out = ROOT / "var" / f"proof-{opts.backend}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    say(f"{opts.backend}: done in {result['seconds']:.0f} s -> {out.relative_to(ROOT)}")
    if not opts.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
