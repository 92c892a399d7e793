"""Party organisations, co-building units, members, residents and households."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridgov.grids.models import Grid, Level, Located

# What is public about members lives in gridgov.people.public; re-exported here for the
# modules that read it with the models.
from gridgov.people.public import MemberQuerySet, public_phone
from gridgov.people.public import mask_phone as mask_phone


class CoBuildingUnit(models.Model):
    """A unit (government body, institution, enterprise) paired with communities (驻区单位)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("co-building unit")
        verbose_name_plural = _("co-building units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrgKind(models.TextChoices):
    COMMUNITY_COMMITTEE = "community_committee", _("community party committee")
    COMPOUND_BRANCH = "compound_branch", _("compound party branch")
    UNIT_ORG = "unit_org", _("unit party organisation")


class PartyOrganisation(models.Model):
    """A party organisation: a community committee or compound branch tied to its grid, or a
    co-building unit's organisation."""

    kind = models.CharField(_("kind"), max_length=24, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=120)
    grid = models.OneToOneField(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisation",
    )
    unit = models.ForeignKey(
        CoBuildingUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    secretary = models.ForeignKey(
        "Member",
        verbose_name=_("secretary"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="org_tied_to_grid_or_unit",
                condition=Q(kind="unit_org", unit__isnull=False, grid__isnull=True)
                | Q(kind__in=["community_committee", "compound_branch"], grid__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        wanted = {
            OrgKind.COMMUNITY_COMMITTEE: Level.COMMUNITY,
            OrgKind.COMPOUND_BRANCH: Level.COMPOUND,
        }.get(self.kind)
        if wanted and self.grid_id and self.grid.level != wanted:
            raise ValidationError(
                {
                    "grid": _("This organisation must be tied to a %(l)s grid.")
                    % {"l": Level(wanted).label}
                }
            )


class MemberKind(models.TextChoices):
    IN_SERVICE = "in_service", _("in-service member")
    RETIRED = "retired", _("retired member")
    MOBILE = "mobile", _("mobile member")
    UNASSIGNED = "unassigned", _("unassigned member")
    APPLICANT = "applicant", _("applicant or activist")


class Gender(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")


class ReportStatus(models.TextChoices):
    NOT_REPORTED = "not_reported", _("not reported")
    REGISTERED = "registered", _("registered, awaiting confirmation")
    CONFIRMED = "confirmed", _("reported and confirmed")
    REJECTED = "rejected", _("rejected")


class Member(Located):
    """A party member (or applicant), located by home address (双报到: reports where they live)."""

    objects = MemberQuerySet.as_manager()

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
        help_text=_("The account the member signs in with, if they have one."),
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_public = models.BooleanField(
        _("show phone publicly"),
        default=False,
        help_text=_("Only when the member opted in is the full number shown to residents."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MemberKind.choices)
    is_formal = models.BooleanField(
        _("formal member"),
        default=True,
        help_text=_("A formal member rather than a probationary one."),
    )
    work_unit = models.ForeignKey(
        CoBuildingUnit,
        verbose_name=_("work unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    unit_organisation = models.ForeignKey(
        PartyOrganisation,
        verbose_name=_("unit party organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unit_members",
    )
    specialty = models.CharField(_("specialty"), max_length=100, blank=True)
    service_intent = models.CharField(_("service intent"), max_length=200, blank=True)
    pledge = models.CharField(_("one-sentence pledge"), max_length=200, blank=True)
    report_status = models.CharField(
        _("reporting status"),
        max_length=16,
        choices=ReportStatus.choices,
        default=ReportStatus.NOT_REPORTED,
    )
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    report_submitted_at = models.DateTimeField(
        _("reporting submitted"),
        null=True,
        blank=True,
        help_text=_("When the member last submitted their reporting (registered or corrected)."),
    )
    report_reject_reason = models.TextField(
        _("reason for rejection"),
        blank=True,
        help_text=_("Why the community rejected the reporting; cleared on resubmission."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["kind", "report_status"], name="member_kind_report")]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        """The phone as every list, export and API answer shows it to the public."""
        return public_phone(self)


class Household(Located):
    """A household (户) at an address. Personal data: never public."""

    room = models.CharField(_("room"), max_length=40, blank=True)
    # How many residents the household has, kept by the database itself (triggers on the
    # residents table, migration people/0005): exports and counts per building read it
    # instead of counting every resident. Never written by the application.
    resident_count = models.PositiveIntegerField(_("residents"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.address or f"#{self.pk}"

    def save(self, *args, **kwargs):
        """An update never writes resident_count: the value in memory may be stale (a
        resident added since it was read), the database's is kept by its triggers."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "resident_count" and f.attname not in deferred
            ]
        super().save(*args, **kwargs)


class Resident(models.Model):
    """A resident (居民), member of a household; located through the household."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="residents"
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_head = models.BooleanField(_("head of household"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household_id", "-is_head", "id"]

    def __str__(self) -> str:
        return self.name


class VulnerableCategory(models.TextChoices):
    FIVE_GUARANTEES = "wubao", _("five-guarantees household")
    EXTREME_POVERTY = "tekun", _("extremely poor household")
    EMPTY_NEST = "empty_nest", _("empty-nest elderly")
    LEFT_BEHIND = "left_behind", _("left-behind child")
    DISABLED = "disabled", _("disabled person")
    MIN_ALLOWANCE = "dibao", _("minimum-living-allowance household")


class Vulnerability(models.Model):
    """A resident in a vulnerable category, as found by a yearly survey. Sensitive."""

    resident = models.ForeignKey(
        Resident,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="vulnerabilities",
    )
    category = models.CharField(_("category"), max_length=16, choices=VulnerableCategory.choices)
    surveyed_year = models.PositiveSmallIntegerField(_("survey year"))

    class Meta:
        verbose_name = _("vulnerable category")
        verbose_name_plural = _("vulnerable categories")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "category", "surveyed_year"], name="vulnerability_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident}: {self.get_category_display()} ({self.surveyed_year})"


# --- dual reporting (双报到) ---------------------------------------------------------------

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
