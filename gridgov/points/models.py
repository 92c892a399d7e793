"""The hours and points ledger (志愿服务时长与积分): immutable entries, never edited or
deleted; a correction is a new ``adjust`` entry with a reason."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    EARN = "earn", _("earned")
    SPEND = "spend", _("spent")
    ADJUST = "adjust", _("adjustment")


class LedgerEntry(models.Model):
    """One movement of a member's hours and/or points. ``source`` names what caused it
    (``service.signup:12``, ``service.selfservice:3``, ``points.redemption:7``); one source
    earns at most once."""

    member = models.ForeignKey(
        "people.Member", verbose_name=_("member"), on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=EntryKind.choices)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2, default=Decimal("0"))
    points = models.IntegerField(_("points"), default=0)
    reason = models.CharField(_("reason"), max_length=200)
    source = models.CharField(_("source"), max_length=60, blank=True)
    occurred_on = models.DateField(_("service date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["member", "occurred_on"], name="ledger_member_date")]
        constraints = [
            models.UniqueConstraint(fields=["source"], condition=~Q(source="") & Q(kind="earn"),
                                    name="ledger_earn_once_per_source"),
            models.CheckConstraint(name="ledger_earn_not_negative",
                                   condition=~Q(kind="earn") | Q(hours__gte=0, points__gte=0)),
            models.CheckConstraint(name="ledger_spend_is_points_out",
                                   condition=~Q(kind="spend") | Q(hours=0, points__lt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} {self.hours} h {self.points:+d}"
