"""The hours and points ledger (志愿服务时长与积分) and the points mall (积分商城).

Ledger entries are immutable: never edited or deleted (the model refuses, and database
triggers refuse on both backends, see migrations/0003); a correction is a new ``adjust``
entry with a reason. Balances are sums over entries, so the history is the balance.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.grids.models import Grid, Level


class LedgerImmutableError(IntegrityError):
    """An attempt to change or delete a ledger entry: add a correcting entry instead."""


class EntryKind(models.TextChoices):
    EARN = "earn", _("earned")
    SPEND = "spend", _("spent")
    ADJUST = "adjust", _("adjustment")


class LedgerQuerySet(models.QuerySet):
    """Bulk changes are refused like single ones (the database would refuse them too)."""

    def update(self, **kwargs):
        raise LedgerImmutableError("ledger entries are immutable: add a correcting entry")

    def delete(self):
        raise LedgerImmutableError("ledger entries are immutable: add a correcting entry")


class LedgerEntry(models.Model):
    """One movement of a member's hours and/or points. ``source`` names what caused it
    (``service.signup:12``, ``service.selfservice:3``, ``points.redemption:7``); one source
    earns at most once, is spent at most once and refunded at most once."""

    member = models.ForeignKey(
        "people.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=EntryKind.choices)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2, default=Decimal("0"))
    points = models.IntegerField(_("points"), default=0)
    reason = models.CharField(_("reason"), max_length=200)
    source = models.CharField(_("source"), max_length=60, blank=True)
    occurred_on = models.DateField(_("service date"))
    # PROTECT: the entry keeps who recorded it; deactivate an account rather than delete it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["member", "occurred_on"], name="ledger_member_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["source"],
                condition=~Q(source="") & Q(kind="earn"),
                name="ledger_earn_once_per_source",
            ),
            models.UniqueConstraint(
                fields=["kind", "source"],
                condition=~Q(source="") & ~Q(kind="earn"),
                name="ledger_once_per_kind_and_source",
            ),
            models.CheckConstraint(
                name="ledger_earn_not_negative",
                condition=~Q(kind="earn") | Q(hours__gte=0, points__gte=0),
            ),
            models.CheckConstraint(
                name="ledger_spend_is_points_out",
                condition=~Q(kind="spend") | Q(hours=0, points__lt=0),
            ),
            models.CheckConstraint(
                name="ledger_adjust_has_reason_and_amount",
                condition=~Q(kind="adjust") | (~Q(reason="") & ~Q(hours=0, points=0)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} {self.hours} h {self.points:+d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerImmutableError(
                f"ledger entry {self.pk} is immutable: add a correcting entry instead"
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError(
            f"ledger entry {self.pk} is immutable: add a correcting entry instead"
        )


class MallItem(models.Model):
    """Something members can redeem with points (积分商城): offered by one community to its
    members, or (no community) by the whole deployment to every member."""

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    points_cost = models.PositiveIntegerField(_("points cost"))
    stock = models.PositiveIntegerField(_("stock"), help_text=_("How many are left to redeem."))
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active items can be redeemed.")
    )
    community = models.ForeignKey(
        Grid,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.COMMUNITY},
        help_text=_("The community offering the item to its members; empty: every member."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("points mall item")
        verbose_name_plural = _("points mall items")
        ordering = ["points_cost", "name", "id"]
        constraints = [
            models.CheckConstraint(name="mallitem_cost_positive", condition=Q(points_cost__gt=0)),
            models.CheckConstraint(name="mallitem_stock_not_negative", condition=Q(stock__gte=0)),
        ]

    def __str__(self) -> str:
        return self.name


class RedemptionStatus(models.TextChoices):
    REDEEMED = "redeemed", _("redeemed, to hand over")
    HANDED_OVER = "handed_over", _("handed over")
    CANCELLED = "cancelled", _("cancelled")


class Redemption(models.Model):
    """A member's redemption of one mall item: the points were spent by a ledger entry
    (source ``points.redemption:<id>``); a cancellation refunds them with a new entry and
    puts the item back in stock."""

    member = models.ForeignKey(
        "people.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    item = models.ForeignKey(
        MallItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="redemptions"
    )
    points = models.PositiveIntegerField(_("points"), help_text=_("The price paid."))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.REDEEMED,
    )
    created_at = models.DateTimeField(_("redeemed at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("redeemed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="redemption_status")]
        constraints = [
            models.CheckConstraint(name="redemption_points_positive", condition=Q(points__gt=0)),
            models.CheckConstraint(
                name="redemption_status_times",
                condition=Q(
                    status="redeemed", handed_over_at__isnull=True, cancelled_at__isnull=True
                )
                | Q(status="handed_over", handed_over_at__isnull=False, cancelled_at__isnull=True)
                | Q(status="cancelled", cancelled_at__isnull=False, handed_over_at__isnull=True)
                & ~Q(cancel_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.item} · {self.points}"

    @property
    def source(self) -> str:
        """The ``source`` of the ledger entries this redemption wrote."""
        return f"points.redemption:{self.pk}"
