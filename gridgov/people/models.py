"""Party organisations, co-building units, members, residents and households."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
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
    """Where a member's dual reporting (双报到) stands: a column of the member, read by who is
    public (gridgov.people.public); the steps that move it are gridgov.reporting's."""

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
