"""Readers of dual reporting (双报到). Members report to the community where they live; the
community (its secretary and staff, or the street office) confirms. A member "reported in
time" for a year when the community confirmed them with ``reported_on`` on or before that
year's deadline (see docs/REPORTING.md). Scoped by the acting user's reporting scope."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import models
from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts import policy
from gridgov.accounts.actors import Actor
from gridgov.grids.models import Grid, Level
from gridgov.people.models import CoBuildingUnit, Member, ReportStatus
from gridgov.reporting.models import (
    REPORTING_KINDS,
    CoBuildingAgreement,
    ReportAction,
    ReportEvent,
    ReportingDeadline,
    UnitReport,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Standing(models.TextChoices):
    """Where a member stands with reporting for one year."""

    NOT_REGISTERED = "not_registered", _("not registered")
    AWAITING = "awaiting", _("awaiting confirmation")
    REJECTED = "rejected", _("rejected")
    LATE = "late", _("reported late")
    IN_TIME = "in_time", _("reported in time")


NOT_IN_TIME = (Standing.NOT_REGISTERED, Standing.AWAITING, Standing.REJECTED, Standing.LATE)
# The standing of a member who is not confirmed, by their report_status.
_UNCONFIRMED_STANDING: dict[str, Standing] = {
    ReportStatus.REGISTERED: Standing.AWAITING,
    ReportStatus.REJECTED: Standing.REJECTED,
}


def reporting_prefixes(user: Actor) -> list[str] | None:
    """Grid code prefixes in which the user confirms reporting (None: all, []: none)."""
    return policy.prefixes(user, policy.CONFIRM_REPORTING)


def may_handle_reporting(user: Actor) -> bool:
    prefixes = reporting_prefixes(user)
    return prefixes is None or bool(prefixes)


def covers_community(user: Actor, community: Grid | None) -> bool:
    """Whether the user confirms reporting in this community (None user: the system)."""
    if user is None:
        return True
    return community is not None and policy.allows(user, policy.CONFIRM_REPORTING, community)


def communities_for_reporting(user: Actor) -> QuerySet[Grid]:
    """The communities in which the user confirms reporting."""
    return (
        Grid.objects.filter(level=Level.COMMUNITY)
        .filter(policy.scope_q(reporting_prefixes(user), "code"))
        .order_by("code")
    )


def members_for_reporting(user: Actor) -> QuerySet[Member]:
    """Members whose home community lies in the user's reporting scope."""
    return Member.objects.filter(policy.scope_q(reporting_prefixes(user), "community__code"))


def pending_reports(user: Actor) -> QuerySet[Member]:
    """Members awaiting confirmation in the user's scope, the longest waiting first."""
    return (
        members_for_reporting(user)
        .filter(report_status=ReportStatus.REGISTERED)
        .select_related("community", "compound", "building", "work_unit", "unit_organisation")
        .order_by("report_submitted_at", "id")
    )


def rejected_reports(user: Actor) -> QuerySet[Member]:
    """Rejected members in the user's scope, waiting for the member to correct them."""
    return (
        members_for_reporting(user)
        .filter(report_status=ReportStatus.REJECTED)
        .select_related("community", "work_unit")
        .order_by("-updated_at", "id")
    )


def report_history(member: Member) -> QuerySet[ReportEvent]:
    return member.report_events.select_related("actor").order_by("at", "id")


def last_rejection(member: Member) -> ReportEvent | None:
    return member.report_events.filter(action=ReportAction.REJECTED).order_by("-at", "-id").first()


# --- deadlines and standing ---------------------------------------------------------------


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def deadline_for(*, year: int, community: Grid | int | None = None) -> dt.date:
    """The reporting deadline of a year in a community: the community's own, else the
    general one, else 31 December (no deadline set: reporting within the year counts)."""
    community_id = community.pk if isinstance(community, Grid) else community
    rows: dict[int | None, dt.date] = dict(
        ReportingDeadline.objects.filter(year=year)
        .filter(Q(community__isnull=True) | Q(community_id=community_id))
        .values_list("community_id", "deadline")
    )
    return rows.get(community_id) or rows.get(None) or year_end(year)


def reported_in_time(member: Member, year: int) -> bool:
    """Confirmed by the community with reported_on on or before the year's deadline."""
    return report_standing(member, year) == Standing.IN_TIME


def report_standing(member: Member, year: int) -> str:
    """One of Standing for a member and a year (see with_standing for many members)."""
    status = member.report_status
    if status == ReportStatus.CONFIRMED:
        deadline = deadline_for(year=year, community=member.community_id)
        if member.reported_on is not None and member.reported_on <= deadline:
            return Standing.IN_TIME
        return Standing.LATE
    return _UNCONFIRMED_STANDING.get(status, Standing.NOT_REGISTERED)


class StandingFields(TypedDict):
    """What with_standing adds to each member."""

    report_deadline: dt.date
    standing: str


def with_standing(
    members: QuerySet[Member], *, year: int
) -> QuerySet[WithAnnotations[Member, StandingFields]]:
    """Annotate ``report_deadline`` (the deadline that applies to each member's community)
    and ``standing`` (a Standing value) in the database: filterable and countable."""
    general = (
        ReportingDeadline.objects.filter(year=year, community__isnull=True)
        .values_list("deadline", flat=True)
        .first()
    ) or year_end(year)
    own = ReportingDeadline.objects.filter(year=year, community=OuterRef("community_id"))
    return members.annotate(
        report_deadline=Coalesce(
            Subquery(own.values("deadline")[:1]), Value(general), output_field=DateField()
        ),
    ).annotate(
        standing=Case(
            When(
                report_status=ReportStatus.CONFIRMED,
                reported_on__lte=F("report_deadline"),
                then=Value(Standing.IN_TIME.value),
            ),
            When(report_status=ReportStatus.CONFIRMED, then=Value(Standing.LATE.value)),
            When(report_status=ReportStatus.REGISTERED, then=Value(Standing.AWAITING.value)),
            When(report_status=ReportStatus.REJECTED, then=Value(Standing.REJECTED.value)),
            default=Value(Standing.NOT_REGISTERED.value),
            output_field=CharField(),
        )
    )


def _reporting_members(members: QuerySet[Member] | None) -> QuerySet[Member]:
    qs = Member.objects.all() if members is None else members
    return qs.filter(kind__in=REPORTING_KINDS)


def late_members(*, year: int, members: QuerySet[Member] | None = None) -> QuerySet[Member]:
    """Members who must report and were confirmed after the year's deadline."""
    return with_standing(_reporting_members(members), year=year).filter(standing=Standing.LATE)


# django-stubs 5.2.9 checks the value of an annotation's __in lookup against the annotation's
# own type, not a collection of it (typeddjango/django-stubs#3313, fixed in 6.0): the two
# `type: ignore[misc]` below are for that.


def unreported_members(*, year: int, members: QuerySet[Member] | None = None) -> QuerySet[Member]:
    """Members who must report and are not confirmed: not registered, awaiting or rejected."""
    confirmed = (Standing.IN_TIME, Standing.LATE)
    qs = with_standing(_reporting_members(members), year=year)
    return qs.exclude(standing__in=confirmed)  # type: ignore[misc]  # stubs' __in (above)


def not_in_time_members(*, year: int, members: QuerySet[Member] | None = None) -> QuerySet[Member]:
    """Late or not reported: everyone who did not report in time for the year."""
    qs = with_standing(_reporting_members(members), year=year)
    return qs.filter(standing__in=NOT_IN_TIME)  # type: ignore[misc]  # stubs' __in (above)


# --- units: their members, their organisation's reporting and agreements -------------------


def _paired_community_ids(unit: CoBuildingUnit) -> set[int]:
    """Communities the unit is paired with: its organisations reported there, or it signed
    an agreement with them."""
    reported = UnitReport.objects.filter(organisation__unit=unit).values_list(
        "community_id", flat=True
    )
    signed = CoBuildingAgreement.objects.filter(unit=unit).values_list("community_id", flat=True)
    return set(reported) | set(signed)


def unit_members_visible_to(user: Actor, unit: CoBuildingUnit) -> QuerySet[Member]:
    """A unit's members who must report, as the user may see them: those living in the
    user's communities, plus the unit's roster entries with no home yet when the unit is
    paired with one of the user's communities (the community chases them up)."""
    prefixes = reporting_prefixes(user)
    qs = _reporting_members(Member.objects.filter(work_unit=unit))
    if prefixes is None:
        return qs
    visible = policy.scope_q(prefixes, "community__code")
    paired = Grid.objects.filter(pk__in=_paired_community_ids(unit)).filter(
        policy.scope_q(prefixes, "code")
    )
    if paired.exists():
        visible |= Q(community__isnull=True)
    return qs.filter(visible)


def unit_standing(user: Actor, unit: CoBuildingUnit, *, year: int) -> QuerySet[Member]:
    """The unit's members visible to the user, each with its standing, not-in-time first."""
    order = Case(
        *[When(standing=s.value, then=Value(i)) for i, s in enumerate(Standing)],
        output_field=IntegerField(),
    )
    return (
        with_standing(unit_members_visible_to(user, unit), year=year)
        .select_related("community", "compound", "building", "unit_organisation")
        .annotate(standing_order=order)
        .order_by("standing_order", "name", "id")
    )


def unit_reports_visible_to(user: Actor) -> QuerySet[UnitReport]:
    return UnitReport.objects.filter(
        policy.scope_q(reporting_prefixes(user), "community__code")
    ).select_related("organisation", "organisation__unit", "community")


def agreements_visible_to(user: Actor) -> QuerySet[CoBuildingAgreement]:
    return CoBuildingAgreement.objects.filter(
        policy.scope_q(reporting_prefixes(user), "community__code")
    ).select_related("unit", "community")


def current_agreement(
    *, unit: CoBuildingUnit, community: Grid, on: dt.date | None = None
) -> CoBuildingAgreement | None:
    """The agreement in force between a unit and a community on a day (today by default)."""
    day = on or timezone.localdate()
    return (
        CoBuildingAgreement.objects.filter(
            unit=unit, community=community, signed_on__lte=day, valid_until__gte=day
        )
        .order_by("-signed_on")
        .first()
    )


def unit_org_reported(
    unit: CoBuildingUnit, *, community: Grid | None = None, by: dt.date | None = None
) -> bool:
    """Whether an organisation of the unit reported to the community (any community when
    None) and the community confirmed it, on or before ``by`` when given."""
    qs = UnitReport.objects.filter(organisation__unit=unit, status=ReportStatus.CONFIRMED)
    if community is not None:
        qs = qs.filter(community=community)
    if by is not None:
        qs = qs.filter(reported_on__lte=by)
    return qs.exists()


def unit_summaries(user: Actor, *, year: int, on: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per unit: its members who must report (as the user sees them) by standing,
    and whether its organisation reported to / signed an agreement with one of the user's
    communities. A handful of queries whatever the number of units."""
    day = on or timezone.localdate()
    prefixes = reporting_prefixes(user)
    units = list(CoBuildingUnit.objects.order_by("name"))
    counts: dict[int, dict[str, int]] = {u.pk: dict.fromkeys(Standing.values, 0) for u in units}
    members = _reporting_members(Member.objects.filter(work_unit__isnull=False))
    if prefixes is not None:  # as unit_members_visible_to, for every unit at once
        mine = Grid.objects.filter(level=Level.COMMUNITY).filter(policy.scope_q(prefixes, "code"))
        paired = set(
            UnitReport.objects.filter(community__in=mine).values_list(
                "organisation__unit_id", flat=True
            )
        ) | set(
            CoBuildingAgreement.objects.filter(community__in=mine).values_list("unit_id", flat=True)
        )
        members = members.filter(
            policy.scope_q(prefixes, "community__code")
            | Q(community__isnull=True, work_unit__in=paired)
        )
    for unit_id, standing in with_standing(members, year=year).values_list(
        "work_unit_id", "standing"
    ):
        counts[unit_id][standing] += 1
    reported = set(
        unit_reports_visible_to(user)
        .filter(status=ReportStatus.CONFIRMED)
        .values_list("organisation__unit_id", flat=True)
    )
    signed = set(
        agreements_visible_to(user)
        .filter(signed_on__lte=day, valid_until__gte=day)
        .values_list("unit_id", flat=True)
    )
    rows = []
    for unit in units:
        c = counts[unit.pk]
        total = sum(c.values())
        rows.append(
            {
                "unit": unit,
                "members": total,
                "in_time": c[Standing.IN_TIME],
                "late": c[Standing.LATE],
                "not_reported": total - c[Standing.IN_TIME] - c[Standing.LATE],
                "counts": c,
                "org_reported": unit.pk in reported,
                "agreement": unit.pk in signed,
            }
        )
    return rows
