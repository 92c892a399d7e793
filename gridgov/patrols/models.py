"""Patrol routes (治安巡逻路线), the patrols that walk them and what they find.

Rules that need other rows or geometry (a route inside its grid, a GPS track near its route)
live in services.py; the models hold fields, constraints and one-row rules only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridgov.grids.models import Grid


class Schedule(models.TextChoices):
    DAILY = "daily", _("daily")
    WEEKLY = "weekly", _("weekly")
    FORTNIGHTLY = "fortnightly", _("fortnightly")
    MONTHLY = "monthly", _("monthly")


# Days allowed between two patrols of a route before it is overdue. Monthly is 31 so that a
# route walked on the same date every month is never overdue.
INTERVAL_DAYS: dict[str, int] = {
    Schedule.DAILY: 1,
    Schedule.WEEKLY: 7,
    Schedule.FORTNIGHTLY: 14,
    Schedule.MONTHLY: 31,
}


class PatrolRoute(models.Model):
    """A fixed route a patrol team walks through a grid, on a schedule."""

    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="patrol_routes"
    )
    name = models.CharField(_("name"), max_length=100)
    route = models.LineStringField(_("route"), srid=4326)
    schedule = models.CharField(
        _("schedule"), max_length=12, choices=Schedule.choices, default=Schedule.WEEKLY
    )
    team = models.ManyToManyField(
        "people.Member", verbose_name=_("team"), blank=True, related_name="patrol_routes"
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("patrol route")
        verbose_name_plural = _("patrol routes")
        ordering = ["grid__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "name"],
                name="patrolroute_unique_name_in_grid",
                violation_error_message=_("This grid already has a route with this name."),
            ),
            models.CheckConstraint(
                name="patrolroute_schedule_valid",
                condition=Q(schedule__in=[s.value for s in Schedule]),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def interval_days(self) -> int:
        """Days allowed between two patrols before the route is overdue."""
        return INTERVAL_DAYS[self.schedule]


class Patrol(models.Model):
    """One dated walk of a route by named members, with its GPS track when one was recorded."""

    route = models.ForeignKey(
        PatrolRoute, verbose_name=_("route"), on_delete=models.PROTECT, related_name="patrols"
    )
    walked_on = models.DateField(_("walked on"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    members = models.ManyToManyField(
        "people.Member", verbose_name=_("members"), related_name="patrols"
    )
    track = models.MultiLineStringField(
        _("GPS track"), srid=4326, null=True, blank=True, help_text=_("From a GPX upload.")
    )
    track_length_m = models.FloatField(_("track length (m)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")
        ordering = ["-walked_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                name="patrol_ends_after_start",
                condition=Q(started_at__isnull=True)
                | Q(ended_at__isnull=True)
                | Q(ended_at__gte=F("started_at")),
            ),
            models.CheckConstraint(
                name="patrol_track_length_with_track",
                condition=Q(track__isnull=True, track_length_m__isnull=True)
                | Q(track__isnull=False, track_length_m__gte=0),
            ),
        ]
        indexes = [models.Index(fields=["route", "-walked_on"], name="patrol_route_walked")]

    def __str__(self) -> str:
        return f"{self.route} {self.walked_on:%Y-%m-%d}"


class FindingKind(models.TextChoices):
    HAZARD = "hazard", _("safety hazard")
    SANITATION = "sanitation", _("sanitation blind spot")
    ILLEGAL_PARKING = "illegal_parking", _("illegal parking")
    BUILDING_CHECK = "building_check", _("building check")
    OTHER = "other", _("other")


class Finding(models.Model):
    """Something a patrol found at a point. It may open a resident's request (a case): the
    patrols' services open it through the cases' service (services.case_from_finding) and
    the number is kept here."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("patrol"), on_delete=models.CASCADE, related_name="findings"
    )
    point = models.PointField(_("location"), srid=4326)
    kind = models.CharField(_("kind"), max_length=20, choices=FindingKind.choices)
    note = models.TextField(_("note"), blank=True)
    opened_case_number = models.CharField(
        _("opened case"), max_length=40, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["patrol", "created_at"]
        constraints = [
            models.CheckConstraint(
                name="finding_kind_valid",
                condition=Q(kind__in=[k.value for k in FindingKind]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.patrol})"
