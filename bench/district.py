"""Benchmark: build and locate a generated district, one backend per run.

    .venv/bin/python bench/district.py --scale district [--database-url URL] [--write]

Each step runs as its own ``manage.py`` process so that its wall time and peak memory (max
RSS, from wait4) are its own. With --write the results replace this backend's block in
docs/PERFORMANCE.md. bench/run.sh runs it on SpatiaLite and on a throwaway PostGIS.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "PERFORMANCE.md"


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run manage.py with args; return (seconds, peak MiB, last output line)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{out}")
    lines = [line for line in out.strip().splitlines()
             if line.strip() and not line.lstrip().startswith("login:")]
    return seconds, usage.ru_maxrss / 1024, " / ".join(lines[-2:]).replace("|", "/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["street", "district"], default="district")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--write", action="store_true", help="update docs/PERFORMANCE.md")
    opts = parser.parse_args()

    env = dict(os.environ, GRIDGOV_SECRET_KEY=os.environ.get("GRIDGOV_SECRET_KEY", "bench"))
    if opts.database_url:
        env["DATABASE_URL"] = opts.database_url
    else:
        db = ROOT / "var" / f"bench-{opts.scale}.sqlite3"
        db.parent.mkdir(exist_ok=True)
        db.unlink(missing_ok=True)
        env["DATABASE_URL"] = f"spatialite:///{db}"
    backend = "postgis" if env["DATABASE_URL"].startswith("postgis") else "spatialite"

    steps = [("migrate", ["migrate", "-v0"])]
    steps.append((f"load_demo --scale {opts.scale}",
                  ["load_demo", "--scale", opts.scale, "--seed", str(opts.seed), "--reset"]))
    steps.append(("locate_people --engine python", ["locate_people", "--engine", "python"]))
    if backend == "postgis":
        steps.append(("locate_people --engine sql", ["locate_people", "--engine", "sql"]))
    rows = []
    for label, args in steps:
        seconds, mib, tail = run(args, env)
        rows.append(f"| {label} | {seconds:.1f} s | {mib:.0f} MiB | {tail} |")
        print(rows[-1], flush=True)

    block = "\n".join([
        f"<!-- bench:{opts.scale}:{backend} -->",
        f"### {opts.scale} scale on {backend}",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, "
        f"with `bench/run.sh --scale {opts.scale}`.",
        "",
        "| step | wall time | peak memory (max RSS) | output |",
        "|---|---|---|---|",
        *rows,
        f"<!-- /bench:{opts.scale}:{backend} -->",
    ])
    if opts.write:
        text = DOC.read_text() if DOC.exists() else "# Performance\n"
        pattern = re.compile(
            rf"<!-- bench:{opts.scale}:{backend} -->.*?<!-- /bench:{opts.scale}:{backend} -->",
            re.S)
        if pattern.search(text):
            text = pattern.sub(block, text)
        else:
            text = text.rstrip() + "\n\n" + block + "\n"
        DOC.write_text(text)


if __name__ == "__main__":
    main()
