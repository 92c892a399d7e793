"""Proof 3: faults.

worker_kill: Open311 POSTs (the API key, a service code and a household point of the demo)
from several threads while one gunicorn worker, then another, is killed with SIGKILL; then
every request answered 201 with a service_request_id must be in the database. Requests cut
off by the kill get no answer (a connection error): those are not acknowledged, and whether
they were written is counted separately ("written, not acknowledged").

import_abort: ``manage.py import_grids`` of a large building file (every demo building cut
in strips: updates with kept versions, creates, audit rows, people re-located) is cut off
while it writes: on SpatiaLite the import process is killed (SIGKILL) once its write
transaction has begun (its rollback journal exists); on PostGIS the whole server is
restarted (``pg_ctl restart -m immediate``: a crash, no shutdown checkpoint) once the
import's transaction holds its write lock on grids_grid. Then the grid tables, versions,
audit rows and people's placements must be byte-for-byte what they were before, and the
same import run again must succeed (so the file was good and the database is sound).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from proofkit import MANAGE, Server, as_pg, dbtool, pg_tool, psql, say

WRITING_SQL = (
    "SELECT a.pid || ' ' || left(regexp_replace(a.query, '\\s+', ' ', 'g'), 70) "
    "FROM pg_stat_activity a WHERE a.pid <> pg_backend_pid() AND a.pid IN ("
    "SELECT l.pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
    "WHERE c.relname = 'grids_grid' AND l.mode = 'RowExclusiveLock')"
)


def worker_kill(
    server: Server,
    fixtures: dict,
    env: dict[str, str],
    work: Path,
    *,
    threads: int = 8,
    seconds: float = 15.0,
    kills: int = 2,
) -> dict:
    url = f"{server.url}/open311/v2/requests.json"
    results: list[dict] = []
    lock = threading.Lock()
    stop = threading.Event()

    def post(tid: int) -> None:
        rng = random.Random(tid)
        n = 0
        while not stop.is_set():
            n += 1
            lon, lat, _b = rng.choice(fixtures["points"])
            body = urllib.parse.urlencode(
                {
                    "service_code": rng.choice(fixtures["service_codes"]),
                    "lat": lat,
                    "long": lon,
                    "description": f"proof-kill {tid}-{n}",
                }
            ).encode()
            req = urllib.request.Request(url, data=body, headers={"X-Api-Key": fixtures["key"]})
            row: dict = {"at": time.monotonic()}
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    row["status"] = r.status
                    row["id"] = json.load(r)[0]["service_request_id"]
            except urllib.error.HTTPError as exc:
                row["status"], row["error"] = exc.code, exc.read()[:200].decode("utf-8", "replace")
            except (OSError, ValueError) as exc:  # cut off: no answer at all
                row["status"], row["error"] = None, type(exc).__name__
            with lock:
                results.append(row)

    before = server.worker_pids()
    pool = [threading.Thread(target=post, args=(t,), daemon=True) for t in range(threads)]
    start = time.monotonic()
    for t in pool:
        t.start()
    killed = []
    for k in range(kills):
        time.sleep(start + seconds * (k + 1) / (kills + 1) - time.monotonic())
        victim = random.Random(k).choice(server.worker_pids())
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)
        say(f"worker kill: SIGKILL to worker {victim} at {time.monotonic() - start:.1f} s")
    time.sleep(max(0.0, start + seconds - time.monotonic()))
    stop.set()
    for t in pool:
        t.join(timeout=90)
    time.sleep(1)
    acked = [r["id"] for r in results if r.get("status") == 201 and r.get("id")]
    ids = work / "acked.json"
    ids.write_text(json.dumps(acked))
    check = json.loads(dbtool(["cases-exist", str(ids)], env))
    after = server.worker_pids()
    res = {
        "threads": threads,
        "seconds": seconds,
        "killed": len(killed),
        "respawned": len(after) == len(before) and not set(killed) & set(after),
        "posted": len(results),
        "acknowledged": len(acked),
        "found": check["found"],
        "missing": check["missing"],
        "duplicates": len(acked) - len(set(acked)),
        "outcomes": dict(
            Counter(
                str(r.get("status")) + (f" {r['error']}" if r.get("status") is None else "")
                for r in results
            )
        ),
        "non_2xx": [r["error"] for r in results if r.get("status") not in (201, None)][:5],
        "written_not_acknowledged": check["proof_cases"] - check["found"],
    }
    res["ok"] = (
        not res["missing"]
        and res["acknowledged"] > 0
        and res["respawned"]
        and not res["duplicates"]
    )
    say(
        f"worker kill: {res['posted']} posted, {res['acknowledged']} acknowledged, "
        f"{res['found']} found in the database, missing {len(res['missing'])}; "
        f"outcomes {res['outcomes']}"
    )
    return res


def _grid_state(env: dict[str, str]) -> dict:
    return json.loads(dbtool(["grid-state"], env))


def import_abort(
    env: dict[str, str],
    backend: str,
    work: Path,
    *,
    db_file: Path | None,
    pg: dict | None,
    parts: int = 6,
    delay: float = 0.4,
) -> dict:
    geojson = work / "buildings.geojson"
    features = int(dbtool(["buildings", str(geojson), "--parts", str(parts)], env))
    before = _grid_state(env)
    cmd = [*MANAGE, "import_grids", str(geojson), "--level", "building"]
    log = work / "import-aborted.log"
    say(f"import fault: import_grids of {features} building features, fault once it writes")
    proc = subprocess.Popen(cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    started = time.monotonic()
    seen, evidence = None, ""
    # SQLite: a rollback journal appears when the write begins; in WAL mode (the default
    # now) the -wal file grows instead, past what it held before the import.
    journal = Path(f"{db_file}-journal") if db_file else None
    wal = Path(f"{db_file}-wal") if db_file else None
    wal_start = wal.stat().st_size if wal is not None and wal.exists() else 0
    while proc.poll() is None and seen is None:
        if journal is not None:
            if journal.exists():
                seen = time.monotonic()
                evidence = f"rollback journal {journal.name} present"
            elif wal.exists() and wal.stat().st_size > wal_start + 256 * 1024:
                seen = time.monotonic()
                evidence = f"write-ahead log {wal.name} growing"
        elif pg is not None:
            out = psql(pg["url"], WRITING_SQL, env)
            if out:
                seen = time.monotonic()
                evidence = f"backend {out.splitlines()[0]}"
        if seen is None:
            time.sleep(0.02)
    if seen is None:
        return {
            "ok": False,
            "features": features,
            "error": "the import ended before it wrote: " + log.read_text()[-500:],
        }
    time.sleep(delay)
    fault_at = time.monotonic()
    if journal is not None:
        grown = journal if journal.exists() else wal
        evidence += f", {grown.stat().st_size if grown.exists() else 0:,} bytes"
        proc.kill()
        fault = "SIGKILL to the import process"
    else:
        rows = psql(pg["url"], WRITING_SQL, env)
        evidence += f"; at the fault: {rows.splitlines()[0] if rows else 'no writer'}"
        subprocess.run(
            as_pg(
                [
                    pg_tool("pg_ctl"),
                    "-D",
                    pg["data"],
                    "-l",
                    pg["log"],
                    "-m",
                    "immediate",
                    "-w",
                    "-t",
                    "120",
                    "restart",
                ]
            ),
            check=True,
            capture_output=True,
            cwd="/",
        )
        fault = (
            f"pg_ctl restart -m immediate (server crash and recovery, back after "
            f"{time.monotonic() - fault_at:.1f} s)"
        )
    proc.wait(timeout=300)
    out = log.read_text()
    after = _grid_state(env)
    say(
        f"import fault: {fault} {fault_at - seen:.1f} s after the writes began; import exit "
        f"{proc.returncode}; state {'unchanged' if after == before else 'CHANGED'}"
    )
    rerun_start = time.monotonic()
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    rerun_seconds = time.monotonic() - rerun_start
    final = _grid_state(env)
    res = {
        "features": features,
        "fault": fault,
        "evidence": evidence,
        "writing_after_s": seen - started,
        "fault_after_writes_s": fault_at - seen,
        "import_exit": proc.returncode,
        "import_said": next((x for x in out.splitlines() if "Error: " in x), out[-200:])[:200],
        "before": before,
        "after": after,
        "unchanged": after == before,
        "rerun_exit": rerun.returncode,
        "rerun_seconds": rerun_seconds,
        "rerun_said": (rerun.stdout.strip().splitlines() or [rerun.stderr[-200:]])[-1][:300],
        "rerun_buildings": final["buildings"] - before["buildings"],
    }
    if journal is not None:
        res["journal_left"] = journal.exists()
    res["ok"] = (
        res["unchanged"]
        and proc.returncode != 0
        and rerun.returncode == 0
        and res["rerun_buildings"] == features - before["buildings"]
    )
    say(
        f"import fault: re-run exit {rerun.returncode} in {rerun_seconds:.0f} s, "
        f"+{res['rerun_buildings']} buildings"
    )
    return res
