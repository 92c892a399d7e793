"""The unit side of dual reporting (双报到): a unit party organisation reports to a community
(驻区单位党组织报到) and the community confirms or rejects it; co-building agreements
(共驻共建协议); the yearly reporting deadlines. Same rules as the member's side: one
transaction per step, an audit row (and a ReportEvent for unit reports) or nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Actor
from gridgov.accounts.services import audit_record, snapshot
from gridgov.grids.models import Grid, Level
from gridgov.people.models import CoBuildingUnit, OrgKind, PartyOrganisation, ReportStatus
from gridgov.reporting.models import (
    CoBuildingAgreement,
    ReportAction,
    ReportingDeadline,
    UnitReport,
)
from gridgov.reporting.selectors import reporting_prefixes
from gridgov.reporting.services.steps import (
    ReportingError,
    ReportingNotAllowed,
    ReportingTransitionError,
    record_report_step,
    require_reporting_staff,
)


def _check_community(community: Grid | None) -> None:
    if community is None or community.level != Level.COMMUNITY:
        raise ReportingError(_("Choose a community (a level-1 grid)."))


def _not_future(day: dt.date | None, label: str) -> dt.date:
    if day is None:
        raise ReportingError(_("Enter the date: %(what)s.") % {"what": label})
    if day > timezone.localdate():
        raise ReportingError(
            _("%(what)s cannot be in the future (%(day)s).") % {"what": label, "day": day}
        )
    return day


@transaction.atomic
def unit_report_record(
    *,
    organisation: PartyOrganisation,
    community: Grid,
    reported_on: dt.date,
    acting_user: Actor,
    contact_name: str = "",
    contact_phone: str = "",
    note: str = "",
) -> UnitReport:
    """驻区单位党组织报到: community staff record that a unit organisation reported. A rejected
    report may be recorded again; a pending or confirmed one may not."""
    _check_community(community)
    if organisation is None or organisation.kind != OrgKind.UNIT_ORG:
        raise ReportingError(_("%(org)s is not a unit party organisation.") % {"org": organisation})
    require_reporting_staff(acting_user, community, community.name)
    _not_future(reported_on, _("reported on"))
    now = timezone.now()
    report = (
        UnitReport.objects.select_for_update()
        .filter(organisation=organisation, community=community)
        .first()
    )
    if report is not None and report.status != ReportStatus.REJECTED:
        raise ReportingTransitionError(
            _("%(org)s already reported to %(community)s on %(day)s (%(status)s).")
            % {
                "org": organisation,
                "community": community.name,
                "day": report.reported_on,
                "status": report.get_status_display(),
            }
        )
    before = snapshot(report) if report is not None else None
    from_status = report.status if report is not None else ReportStatus.NOT_REPORTED
    report = report or UnitReport(organisation=organisation, community=community)
    report.reported_on, report.status = reported_on, ReportStatus.REGISTERED
    report.contact_name, report.contact_phone = contact_name.strip(), contact_phone.strip()
    report.note, report.reject_reason, report.decided_at = note.strip(), "", None
    report.full_clean(validate_constraints=False)
    report.save()
    record_report_step(
        unit_report=report,
        acting_user=acting_user,
        action=ReportAction.RECORDED,
        from_status=from_status,
        to_status=report.status,
        note=report.note,
        at=now,
        before=before,
        audit_action="unitreport.record",
    )
    return report


def _decide_unit_report(
    *, report: UnitReport, acting_user: Actor, step: str, status: str, reason: str = ""
) -> UnitReport:
    current = UnitReport.objects.select_related("community", "organisation").get(pk=report.pk)
    require_reporting_staff(acting_user, current.community, str(current))
    if current.status != ReportStatus.REGISTERED:
        raise ReportingTransitionError(
            _(
                "The report of %(org)s to %(community)s is %(status)s: only a report awaiting "
                "confirmation can be confirmed or rejected."
            )
            % {
                "org": current.organisation,
                "community": current.community.name,
                "status": current.get_status_display(),
            }
        )
    now, before = timezone.now(), snapshot(current)
    won = UnitReport.objects.filter(pk=current.pk, status=ReportStatus.REGISTERED).update(
        status=status, decided_at=now, reject_reason=reason
    )
    if not won:
        raise ReportingTransitionError(
            _("The report of %(org)s was decided by someone else a moment ago.")
            % {"org": current.organisation}
        )
    report = UnitReport.objects.get(pk=current.pk)
    record_report_step(
        unit_report=report,
        acting_user=acting_user,
        action=ReportAction.CONFIRMED if step == "confirm" else ReportAction.REJECTED,
        from_status=current.status,
        to_status=status,
        note=reason,
        at=now,
        before=before,
        audit_action=f"unitreport.{step}",
    )
    return report


@transaction.atomic
def unit_report_confirm(*, report: UnitReport, acting_user: Actor) -> UnitReport:
    return _decide_unit_report(
        report=report, acting_user=acting_user, step="confirm", status=ReportStatus.CONFIRMED
    )


@transaction.atomic
def unit_report_reject(*, report: UnitReport, acting_user: Actor, reason: str) -> UnitReport:
    reason = (reason or "").strip()
    if not reason:
        raise ReportingError(
            _("Say why the report of %(org)s is rejected.") % {"org": report.organisation}
        )
    return _decide_unit_report(
        report=report,
        acting_user=acting_user,
        step="reject",
        status=ReportStatus.REJECTED,
        reason=reason,
    )


@transaction.atomic
def agreement_sign(
    *,
    unit: CoBuildingUnit,
    community: Grid,
    signed_on: dt.date,
    valid_until: dt.date,
    commitments: str,
    acting_user: Actor,
) -> CoBuildingAgreement:
    """共驻共建协议: record an agreement a unit and a community signed. Two agreements of the
    same pair may not overlap in time."""
    _check_community(community)
    if unit is None:
        raise ReportingError(_("Choose the unit that signed."))
    require_reporting_staff(acting_user, community, community.name)
    _not_future(signed_on, _("signed on"))
    if valid_until is None or valid_until < signed_on:
        raise ReportingError(
            {
                "valid_until": _(
                    "An agreement signed on %(signed)s cannot end before it, on %(until)s."
                )
                % {"signed": signed_on, "until": valid_until}
            }
        )
    commitments = (commitments or "").strip()
    if not commitments:
        raise ReportingError({"commitments": _("Write down what each side commits to.")})
    # Serialise signings of one pair: lock the unit row before reading the existing ones.
    CoBuildingUnit.objects.select_for_update().get(pk=unit.pk)
    clash = CoBuildingAgreement.objects.filter(
        unit=unit, community=community, signed_on__lte=valid_until, valid_until__gte=signed_on
    ).first()
    if clash is not None:
        raise ReportingError(
            _(
                "%(unit)s already has an agreement with %(community)s valid from %(a)s to "
                "%(b)s, which overlaps."
            )
            % {
                "unit": unit,
                "community": community.name,
                "a": clash.signed_on,
                "b": clash.valid_until,
            }
        )
    agreement = CoBuildingAgreement(
        unit=unit,
        community=community,
        signed_on=signed_on,
        valid_until=valid_until,
        commitments=commitments,
    )
    agreement.full_clean()
    agreement.save()
    audit_record(
        actor=acting_user, action="agreement.sign", obj=agreement, after=snapshot(agreement)
    )
    return agreement


@transaction.atomic
def deadline_set(
    *,
    year: int,
    deadline: dt.date,
    acting_user: Actor,
    community: Grid | None = None,
    note: str = "",
) -> ReportingDeadline:
    """Set (or move) a year's reporting deadline, for one community or for all (only a
    user whose scope covers every community sets the general one)."""
    if community is not None:
        _check_community(community)
        require_reporting_staff(acting_user, community, community.name)
    elif acting_user is not None and reporting_prefixes(acting_user) is not None:
        raise ReportingNotAllowed(
            _(
                "Only a user responsible for every community sets the "
                "general deadline: set one for your community."
            )
        )
    row = (
        ReportingDeadline.objects.select_for_update().filter(year=year, community=community).first()
    )
    before = snapshot(row) if row is not None else None
    row = row or ReportingDeadline(year=year, community=community)
    row.deadline, row.note = deadline, (note or "").strip()
    row.full_clean(validate_constraints=False)
    row.save()
    audit_record(
        actor=acting_user, action="deadline.set", obj=row, before=before, after=snapshot(row)
    )
    return row
