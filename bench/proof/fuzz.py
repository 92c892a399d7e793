"""Proof 1: schemathesis against /api/schema/, every check, three runs side by side.

- ``key``: every operation with the API key (X-Api-Key: read + Open311 POST), the examples,
  coverage and fuzzing phases;
- ``key-stateful``: the stateful phase with the key (links between operations: a request
  created by POST is read back by its id...);
- ``session``: the /api/v1/ operations signed in as the street administrator (``demo``),
  whom the key's read scope does not reach: residents, cases, patrol routes.

Each has the same time budget (schemathesis --max-time: fuzzing repeats until it is spent).
The figures: schemathesis' own count of generated test cases, and the requests the server
logged (every one, including the extra requests checks send), by status class; the failures
from the NDJSON event stream, each with a curl line (the key replaced by $KEY, the session
cookie by $SESSION).
"""

from __future__ import annotations

import base64
import json
import shlex
import subprocess
import time
from collections import Counter
from pathlib import Path

from proofkit import Server, login_cookie, say

SEED = 2026
LATER_ROUND = 150  # seconds


def _runs(key: str, cookie: str, first: bool) -> dict[str, list[str]]:
    """The runs of a round: the first with every phase, later ones fuzzing and stateful only
    (the examples and coverage phases are deterministic: repeating them adds nothing)."""
    phases = "examples,coverage,fuzzing" if first else "fuzzing"
    return {
        "key": ["-H", f"X-Api-Key: {key}", "--phases", phases, "--workers", "2"],
        "key-stateful": ["-H", f"X-Api-Key: {key}", "--phases", "stateful"],
        "session": [
            "-H",
            f"Cookie: {cookie}",
            "--include-path-regex",
            "^/api/v1/",
            "--phases",
            phases,
            "--workers",
            "2",
        ],
    }


def _curl(interaction: dict, secrets: dict[str, str]) -> str:
    req = interaction.get("request") or {}
    parts = ["curl", "-X", req.get("method", "GET")]
    for name, values in (req.get("headers") or {}).items():
        if name.lower() in (
            "user-agent",
            "accept-encoding",
            "accept",
            "connection",
            "x-schemathesis-testcaseid",
            "content-length",
        ):
            continue
        for v in values:
            parts += ["-H", f"{name}: {v}"]
    body = req.get("body")
    if isinstance(body, dict) and "$base64" in body:
        body = base64.b64decode(body["$base64"]).decode("utf-8", "replace")
    if body:
        parts += ["--data-binary", body]
    parts.append(req.get("uri", ""))
    line = " ".join(shlex.quote(p) for p in parts)
    for secret, name in secrets.items():
        line = line.replace(secret, name)
    return line


def _normal(message: str) -> str:
    """The failure message without the response data it quotes (for grouping)."""
    for marker in (" is not of type ", " is not one of ", " is not valid under "):
        if message[:1] in "[{" and marker in message:
            return "<response>" + message[message.index(marker) :]
    return message


def _body(interaction: dict) -> str:
    content = (interaction.get("response") or {}).get("content") or {}
    raw = content.get("$base64") if isinstance(content, dict) else None
    text = base64.b64decode(raw).decode("utf-8", "replace") if raw else ""
    return " ".join(text.split())[:200]


def _failures(ndjson: Path, run: str, secrets: dict[str, str]) -> list[dict]:
    """Every failed check of the run: operation, check, code, title, the message's first
    line and a curl reproduction."""
    out = []
    if not ndjson.exists():
        return out
    for line in ndjson.open(errors="replace"):
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished or finished.get("status") != "failure":
            continue
        rec = finished.get("recorder") or {}
        for case_id, checks in (rec.get("checks") or {}).items():
            for check in checks:
                info = (check.get("failure_info") or {}).get("failure")
                if check.get("status") != "failure" or not info:
                    continue
                message = (info.get("message") or "").strip().splitlines()
                interaction = (rec.get("interactions") or {}).get(case_id) or {}
                status = (interaction.get("response") or {}).get("status_code")
                first = message[0] if message else ""
                for secret, name in secrets.items():
                    first = first.replace(secret, name)
                out.append(
                    {
                        "run": run,
                        "operation": info.get("operation") or rec.get("label"),
                        "check": check.get("name"),
                        "code": info.get("code"),
                        "title": info.get("title"),
                        "message": _normal(first)[:240],
                        "status": status,
                        "response": _body(interaction),
                        "curl": _curl(interaction, secrets),
                    }
                )
    return out


def unique(failures: list[dict]) -> list[dict]:
    """One entry per (operation, check, status, message), counted; the first curl kept."""
    seen: dict[tuple, dict] = {}
    for f in failures:
        k = (f["operation"], f["check"], f["status"], f["message"])
        if k in seen:
            seen[k]["count"] += 1
        else:
            seen[k] = dict(f, count=1)
    return sorted(seen.values(), key=lambda f: (f["operation"] or "", f["code"] or ""))


def _start(
    name: str, args: list[str], schema: str, venv: Path, work: Path, seconds: int, seed: int
) -> tuple[subprocess.Popen, list[str], Path]:
    out_dir = work / f"st-{name}-{seed}"
    cmd = [
        str(venv / "bin" / "schemathesis"),
        "run",
        schema,
        "--checks",
        "all",
        "--max-examples",
        "100000",
        "--max-time",
        str(seconds),
        "--seed",
        str(seed),
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "60",
        "--report",
        "json,ndjson",
        "--report-dir",
        str(out_dir),
        "--report-json-path",
        str(out_dir / "report.json"),
        "--report-ndjson-path",
        str(out_dir / "events.ndjson"),
        "--output-sanitize",
        "false",
        "--no-color",
        *args,
    ]
    log = (work / f"st-{name}-{seed}.log").open("w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    return proc, cmd, out_dir


def _round(
    server: Server,
    fixtures: dict,
    cookie: str,
    venv: Path,
    work: Path,
    seconds: int,
    seed: int,
    first: bool,
    secrets: dict[str, str],
) -> tuple[dict, list[dict]]:
    schema = f"{server.url}/api/schema/"
    started = {
        name: _start(name, args, schema, venv, work, seconds, seed)
        for name, args in _runs(fixtures["key"], cookie, first).items()
    }
    runs, failures = {}, []
    for name, (proc, cmd, out_dir) in started.items():
        proc.wait()
        report_file = out_dir / "report.json"
        report = json.loads(report_file.read_text()) if report_file.exists() else {}
        cases = report.get("test_cases", {})
        command = " ".join(shlex.quote(c) for c in cmd)
        for secret, placeholder in secrets.items():
            command = command.replace(secret, placeholder)
        runs[f"{name} (seed {seed})"] = {
            "exit": proc.returncode,
            "generated": cases.get("generated", 0),
            "with_failures": cases.get("with_failures", 0),
            "unique_failures": cases.get("unique_failures", 0),
            "operations": report.get("operations", {}).get("tested", 0),
            "errors": [e.get("title") for e in report.get("errors", [])],
            "warnings": {k: v for k, v in (report.get("warnings") or {}).items() if v},
            "seconds": report.get("running_time"),
            "command": command.replace(server.url, "http://127.0.0.1:$PORT")
            .replace(str(work), "$WORK")
            .replace(str(venv), "var/proof-venv"),
        }
        failures += _failures(out_dir / "events.ndjson", name, secrets)
        if not report:
            tail = (work / f"st-{name}-{seed}.log").read_text()[-2000:]
            runs[f"{name} (seed {seed})"]["errors"].append(f"no report; log tail: {tail}")
    return runs, failures


def run(
    server: Server, fixtures: dict, venv: Path, work: Path, *, seconds: int, target: int, cap: int
) -> dict:
    """Rounds of the three runs until schemathesis generated ``target`` test cases or
    ``cap`` seconds went by: the first round ``seconds`` long, the next ones as long as the
    rate so far says the target needs."""
    cookie = login_cookie(server.url, fixtures["admin"]["username"], fixtures["password"])
    secrets = {fixtures["key"]: "$KEY", cookie.split("=", 1)[1]: "$SESSION"}
    first_line = server.log_lines()
    exceptions_before = server.exceptions()
    started = time.monotonic()
    runs: dict = {}
    failures: list[dict] = []
    budget, seed = seconds, SEED
    done_before, round_start = 0, started
    while True:
        say(f"schemathesis: 3 runs of {budget} s side by side (seed {seed})")
        r, f = _round(server, fixtures, cookie, venv, work, budget, seed, seed == SEED, secrets)
        runs.update(r)
        failures += f
        generated = sum(x["generated"] for x in runs.values())
        elapsed = time.monotonic() - started
        say(f"schemathesis: {generated} test cases generated so far, {elapsed:.0f} s")
        left = cap - elapsed
        if generated >= target or left < 30:
            break
        # The rate of the last round (later rounds skip the slow coverage phase), at most
        # LATER_ROUND seconds a round.
        rate = (generated - done_before) / max(time.monotonic() - round_start, 1.0)
        need = (target - generated) / max(rate, 0.1)
        budget, seed = int(min(left, need * 1.15 + 15, LATER_ROUND)), seed + 1
        done_before, round_start = generated, time.monotonic()
    wall = time.monotonic() - started
    logged = server.requests_since(first_line)
    by_class = Counter(f"{status // 100}xx" for _m, status, _s, _p in logged)
    server_errors = Counter(f"{m} {p} {s}" for m, s, _t, p in logged if s >= 500)
    exceptions = {
        k: v - exceptions_before.get(k, 0)
        for k, v in server.exceptions().items()
        if v > exceptions_before.get(k, 0)
    }
    uniq = unique(failures)
    for f in uniq:
        f["curl"] = f["curl"].replace(server.url, "http://127.0.0.1:$PORT")
    res = {
        "seconds": wall,
        "target": target,
        "generated": sum(r["generated"] for r in runs.values()),
        "requests": len(logged),
        "by_class": dict(sorted(by_class.items())),
        "server_errors": dict(server_errors.most_common()),
        "exceptions": exceptions,
        "runs": runs,
        "failures": uniq,
        "by_check": dict(Counter(f["check"] for f in uniq).most_common()),
    }
    say(
        f"schemathesis: {res['generated']} generated test cases, {res['requests']} requests "
        f"logged {res['by_class']}, {len(uniq)} distinct failures, "
        f"{sum(server_errors.values())} 5xx, {wall:.0f} s"
    )
    return res
