"""Write the proofs' figures (var/proof-<backend>.json) into docs/RELIABILITY.md.

    .venv/bin/python bench/proof/report.py --write [--command "make proof"] [--backends both]

Only the marker-delimited blocks (<!-- proof:NAME --> ... <!-- /proof:NAME -->) are
rewritten; the prose around them is kept. Exits 1 when a goal of the backends just run is
missed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "RELIABILITY.md"
BACKENDS = {"spatialite": "SpatiaLite", "postgis": "PostGIS"}
SCHEMA_CHECKS = (
    "response_schema_conformance",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
)


def write_block(name: str, body: list[str]) -> None:
    """Replace (or append) the block ``name`` (the pattern of bench/common.write_block)."""
    block = "\n".join([f"<!-- proof:{name} -->", *body, f"<!-- /proof:{name} -->"])
    text = DOC.read_text() if DOC.exists() else "# Reliability\n"
    pattern = re.compile(
        rf"<!-- proof:{re.escape(name)} -->.*?<!-- /proof:{re.escape(name)} -->", re.S
    )
    text = (
        pattern.sub(lambda _m: block, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + block + "\n"
    )
    DOC.write_text(text)


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def goals(r: dict) -> list[tuple[str, str, bool | None]]:
    """(goal, figure, met) for one backend's results."""
    out: list[tuple[str, str, bool | None]] = []
    f = r.get("fuzz")
    if f:
        violations = [x for x in f["failures"] if x["check"] in SCHEMA_CHECKS]
        five = sum(f["server_errors"].values())
        out += [
            (
                "schemathesis: ≥ 2,000 generated test cases",
                f"{f['generated']:,} ({f['requests']:,} requests logged by the server)",
                f["generated"] >= 2000,
            ),
            ("schemathesis: zero 5xx", f"{five}", five == 0),
            (
                "schemathesis: zero schema violations (response schema, status code, "
                "content type, headers)",
                f"{len(violations)} distinct ({sum(x['count'] for x in violations):,} cases)",
                not violations,
            ),
        ]
    ld = r.get("load")
    if ld:
        total = next((e for e in ld["endpoints"] if e["name"] == "all"), None)
        if total:
            out += [
                (
                    f"load: zero errors ({ld['users']} users, {ld['seconds']} s)",
                    f"{total['failures']} of {total['requests']:,}",
                    total["failures"] == 0,
                ),
                (
                    "load: p95 / p99 (all requests)",
                    f"{total['p95_ms']:,.0f} ms / {total['p99_ms']:,.0f} ms, "
                    f"{total['rps']:.1f} requests/s",
                    None,
                ),
            ]
        else:
            out.append(("load: zero errors", "no statistics (locust failed)", False))
    k = r.get("worker_kill")
    if k:
        out.append(
            (
                "fault: a killed worker loses no acknowledged write",
                f"{k['killed']} workers killed; {k['acknowledged']} acknowledged, "
                f"{k['found']} found, {len(k['missing'])} lost",
                k["ok"],
            )
        )
        fives = sum(v for s, v in k["outcomes"].items() if s.startswith("5"))
        out.append(
            (
                "fault: the concurrent POSTs answered without 5xx",
                f"{fives} of {k['posted']} answered 5xx",
                fives == 0,
            )
        )
    a = r.get("import_abort")
    if a:
        figure = (
            f"{a['fault']}, {a.get('fault_after_writes_s', 0):.1f} s into the writes; "
            f"state {'unchanged' if a.get('unchanged') else 'CHANGED'}; re-run "
            f"{'imported' if a.get('rerun_exit') == 0 else 'failed'}"
            if "fault" in a
            else a.get("error", "?")
        )
        out.append(("fault: an import cut off mid-write leaves nothing", figure, a["ok"]))
    return out


def summary(results: dict[str, dict], command: str) -> list[str]:
    names = [b for b in BACKENDS if b in results]
    lines = [
        "## Results",
        "",
        f"Command: `{command}`. Each backend's column was measured on the date in its "
        "details below.",
        "",
        "| goal | " + " | ".join(BACKENDS[b] for b in names) + " |",
        "|---|" + "---|" * len(names),
    ]
    rows: dict[str, dict[str, str]] = {}
    for b in names:
        for goal, figure, ok in goals(results[b]):
            rows.setdefault(goal, {})[b] = figure + ("" if ok is None else f" {mark(ok)}")
    for goal, cells in rows.items():
        lines.append(f"| {goal} | " + " | ".join(cells.get(b, "—") for b in names) + " |")
    return lines


def details(r: dict) -> list[str]:
    name = BACKENDS[r["backend"]]
    demo = ", ".join(f"{k} {v:,}" for k, v in r.get("demo", {}).items())
    lines = [
        f"### {name}: details",
        "",
        f"Measured {r['date']} on {r['machine']}, {r['cores']} cores, {r['ram_gib']} GiB "
        f"RAM, Python {r['python']} (tools: {r.get('tools_python', '?')}); the machine was "
        "shared with other work: "
        f"{r['load_before']} before, {r.get('load_during', '—')} during the load test, "
        f"{r['load_after']} after. Whole run {r['seconds'] / 60:.1f} min.",
        "",
        f"Street-scale demo ({demo}); server `{r['server']}`.",
        "",
    ]
    f = r.get("fuzz")
    if f:
        lines += [
            f"**schemathesis** ({f['seconds']:.0f} s): {f['generated']:,} test cases "
            f"generated, {f['requests']:,} requests answered by the server: "
            + ", ".join(f"{k} {v:,}" for k, v in f["by_class"].items())
            + (f"; 5xx: {f['server_errors']}" if f["server_errors"] else "; no 5xx")
            + (f"; exceptions logged: {f['exceptions']}" if f.get("exceptions") else "")
            + ".",
            "",
            "| run | test cases | distinct failures | seconds | errors |",
            "|---|---|---|---|---|",
        ]
        for run_name, x in f["runs"].items():
            lines.append(
                f"| {run_name} | {x['generated']:,} | {x['unique_failures']} | "
                f"{(x['seconds'] or 0):.0f} | {', '.join(x['errors']) or '—'} |"
            )
        lines += [
            "",
            "Distinct failures by check: "
            + (", ".join(f"{k} {v}" for k, v in f["by_check"].items()) or "none")
            + ".",
            "",
            "Commands (PORT, WORK and the secrets replaced):",
            "",
        ]
        lines += [f"    {x['command']}" for x in f["runs"].values()][:3]
        lines.append("")
    ld = r.get("load")
    if ld:
        lines += [
            f"**locust**: {ld['users']} users, started {ld['spawn_rate']:g} a second, "
            f"{ld['seconds']} s in all, each waiting {ld['wait']} s between requests; "
            "server answers: "
            + ", ".join(f"{k} {v:,}" for k, v in ld["server_by_class"].items())
            + ".",
            "",
            "Median to p99 are what the users saw (queueing included); the last two columns "
            "are the server's own time per request (gunicorn's access log: median / "
            "p95), which shows how much of the latency was waiting for a free worker, "
            "and each endpoint's share of the workers' busy time.",
            "",
            "| endpoint | requests | failures | median | p95 | p99 | max | req/s "
            "| server time | share |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        busy = max((e.get("server") or {}).get("busy_s", 0) for e in ld["endpoints"]) or 1
        for e in ld["endpoints"]:
            bold = "**" if e["name"] == "all" else ""
            srv = e.get("server")
            server = (
                (f"{srv['median_ms']:,.0f} / {srv['p95_ms']:,.0f} ms | {srv['busy_s'] / busy:.0%}")
                if srv
                else "— | —"
            )
            lines.append(
                f"| {bold}{e['name']}{bold} | {e['requests']:,} | {e['failures']} | "
                f"{e['median_ms']:,.0f} ms | {e['p95_ms']:,.0f} ms | "
                f"{e['p99_ms']:,.0f} ms | {e['max_ms']:,.0f} ms | {e['rps']:.1f} | "
                f"{server} |"
            )
        for x in ld["failures"]:
            lines.append(f"- failure: {x['method']} {x['name']}: {x['error']} (× {x['count']})")
        if ld.get("exceptions"):
            lines.append(f"- server exceptions: {ld['exceptions']}")
        lines.append("")
    k = r.get("worker_kill")
    if k:
        lines += [
            f"**killed worker**: {k['threads']} threads posting Open311 requests for "
            f"{k['seconds']:.0f} s, {k['killed']} workers killed (SIGKILL) at even "
            f"intervals, gunicorn replaced them: {mark(k['respawned'])}. "
            f"{k['posted']} posted; outcomes {k['outcomes']}; {k['acknowledged']} "
            f"acknowledged (201 with a service_request_id), {k['found']} of them in the "
            f"database, {len(k['missing'])} lost, {k['duplicates']} duplicate ids; "
            f"{k['written_not_acknowledged']} written but not acknowledged (cut off "
            "by the kill after the commit)."
            + (f" Server exceptions: {k['exceptions']}." if k.get("exceptions") else ""),
            "",
        ]
    a = r.get("import_abort")
    if a and "fault" in a:
        b, af = a["before"], a["after"]
        lines += [
            f"**import cut off**: `import_grids` of {a['features']:,} building features; "
            f"writing began {a['writing_after_s']:.1f} s after start ({a['evidence']}); "
            f"fault: {a['fault']}, {a['fault_after_writes_s']:.1f} s later; the import "
            f"exited {a['import_exit']} (`{a['import_said'][:120] or 'no output'}`). "
            "Before → after: "
            f"grids {b['grids']:,} → {af['grids']:,}, versions {b['versions']} → "
            f"{af['versions']}, audit rows {b['audit']:,} → {af['audit']:,}, content "
            f"hash {'identical' if b['sha256'] == af['sha256'] else 'DIFFERENT'}. "
            f"The same import run again: exit {a['rerun_exit']} in "
            f"{a['rerun_seconds']:.0f} s, +{a['rerun_buildings']:,} buildings "
            f"(`{a['rerun_said'][:160]}`).",
            "",
        ]
    elif a:
        lines += [f"**import cut off**: not measured: {a.get('error')}", ""]
    return lines


def findings(results: dict[str, dict]) -> list[str]:
    """Every distinct failure, grouped by operation and check, with one curl each."""
    groups: dict[tuple[str, str], dict] = {}
    for b, r in results.items():
        for f in (r.get("fuzz") or {}).get("failures", []):
            g = groups.setdefault(
                (f["operation"] or "?", f["check"] or "?"),
                {
                    "backends": set(),
                    "items": {},
                    "curl": f["curl"],
                    "code": f["code"],
                    "response": f.get("response", ""),
                },
            )
            g["backends"].add(BACKENDS[b])
            item = g["items"].setdefault((f["status"], f["message"]), 0)
            g["items"][(f["status"], f["message"])] = item + f["count"]
    lines = [
        "## Found, to fix",
        "",
        "Failures found by the runs above (the API's owners fix them; the proofs only "
        "report). Reproduce against a server started as the proof starts it, with "
        "`KEY` an API key of read + Open311 POST scope and `SESSION` the session cookie of "
        "the demo street administrator.",
        "",
    ]
    for r in results.values():
        k = r.get("worker_kill") or {}
        fives = {s: v for s, v in k.get("outcomes", {}).items() if s.startswith("5")}
        if fives:
            lines += [
                f"- **Open311 POST under concurrent writers on "
                f"{BACKENDS[r['backend']]}**: {sum(fives.values())} of {k['posted']} "
                f"POSTs from {k['threads']} threads answered 500; the server logged "
                f"{k.get('exceptions') or 'no exception'}.",
                "",
            ]
    if not groups:
        lines.append("Nothing from schemathesis.")
        return lines
    lines += ["| operation | check | status: what (cases) | backends |", "|---|---|---|---|"]
    for (op, check), g in sorted(groups.items()):
        what = "; ".join(
            f"{s}: {m.replace('|', '/')[:90]} ({n})"
            for (s, m), n in sorted(g["items"].items(), key=lambda i: str(i))
        )
        lines.append(
            f"| `{op}` | {check} ({g['code']}) | {what} | {', '.join(sorted(g['backends']))} |"
        )
    lines += ["", "One reproduction per row:", ""]
    for (op, check), g in sorted(groups.items()):
        answer = f" — answered: `{g['response'][:150]}`" if g["response"] else ""
        lines += [f"- `{op}` {check}{answer}", "", f"      {g['curl'][:600]}", ""]
    return lines


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--write", action="store_true")
    p.add_argument("--command", default="bash bench/proof/run.sh")
    p.add_argument("--backends", default="both")
    opts = p.parse_args()
    results = {}
    for b in BACKENDS:
        f = ROOT / "var" / f"proof-{b}.json"
        if f.exists():
            results[b] = json.loads(f.read_text())
    if not results:
        sys.exit("no results in var/proof-*.json")
    if opts.write:
        write_block("summary", summary(results, opts.command))
        for b in BACKENDS:
            if b in results:
                write_block(b, details(results[b]))
        write_block("findings", findings(results))
    ran = [b for b in BACKENDS if opts.backends in ("both", b) and b in results]
    missed = [(b, g) for b in ran for g, _f, ok in goals(results[b]) if ok is False]
    for b, g in missed:
        print(f"proof: goal missed on {BACKENDS[b]}: {g}")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
