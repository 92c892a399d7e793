"""Thin report pages and their CSV / Excel downloads. Staff see the members and grids of
their scope only."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov import spreadsheets
from gridgov.accounts import policy
from gridgov.accounts.services import access_record
from gridgov.grids.models import Grid, Level
from gridgov.people.models import Member
from gridgov.reports import annual, periods, quarterly


def report_prefixes(user) -> list[str] | None:
    return policy.prefixes(user, policy.VIEW_REPORTS)


def reporter_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        prefixes = report_prefixes(request.user)
        if prefixes is not None and not prefixes:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _int(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Http404(_("%(name)s must be a number.") % {"name": name}) from None
    if not low <= value <= high:
        raise Http404(
            _("%(name)s must be between %(low)s and %(high)s.")
            % {"name": name, "low": low, "high": high}
        )
    return value


def _scope(request):
    """(members, grids to report on, chosen grid) inside the viewer's scope."""
    prefixes = report_prefixes(request.user)
    code = request.GET.get("grid", "").strip()
    if code:
        grid = Grid.objects.filter(code=code).first()
        if grid is None or not policy.covers(prefixes, code):
            raise Http404(_("No grid %(code)s in your scope.") % {"code": code})
        members = Member.objects.filter(grid_code__startswith=code)
        grids = list(grid.children.order_by("code")) or [grid]
        return members, grids, grid
    members = Member.objects.filter(policy.scope_q(prefixes))
    grids = Grid.objects.filter(level=Level.COMMUNITY).filter(policy.scope_q(prefixes, "code"))
    deeper = Grid.objects.filter(code__in=prefixes or [], level__gt=Level.COMMUNITY)
    return members, list(grids.order_by("code")) + list(deeper.order_by("code")), None


def _quarterly(request):
    this_year, this_quarter = periods.current_quarter()
    year = _int(request, "year", this_year, 2000, this_year + 1)
    q = _int(request, "quarter", this_quarter, 1, 4)
    period = periods.quarter(year, q)
    members, grids, grid = _scope(request)
    rows = quarterly.member_figures(members, period)
    return {
        "period": period,
        "year": year,
        "quarter": q,
        "grid": grid,
        "members": rows,
        "units": quarterly.unit_figures(rows),
        "grids": quarterly.grid_figures(grids, period),
    }


@reporter_required
def quarterly_page(request):
    data = _quarterly(request)
    data["years"] = range(timezone.localdate().year, timezone.localdate().year - 6, -1)
    return render(request, "reports/quarterly.html", data)


MEMBER_HEADER = [
    "name",
    "community",
    "grid_code",
    "kind",
    "unit",
    "hours",
    "activities",
    "self_organised",
    "posts",
    "cases_taken",
    "cases_resolved",
]
UNIT_HEADER = [
    "unit",
    "members",
    "reported",
    "hours",
    "hours_per_member",
    "activities",
    "cases_taken",
    "cases_resolved",
    "members_without_hours",
]
GRID_HEADER = [
    "code",
    "name",
    "cases_opened",
    "answered_in_time",
    "answered_in_time_pct",
    "median_first_response_minutes",
    "resolved",
    "closed",
    "open_now",
    "members",
    "member_hours",
]


def _member_rows(rows):
    for r in rows:
        m = r.member
        yield [
            m.name,
            m.community.name if m.community_id else "",
            m.grid_code,
            m.get_kind_display(),
            m.work_unit.name if m.work_unit_id else "",
            float(r.hours),
            r.activities,
            r.self_services,
            r.posts,
            r.cases_taken,
            r.cases_resolved,
        ]


def _unit_rows(units):
    for u in units:
        yield [
            u.unit,
            u.members,
            u.reported,
            float(u.hours),
            float(u.hours_per_member),
            u.activities,
            u.cases_taken,
            u.cases_resolved,
            "、".join(u.without_hours),
        ]


def _grid_rows(grids):
    for g in grids:
        yield [
            g.grid.code,
            g.grid.name,
            g.cases_opened,
            g.answered_in_time,
            g.answered_in_time_share,
            g.first_response_minutes,
            g.resolved,
            g.closed,
            g.open_now,
            g.members,
            float(g.hours),
        ]


def _log_export(request, name: str) -> None:
    """Members' names leave the system: who downloaded which file, when (personal.export)."""
    access_record(
        actor=request.user,
        action="personal.export",
        model=Member,
        what=f"{name} {request.get_full_path()}",
    )


@reporter_required
def quarterly_export(request, fmt: str):
    data = _quarterly(request)
    name = f"gridgov-{data['period'].label}" + (f"-{data['grid'].code}" if data["grid"] else "")
    if fmt == "xlsx" or request.GET.get("table", "members") != "grids":
        _log_export(request, f"{name}.{fmt}")
    if fmt == "xlsx":
        return spreadsheets.download(
            spreadsheets.as_xlsx(
                [
                    ("members", MEMBER_HEADER, _member_rows(data["members"])),
                    ("units", UNIT_HEADER, _unit_rows(data["units"])),
                    ("grids", GRID_HEADER, _grid_rows(data["grids"])),
                ]
            ),
            name=name,
            fmt=fmt,
        )
    table = request.GET.get("table", "members")
    choices = {
        "members": (MEMBER_HEADER, _member_rows(data["members"])),
        "units": (UNIT_HEADER, _unit_rows(data["units"])),
        "grids": (GRID_HEADER, _grid_rows(data["grids"])),
    }
    if table not in choices:
        raise Http404(_("table must be members, units or grids."))
    return spreadsheets.download(
        spreadsheets.as_csv(*choices[table]), name=f"{name}-{table}", fmt=fmt
    )


ANNUAL_HEADER = [
    "name",
    "community",
    "unit",
    "registered",
    "reported_in_time",
    "deadline",
    "hours",
    "target_hours",
    "qualified",
    "reasons",
]


def _annual(request):
    this_year = timezone.localdate().year
    year = _int(request, "year", this_year, 2000, this_year + 1)
    members, _grids, grid = _scope(request)
    return {"year": year, "grid": grid, "checks": annual.annual_checks(members, year)}


@reporter_required
def annual_page(request):
    data = _annual(request)
    data["years"] = range(timezone.localdate().year, timezone.localdate().year - 6, -1)
    data["qualified"] = sum(c.qualified for c in data["checks"])
    return render(request, "reports/annual.html", data)


@reporter_required
def annual_export(request, fmt: str):
    data = _annual(request)
    rows = (
        [
            c.member.name,
            c.member.community.name if c.member.community_id else "",
            c.member.work_unit.name if c.member.work_unit_id else "",
            c.registered,
            c.reported_in_time,
            c.deadline.isoformat() if isinstance(c.deadline, dt.date) else "",
            float(c.hours),
            float(c.target),
            c.qualified,
            "; ".join(c.reasons),
        ]
        for c in data["checks"]
    )
    name = f"gridgov-annual-{data['year']}"
    _log_export(request, f"{name}.{fmt}")
    if fmt == "xlsx":
        return spreadsheets.download(
            spreadsheets.as_xlsx([("annual", ANNUAL_HEADER, rows)]), name=name, fmt=fmt
        )
    return spreadsheets.download(spreadsheets.as_csv(ANNUAL_HEADER, rows), name=name, fmt=fmt)
