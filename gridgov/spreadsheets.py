"""Tables out as CSV and Excel, for every list a user can download (plans, reporting,
quarterly reports). Column keys are stable English names; cells a spreadsheet would run as a
formula are neutralised (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """A text cell a spreadsheet shows as text: a leading quote before a formula start."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def as_csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """UTF-8 CSV text (the caller adds a BOM if Excel is to open it directly)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe(v) for v in row])
    return out.getvalue()


def as_xlsx(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """A workbook with one sheet per (title, header, rows); titles cut to Excel's 31."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(list(header))
        for row in rows:
            ws.append([safe(v) for v in row])
    if not wb.sheetnames:
        wb.create_sheet("empty")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(body: str | bytes, *, name: str, fmt: str):
    """A file to save: CSV text (with a BOM, so that Excel reads UTF-8) or an .xlsx
    workbook; ``name`` without its extension."""
    from django.http import HttpResponse

    if fmt == "csv":
        response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(body, content_type=XLSX_TYPE)
    else:
        raise ValueError(f"unknown table format {fmt!r}")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
