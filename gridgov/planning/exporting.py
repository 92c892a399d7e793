"""The planning lists as rows for CSV and Excel (stable English column keys, one row per
compound or building). Cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from gridgov.planning.selectors import PlanningLists

HEADER = ["list", "code", "name", "compound_code", "community_code", "number"]
SHEETS = {"eligible": "eligible_compound", "unled": "unled_building",
          "no_contact": "building_without_contact"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """A text cell a spreadsheet shows as text (OWASP CSV injection): prefix a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def rows(lists: PlanningLists) -> Iterator[tuple[str, list]]:
    """(sheet key, row) for every item: eligible compounds with their formal-member count,
    unled buildings of branched compounds, buildings without a member contact."""
    for r in lists.eligible:
        yield "eligible", [SHEETS["eligible"], r["code"], r["name"], r["code"],
                           r["community"], r["formal_members"]]
    for r in lists.unled:
        for b in r["buildings"]:
            yield "unled", [SHEETS["unled"], b.code, b.name, r["code"],
                            r["grid"].parent.code if r["grid"].parent_id else "", None]
    for b in lists.no_contact:
        parent = b.parent
        yield "no_contact", [SHEETS["no_contact"], b.code, b.name, parent.code,
                             parent.parent.code if parent.parent_id else "", None]


def as_csv(lists: PlanningLists) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for _sheet, row in rows(lists):
        writer.writerow([safe(v) if v is not None else "" for v in row])
    return out.getvalue()


def as_xlsx(lists: PlanningLists) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    sheets = {}
    for key in SHEETS:
        ws = wb.create_sheet(key)
        ws.append(HEADER)
        sheets[key] = ws
    for key, row in rows(lists):
        sheets[key].append([safe(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
