"""The planning lists as rows for CSV and Excel (stable English column keys, one row per
compound or building). Cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

from collections.abc import Iterator

from gridgov import spreadsheets
from gridgov.planning.selectors import PlanningLists

HEADER = ["list", "code", "name", "compound_code", "community_code", "number"]
SHEETS = {
    "eligible": "eligible_compound",
    "unled": "unled_building",
    "no_contact": "building_without_contact",
}


def rows(lists: PlanningLists) -> Iterator[tuple[str, list]]:
    """(sheet key, row) for every item: eligible compounds with their formal-member count,
    unled buildings of branched compounds, buildings without a member contact."""
    for r in lists.eligible:
        yield (
            "eligible",
            [
                SHEETS["eligible"],
                r["code"],
                r["name"],
                r["code"],
                r["community"],
                r["formal_members"],
            ],
        )
    for r in lists.unled:
        for b in r["buildings"]:
            yield (
                "unled",
                [
                    SHEETS["unled"],
                    b.code,
                    b.name,
                    r["code"],
                    r["grid"].parent.code if r["grid"].parent_id else "",
                    None,
                ],
            )
    for b in lists.no_contact:
        parent = b.parent
        yield (
            "no_contact",
            [
                SHEETS["no_contact"],
                b.code,
                b.name,
                parent.code,
                parent.parent.code if parent.parent_id else "",
                None,
            ],
        )


def as_csv(lists: PlanningLists) -> str:
    return spreadsheets.as_csv(HEADER, (row for _sheet, row in rows(lists)))


def as_xlsx(lists: PlanningLists) -> bytes:
    """One sheet per list, each with the header, even when empty."""
    by_sheet: dict[str, list] = {key: [] for key in SHEETS}
    for key, row in rows(lists):
        by_sheet[key].append(row)
    return spreadsheets.as_xlsx((key, HEADER, found) for key, found in by_sheet.items())
