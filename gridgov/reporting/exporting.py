"""A unit's members who have not reported in time, as CSV and Excel for sending to the unit
(stable English column keys, one row per member). Cells a spreadsheet would run as a formula
are neutralised."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils import timezone

from gridgov import spreadsheets
from gridgov.people.models import Member
from gridgov.reporting.selectors import Standing

HEADER = [
    "name",
    "gender",
    "phone",
    "kind",
    "unit_organisation",
    "standing",
    "standing_label",
    "submitted_on",
    "reported_on",
    "deadline",
    "reject_reason",
    "community",
    "compound",
    "building",
    "grid_code",
]


def _name(grid) -> str:
    return grid.name if grid is not None else ""


def rows(members: Iterable[Member]) -> Iterator[list]:
    """One row per member of a queryset annotated by selectors.with_standing."""
    for m in members:
        submitted = (
            timezone.localtime(m.report_submitted_at).date().isoformat()
            if m.report_submitted_at
            else ""
        )
        yield [
            m.name,
            m.get_gender_display(),
            m.phone,
            m.get_kind_display(),
            m.unit_organisation.name if m.unit_organisation_id else "",
            m.standing,
            str(Standing(m.standing).label),
            submitted,
            m.reported_on.isoformat() if m.reported_on else "",
            m.report_deadline.isoformat() if m.report_deadline else "",
            m.report_reject_reason,
            _name(m.community),
            _name(m.compound),
            _name(m.building),
            m.grid_code,
        ]


def as_csv(members: Iterable[Member]) -> str:
    return spreadsheets.as_csv(HEADER, rows(members))


def as_xlsx(members: Iterable[Member], *, title: str = "not_reported") -> bytes:
    return spreadsheets.as_xlsx([(title, HEADER, rows(members))])
