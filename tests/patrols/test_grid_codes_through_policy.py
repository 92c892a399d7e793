"""Grid codes are compared in one place: the policy (gridgov/accounts/policy.py and the
selectors behind it) and the grids app that keeps the code rule. A page that labels members
"living in the route's grid" asks ``policy.covers`` like every other comparison."""

import re
from pathlib import Path

import gridgov

ROOT = Path(gridgov.__file__).parent
ALLOWED = ("accounts/policy.py", "accounts/selectors.py", "grids/")
RAW = re.compile(r"code\)?\.startswith\(|\.startswith\([\w.]*code")


def test_no_raw_code_prefix_comparison_outside_the_policy():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(ALLOWED) or "/migrations/" in rel:
            continue
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if RAW.search(text):
                found.append(f"{rel}:{number}: {text.strip()}")
    assert found == []
