"""Proof 2: locust, headless, against gunicorn on loopback (users in locustfile.py).

Users are started at a fixed rate until all are running, then run together for the
measured time; the figures cover the whole run (ramp included). Per endpoint: requests,
failures, median, p95, p99, requests per second (locust's CSV); every failure with its
count (locust's failures CSV); and the server's own count of answers by status class.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from collections import Counter
from pathlib import Path

from proofkit import HERE, Server, say

# The locust name of a logged request (method, path), to set the server's own time per
# request (no queueing) beside what the users saw.
ROUTES = (
    ("GET", "/map/grid/", "grid dashboard"),
    ("GET", "/find/", "finder /find/?q="),
    ("GET", "/api/v1/locate/", "/api/v1/locate/"),
    ("GET", "/api/v1/grids/", "/api/v1/grids/?level=1"),
    ("GET", "/open311/v2/services.json", "/open311/v2/services.json"),
    ("GET", "/accounts/login/", "login (form)"),
    ("POST", "/accounts/login/", "login (post)"),
)


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] * 1000 if values else 0.0


def _server_times(logged: list[tuple[str, int, float, str]]) -> dict[str, dict]:
    times: dict[str, list[float]] = {}
    for method, _status, seconds, path in logged:
        for m, prefix, name in ROUTES:
            if method == m and path.startswith(prefix):
                times.setdefault(name, []).append(seconds)
                times.setdefault("all", []).append(seconds)
                break
    return {
        name: {"median_ms": _pct(v, 0.5), "p95_ms": _pct(v, 0.95), "busy_s": sum(v)}
        for name, v in times.items()
    }


def _num(v: str) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


def run(
    server: Server,
    fixtures: dict,
    venv: Path,
    work: Path,
    *,
    users: int,
    spawn_rate: float,
    seconds: int,
    wait: str,
) -> dict:
    fix_file = work / "fixtures.json"
    fix_file.write_text(json.dumps(fixtures, ensure_ascii=False))
    ramp = users / spawn_rate
    total = int(round(ramp + seconds))
    prefix = work / "locust"
    cmd = [
        str(venv / "bin" / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{total}s",
        "--host",
        server.url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "30",
        "--loglevel",
        "WARNING",
    ]
    env = dict(os.environ, PROOF_FIXTURES=str(fix_file), PROOF_WAIT=wait)
    first_line = server.log_lines()
    say(
        f"locust: {users} users (+{spawn_rate:g}/s, {ramp:.0f} s ramp) for {total} s, "
        f"wait {wait} s between requests"
    )
    proc = subprocess.run(cmd, env=env, cwd=work, capture_output=True, text=True, check=False)
    (work / "locust.log").write_text(proc.stdout + proc.stderr)
    rows = []
    stats_file = Path(f"{prefix}_stats.csv")
    for row in csv.DictReader(stats_file.open()) if stats_file.exists() else []:
        rows.append(
            {
                "name": row["Name"] if row["Name"] != "Aggregated" else "all",
                "method": row["Type"],
                "requests": int(_num(row["Request Count"])),
                "failures": int(_num(row["Failure Count"])),
                "median_ms": _num(row["50%"]),
                "p95_ms": _num(row["95%"]),
                "p99_ms": _num(row["99%"]),
                "max_ms": _num(row["Max Response Time"]),
                "rps": _num(row["Requests/s"]),
            }
        )
    failures = []
    fail_file = Path(f"{prefix}_failures.csv")
    for row in csv.DictReader(fail_file.open()) if fail_file.exists() else []:
        failures.append(
            {
                "method": row["Method"],
                "name": row["Name"],
                "error": row["Error"][:300],
                "count": int(_num(row["Occurrences"])),
            }
        )
    logged = server.requests_since(first_line)
    by_class = Counter(f"{status // 100}xx" for _m, status, _s, _p in logged)
    server_times = _server_times(logged)
    for r in rows:
        r["server"] = server_times.get(r["name"])
    total_row = next((r for r in rows if r["name"] == "all"), None)
    res = {
        "users": users,
        "spawn_rate": spawn_rate,
        "seconds": total,
        "wait": wait,
        "exit": proc.returncode,
        "endpoints": rows,
        "failures": failures,
        "server_by_class": dict(sorted(by_class.items())),
        "command": " ".join(cmd)
        .replace(server.url, "http://127.0.0.1:PORT")
        .replace(str(work), "$WORK")
        .replace(str(HERE), "bench/proof"),
    }
    if total_row:
        say(
            f"locust: {total_row['requests']} requests, {total_row['failures']} failures, "
            f"median {total_row['median_ms']:.0f} ms, p95 {total_row['p95_ms']:.0f} ms, "
            f"{total_row['rps']:.1f}/s"
        )
    else:
        tail = (proc.stdout + proc.stderr)[-2000:]
        say(f"locust: no statistics (exit {proc.returncode}):\n{tail}")
    return res
