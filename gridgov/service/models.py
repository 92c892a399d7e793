"""Activities, sign-ups, check-ins and members' self-organised service (服务: 报名、签到、记录).

An activity is published by community or branch staff for a place (a point located in the
three grid levels) inside the organising grid; members sign up (报名), check in on site or
with the organiser's code (签到), and the organiser confirms their hours (记录), which
credits the points ledger once. A member's self-organised service (自主服务) counts only
after community staff confirm it on photo evidence. Only gridgov.service.services writes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridgov.grids.models import Grid, Located
from gridgov.photos.fields import PhotoFileField


class ServiceCategory(models.Model):
    """A category of volunteer service (the ten Chancheng categories are seeded); shared by
    activities, service posts and the three lists, which match needs to resources by it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("published")
    CANCELLED = "cancelled", _("cancelled")


class Activity(Located):
    """A service activity at a place and time with a number of places. ``places_taken``
    counts the active sign-ups; services change it only with conditional updates, and the
    database refuses it above ``capacity``."""

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        ServiceCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    organiser_grid = models.ForeignKey(
        Grid,
        verbose_name=_("organising grid"),
        on_delete=models.PROTECT,
        related_name="activities_organised",
        help_text=_(
            "The community or compound whose staff run the activity; the place must lie inside it."
        ),
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("places"))
    places_taken = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    checkin_code = models.CharField(_("check-in code"), max_length=12, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ActivityStatus.choices,
        default=ActivityStatus.PUBLISHED,
        db_index=True,
    )
    cancel_reason = models.TextField(_("why it was cancelled"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="activity_has_location", condition=Q(location__isnull=False)
            ),
            models.CheckConstraint(
                name="activity_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            ),
            models.CheckConstraint(name="activity_capacity_positive", condition=Q(capacity__gte=1)),
            models.CheckConstraint(
                name="activity_places_within_capacity", condition=Q(places_taken__lte=F("capacity"))
            ),
            models.CheckConstraint(
                name="activity_cancelled_has_reason",
                condition=~Q(status="cancelled")
                | Q(cancelled_at__isnull=False) & ~Q(cancel_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == ActivityStatus.CANCELLED

    @property
    def length(self) -> dt.timedelta:
        return self.ends_at - self.starts_at

    @property
    def length_hours(self) -> Decimal:
        """The activity's length in hours (two decimals): the most hours it can earn."""
        seconds = Decimal(int(self.length.total_seconds()))
        return (seconds / Decimal(3600)).quantize(Decimal("0.01"))

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.places_taken, 0)


class SignUpStatus(models.TextChoices):
    ACTIVE = "active", _("signed up")
    CANCELLED = "cancelled", _("sign-up cancelled")


class CheckinMethod(models.TextChoices):
    ON_SITE = "on_site", _("on site (location)")
    CODE = "code", _("organiser's code")
    ORGANISER = "organiser", _("by the organiser")


class SignUp(models.Model):
    """A member's place in an activity (报名), its check-in (签到) and the hours the organiser
    confirmed (记录). A cancelled sign-up stays as history; signing up again is a new row."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="signups"
    )
    member = models.ForeignKey(
        "people.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="signups"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SignUpStatus.choices, default=SignUpStatus.ACTIVE
    )
    signed_up_at = models.DateTimeField(_("signed up"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checkin_method = models.CharField(
        _("check-in method"), max_length=10, choices=CheckinMethod.choices, blank=True
    )
    checkin_location = models.PointField(_("check-in position"), srid=4326, null=True, blank=True)
    checkin_distance_m = models.FloatField(_("distance at check-in (m)"), null=True, blank=True)
    code_failures = models.PositiveSmallIntegerField(_("wrong codes entered"), default=0)
    hours = models.DecimalField(
        _("hours confirmed"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    hours_confirmed_at = models.DateTimeField(_("hours confirmed at"), null=True, blank=True)
    hours_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hours confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ledger_entry = models.OneToOneField(
        "points.LedgerEntry",
        verbose_name=_("ledger entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"],
                condition=Q(status="active"),
                name="signup_once_per_member",
                violation_error_message=_("This member has already signed up."),
            ),
            models.CheckConstraint(
                name="signup_cancelled_at_iff_cancelled",
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | Q(status="active", cancelled_at__isnull=True),
            ),
            models.CheckConstraint(
                name="signup_checkin_has_method",
                condition=Q(checked_in_at__isnull=True, checkin_method="")
                | Q(checked_in_at__isnull=False) & ~Q(checkin_method=""),
            ),
            models.CheckConstraint(
                name="signup_hours_only_after_checkin",
                condition=Q(hours__isnull=True)
                | Q(
                    hours__gt=0,
                    checked_in_at__isnull=False,
                    hours_confirmed_at__isnull=False,
                    status="active",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.activity}"

    @property
    def is_active(self) -> bool:
        return self.status == SignUpStatus.ACTIVE

    @property
    def ledger_source(self) -> str:
        return f"service.signup:{self.pk}"


class SelfServiceStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")


class PhotoKind(models.TextChoices):
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"


class SelfService(Located):
    """Service a member organised themselves (自主服务), with a photo as evidence. It earns
    hours only once community staff of the place confirm it; they may reject it with a
    reason. The photo went through gridgov.photos (re-encoded, no metadata), lives under
    MEDIA_ROOT and is handed out only by a checking view."""

    member = models.ForeignKey(
        "people.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="self_services",
    )
    description = models.TextField(_("what was done"))
    served_on = models.DateField(_("service date"), db_index=True)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2)
    category = models.ForeignKey(
        ServiceCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="self_services",
    )
    photo = PhotoFileField(_("photo"), upload_to="service/self/%Y/%m/", max_length=200)
    photo_kind = models.CharField(_("photo type"), max_length=4, choices=PhotoKind.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SelfServiceStatus.choices,
        default=SelfServiceStatus.SUBMITTED,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("submitted"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reject_reason = models.TextField(_("why it was rejected"), blank=True)
    ledger_entry = models.OneToOneField(
        "points.LedgerEntry",
        verbose_name=_("ledger entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("self-organised service")
        verbose_name_plural = _("self-organised services")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="selfservice_has_location", condition=Q(location__isnull=False)
            ),
            models.CheckConstraint(
                name="selfservice_hours_in_a_day", condition=Q(hours__gt=0, hours__lte=24)
            ),
            models.CheckConstraint(
                name="selfservice_rejected_has_reason",
                condition=~Q(status="rejected") | ~Q(reject_reason=""),
            ),
            models.CheckConstraint(
                name="selfservice_reviewed_unless_submitted",
                condition=Q(status="submitted", reviewed_at__isnull=True)
                | ~Q(status="submitted") & Q(reviewed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.served_on}: {self.description[:40]}"

    @property
    def ledger_source(self) -> str:
        return f"service.selfservice:{self.pk}"
