"""Shared pieces of the benchmarks: timed subprocesses, cache fingerprints, doc blocks."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "PERFORMANCE.md"
MANAGE = [sys.executable, str(ROOT / "manage.py")]


@dataclass
class Run:
    seconds: float
    mib: float  # peak memory of the process (max RSS from wait4)
    out: str


def run(cmd: list[str], env: dict[str, str], *, check: bool = True) -> Run | None:
    """Run a command; its wall time, peak memory (max RSS from wait4) and output.

    A failure exits the benchmark, or with ``check=False`` returns None."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        if check:
            sys.exit(f"{' '.join(cmd)} failed:\n{out}")
        print(f"  ({' '.join(cmd[:3])} ... failed: {out.strip().splitlines()[-1:]})", flush=True)
        return None
    return Run(seconds, usage.ru_maxrss / 1024, out)


def manage(args: list[str], env: dict[str, str]) -> Run:
    return run([*MANAGE, *args], env)


def fingerprint(scale: str, seed: int) -> str:
    """What the demo data depend on: the demo builder, the synthetic geometry, scale and seed.
    A cached database with another fingerprint is rebuilt. (Schema changes alone do not
    invalidate it: a reused database is migrated forward, and rebuilt if that fails.)"""
    h = hashlib.sha256(f"{scale}:{seed}".encode())
    files = sorted(
        [
            *ROOT.glob("gridgov/demo/*.py"),
            *ROOT.glob("gridgov/demo/management/commands/*.py"),
            ROOT / "geodata" / "synth.py",
        ]
    )
    for f in files:
        if f.exists():
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def try_run(cmd: list[str], env: dict[str, str]) -> Run | None:
    """Like run, but None instead of exiting when the command fails."""
    return run(cmd, env, check=False)


def load_note() -> str:
    """The 1-minute load average and the busiest other processes, to judge noise."""
    load = os.getloadavg()[0]
    try:
        ps = subprocess.run(
            ["ps", "-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.splitlines()
    except OSError:
        ps = []
    busy = [" ".join(line.split()) for line in ps[:8] if float(line.split()[0]) >= 20.0]
    return f"load {load:.2f}" + (f" (busy: {', '.join(busy)})" if busy else "")


def write_block(name: str, body: list[str]) -> None:
    """Replace (or append) the marker-delimited block ``name`` in docs/PERFORMANCE.md."""
    block = "\n".join([f"<!-- bench:{name} -->", *body, f"<!-- /bench:{name} -->"])
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S
    )
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text)


def mib(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:.1f} MiB"
