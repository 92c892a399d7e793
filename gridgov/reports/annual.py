"""The annual check of in-service members (年度考评): registered with the home community?
reported in time? enough volunteer hours? Qualified (合格) only when all three hold; every
"no" comes with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from gridgov.people.models import Member, MemberKind
from gridgov.points.models import LedgerEntry
from gridgov.reporting.selectors import Standing, with_standing
from gridgov.reports.periods import year as year_period


@dataclass
class AnnualCheck:
    member: Member
    standing: str
    deadline: object
    hours: Decimal
    target: Decimal
    reasons: list[str] = field(default_factory=list)

    @property
    def registered(self) -> bool:
        return self.standing != Standing.NOT_REGISTERED

    @property
    def reported_in_time(self) -> bool:
        return self.standing == Standing.IN_TIME

    @property
    def enough_hours(self) -> bool:
        return self.hours >= self.target

    @property
    def qualified(self) -> bool:
        return not self.reasons


def annual_checks(members: QuerySet[Member], year: int) -> list[AnnualCheck]:
    """The check of every in-service member in ``members`` for ``year``."""
    period = year_period(year)
    target = Decimal(str(settings.GRIDGOV_YEARLY_HOURS_TARGET))
    members = with_standing(members.filter(kind=MemberKind.IN_SERVICE), year=year)
    hours = dict(
        LedgerEntry.objects.filter(
            member__in=members.values("pk"),
            occurred_on__gte=period.start,
            occurred_on__lt=period.end,
        )
        .values("member")
        .annotate(h=Sum("hours"))
        .values_list("member", "h")
    )
    out = []
    for m in members.select_related("community", "work_unit").order_by(
        "community__code", "name", "pk"
    ):
        check = AnnualCheck(
            member=m,
            standing=m.standing,
            deadline=m.report_deadline,
            hours=hours.get(m.pk) or Decimal("0"),
            target=target,
        )
        if m.standing == Standing.NOT_REGISTERED:
            check.reasons.append(_("not registered with the home community"))
        elif m.standing == Standing.AWAITING:
            check.reasons.append(_("registration not yet confirmed by the community"))
        elif m.standing == Standing.REJECTED:
            check.reasons.append(_("registration rejected and not corrected"))
        elif m.standing == Standing.LATE:
            check.reasons.append(
                _("reported late: on %(on)s, deadline %(deadline)s")
                % {"on": m.reported_on, "deadline": m.report_deadline}
            )
        if not check.enough_hours:
            check.reasons.append(
                _("%(hours)s of %(target)s volunteer hours")
                % {"hours": _fmt(check.hours), "target": _fmt(target)}
            )
        out.append(check)
    return out


def _fmt(value: Decimal) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"
