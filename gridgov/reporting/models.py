"""Dual reporting (双报到): the history of every member's and unit organisation's reporting
steps, unit organisations' reports to communities, co-building agreements, the yearly
deadlines.

A member's own reporting status is a column of the member (``Member.report_status``,
choices ``ReportStatus``, both in gridgov.people.models): who is public reads it there, and
people sits below this app. The tables keep the names they had when these models lived in
people (``people_unitreport`` ...): the move to this app moved no data, and audit rows keep
naming the models as before (``audit_object_type``; docs/DECISIONS.md, session 8)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridgov.grids.models import Grid, Level
from gridgov.people.models import (
    CoBuildingUnit,
    Member,
    MemberKind,
    OrgKind,
    PartyOrganisation,
    ReportStatus,
)

# Members who must report to their home community: in-service members and applicants /
# activists. Others may register too; the reporting lists count only these.
REPORTING_KINDS = (MemberKind.IN_SERVICE, MemberKind.APPLICANT)

# step -> the reporting statuses it may start from (services enforce it).
REPORT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "confirm": (ReportStatus.REGISTERED,),
    "reject": (ReportStatus.REGISTERED,),
    # the member (re)submits their details: a first submission, a correction while
    # awaiting confirmation, or a resubmission after a rejection
    "submit": (ReportStatus.NOT_REPORTED, ReportStatus.REGISTERED, ReportStatus.REJECTED),
}
UNIT_REPORT_STATUSES = [c for c in ReportStatus.choices if c[0] != ReportStatus.NOT_REPORTED]


class UnitReport(models.Model):
    """A unit party organisation reporting to a community (驻区单位党组织到社区报到)."""

    # The audit trail names this model as before its move from people.
    audit_object_type = "people.unitreport"

    organisation = models.ForeignKey(
        PartyOrganisation,
        verbose_name=_("unit party organisation"),
        on_delete=models.PROTECT,
        related_name="unit_reports",
        limit_choices_to={"kind": OrgKind.UNIT_ORG},
    )
    community = models.ForeignKey(
        Grid,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="unit_reports",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    reported_on = models.DateField(_("reported on"))
    status = models.CharField(
        _("status"), max_length=16, choices=UNIT_REPORT_STATUSES, default=ReportStatus.REGISTERED
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        db_table = "people_unitreport"  # the table it had in people: no data moved
        verbose_name = _("unit organisation report")
        verbose_name_plural = _("unit organisation reports")
        ordering = ["-reported_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "community"], name="unitreport_once_per_community"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.community.name}"


class ReportAction(models.TextChoices):
    REGISTERED = "registered", _("registered online")
    CORRECTED = "corrected", _("corrected while awaiting confirmation")
    RESUBMITTED = "resubmitted", _("corrected and resubmitted")
    RECORDED = "recorded", _("recorded by community staff")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")


class ReportEvent(models.Model):
    """One step of a member's or a unit organisation's reporting (全流程留痕). Append-only."""

    # The audit trail names this model as before its move from people.
    audit_object_type = "people.reportevent"

    member = models.ForeignKey(
        Member,
        verbose_name=_("party member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_events",
    )
    unit_report = models.ForeignKey(
        UnitReport,
        verbose_name=_("unit organisation report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=16, choices=ReportAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=ReportStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=ReportStatus.choices)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        db_table = "people_reportevent"  # the table it had in people: no data moved
        verbose_name = _("reporting event")
        verbose_name_plural = _("reporting events")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                name="reportevent_member_or_unit",
                condition=Q(member__isnull=False, unit_report__isnull=True)
                | Q(member__isnull=True, unit_report__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member or self.unit_report}: {self.get_action_display()}"


class CoBuildingAgreement(models.Model):
    """A co-building agreement (共驻共建协议) between a unit and a community."""

    # The audit trail names this model as before its move from people.
    audit_object_type = "people.cobuildingagreement"

    unit = models.ForeignKey(
        CoBuildingUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="agreements"
    )
    community = models.ForeignKey(
        Grid,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="agreements",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"))
    commitments = models.TextField(_("commitments"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        db_table = "people_cobuildingagreement"  # the table it had in people: no data moved
        verbose_name = _("co-building agreement")
        verbose_name_plural = _("co-building agreements")
        ordering = ["-signed_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="agreement_valid_after_signing", condition=Q(valid_until__gte=F("signed_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ↔ {self.community.name} ({self.signed_on}–{self.valid_until})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.signed_on and self.valid_until and self.valid_until < self.signed_on:
            raise ValidationError(
                {
                    "valid_until": _(
                        "An agreement signed on %(signed)s cannot end before it, on %(until)s."
                    )
                    % {"signed": self.signed_on, "until": self.valid_until}
                }
            )

    def is_valid_on(self, day) -> bool:
        return self.signed_on <= day <= self.valid_until


class ReportingDeadline(models.Model):
    """The date by which members must have reported for a year: for one community, or for
    every community without their own (community empty)."""

    # The audit trail names this model as before its move from people.
    audit_object_type = "people.reportingdeadline"

    year = models.PositiveSmallIntegerField(_("year"))
    deadline = models.DateField(_("deadline"))
    community = models.ForeignKey(
        Grid,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reporting_deadlines",
        limit_choices_to={"level": Level.COMMUNITY},
        help_text=_("Empty: the deadline of every community that has none of its own."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        db_table = "people_reportingdeadline"  # the table it had in people: no data moved
        verbose_name = _("reporting deadline")
        verbose_name_plural = _("reporting deadlines")
        ordering = ["-year", "community_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "community"], name="deadline_once_per_community"
            ),
            models.UniqueConstraint(
                fields=["year"], condition=Q(community__isnull=True), name="deadline_once_general"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.deadline} ({self.community.name if self.community else '*'})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.deadline and self.year and self.deadline.year != self.year:
            raise ValidationError(
                {
                    "deadline": _(
                        "The deadline for %(year)s must fall in %(year)s, not on %(day)s."
                    )
                    % {"year": self.year, "day": self.deadline}
                }
            )
