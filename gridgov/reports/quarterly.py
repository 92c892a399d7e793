"""Quarterly figures (一季一汇总、通报) per member, per unit organisation and per grid,
computed from the ledger (hours, activities, self-organised service), the case history
(cases taken and resolved, response times) and the reporting records. Set-based: one
aggregate query per figure, whatever the number of members."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum

from gridgov.cases.models import Action, Case, CaseEvent, Status
from gridgov.grids.models import Grid
from gridgov.people.models import Member, ReportStatus
from gridgov.points.models import EntryKind, LedgerEntry
from gridgov.reports.periods import Period

ACTIVITY_SOURCE = "service.signup:"
SELF_SERVICE_SOURCE = "service.selfservice:"


@dataclass
class MemberFigures:
    member: Member
    hours: Decimal = Decimal("0")
    activities: int = 0
    self_services: int = 0
    posts: int = 0
    cases_taken: int = 0
    cases_resolved: int = 0


def _per_member(qs, **annotations) -> dict[int, dict]:
    return {row["member"]: row for row in qs.values("member").annotate(**annotations)}


def member_figures(members: QuerySet[Member], period: Period) -> list[MemberFigures]:
    """Each member's quarter: confirmed hours (earned and adjusted, by service date),
    activities attended and self-organised services credited, cases taken and resolved
    (from the case history, so a case reopened and re-taken counts each time)."""
    members = members.select_related("work_unit", "unit_organisation", "community")
    ledger = LedgerEntry.objects.filter(
        member__in=members.values("pk"), occurred_on__gte=period.start, occurred_on__lt=period.end
    )
    hours = _per_member(ledger, n=Sum("hours"))
    earned = _per_member(
        ledger.filter(kind=EntryKind.EARN),
        activities=Count("id", filter=Q(source__startswith=ACTIVITY_SOURCE)),
        self_services=Count("id", filter=Q(source__startswith=SELF_SERVICE_SOURCE)),
    )
    events = CaseEvent.objects.filter(
        member__in=members.values("pk"), at__gte=period.start_at, at__lt=period.end_at
    )
    cases = _per_member(
        events,
        taken=Count("id", filter=Q(action=Action.TAKEN)),
        resolved=Count("id", filter=Q(action=Action.RESOLVED)),
    )
    posts = posts_held(members, period)
    out = []
    for m in members.order_by("community__code", "name", "pk"):
        e, c = earned.get(m.pk, {}), cases.get(m.pk, {})
        out.append(
            MemberFigures(
                member=m,
                hours=hours.get(m.pk, {}).get("n") or Decimal("0"),
                activities=e.get("activities", 0),
                self_services=e.get("self_services", 0),
                posts=posts.get(m.pk, 0),
                cases_taken=c.get("taken", 0),
                cases_resolved=c.get("resolved", 0),
            )
        )
    return out


def posts_held(members: QuerySet[Member], period: Period) -> dict[int, int]:
    """Service posts each member held at some time in the period."""
    from gridgov.posts.selectors import posts_held_in_period

    return posts_held_in_period(members, period.start, period.end)


@dataclass
class UnitFigures:
    unit: str
    members: int = 0
    reported: int = 0
    hours: Decimal = Decimal("0")
    activities: int = 0
    cases_taken: int = 0
    cases_resolved: int = 0
    without_hours: list[str] = field(default_factory=list)

    @property
    def hours_per_member(self) -> Decimal:
        if not self.members:
            return Decimal("0")
        return (self.hours / self.members).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def unit_figures(rows: list[MemberFigures]) -> list[UnitFigures]:
    """The member figures summed per work unit (for the quarterly report to each unit);
    members with no unit are left out."""
    units: dict[str, UnitFigures] = {}
    for r in rows:
        unit = r.member.work_unit
        if unit is None:
            continue
        u = units.setdefault(unit.name, UnitFigures(unit=unit.name))
        u.members += 1
        u.reported += r.member.report_status == ReportStatus.CONFIRMED
        u.hours += r.hours
        u.activities += r.activities
        u.cases_taken += r.cases_taken
        u.cases_resolved += r.cases_resolved
        if not r.hours:
            u.without_hours.append(r.member.name)
    return sorted(units.values(), key=lambda u: u.unit)


@dataclass
class GridFigures:
    grid: Grid
    cases_opened: int = 0
    answered_in_time: int = 0
    first_response_minutes: float | None = None  # median over cases answered
    resolved: int = 0
    closed: int = 0
    open_now: int = 0
    hours: Decimal = Decimal("0")
    members: int = 0

    @property
    def answered_in_time_share(self) -> int | None:
        return round(100 * self.answered_in_time / self.cases_opened) if self.cases_opened else None


def grid_figures(grids: list[Grid], period: Period) -> list[GridFigures]:
    """Per grid: requests opened in the period, how many were answered within their
    category's first-response time and the median minutes to that answer, how many were
    resolved or closed in the period, how many are open now; members living there and their
    confirmed hours."""
    out = []
    for grid in grids:
        f = GridFigures(grid=grid)
        opened = (
            Case.objects.filter(
                grid_code__startswith=grid.code,
                created_at__gte=period.start_at,
                created_at__lt=period.end_at,
            )
            .select_related("category")
            .only(
                "opened_at",
                "created_at",
                "first_response_at",
                "category__first_response_sla_minutes",
            )
        )
        minutes = []
        for case in opened:
            f.cases_opened += 1
            if case.first_response_at is None:
                continue
            waited = (case.first_response_at - case.opened_at).total_seconds() / 60
            minutes.append(waited)
            f.answered_in_time += waited <= case.category.first_response_sla_minutes
        f.first_response_minutes = round(statistics.median(minutes), 1) if minutes else None
        in_grid = Case.objects.filter(grid_code__startswith=grid.code)
        f.resolved = in_grid.filter(
            resolved_at__gte=period.start_at, resolved_at__lt=period.end_at
        ).count()
        f.closed = in_grid.filter(
            closed_at__gte=period.start_at, closed_at__lt=period.end_at
        ).count()
        f.open_now = in_grid.filter(
            status__in=[Status.NEW, Status.DISPATCHED, Status.TAKEN, Status.IN_PROGRESS]
        ).count()
        members = Member.objects.filter(grid_code__startswith=grid.code)
        f.members = members.count()
        f.hours = LedgerEntry.objects.filter(
            member__in=members.values("pk"),
            occurred_on__gte=period.start,
            occurred_on__lt=period.end,
        ).aggregate(h=Sum("hours"))["h"] or Decimal("0")
        out.append(f)
    return out
