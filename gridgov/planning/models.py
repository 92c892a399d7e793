"""Branch plans: a street office's plan to found a compound party branch (小区党支部).

A plan goes proposed → approved → founded (or → rejected). Founding creates the branch
(PartyOrganisation of kind compound_branch on the compound grid) and its secretary's grid
role; the services in services.py are the only writers.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.grids.models import Grid, Level


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    APPROVED = "approved", _("approved")
    FOUNDED = "founded", _("founded")
    REJECTED = "rejected", _("rejected")


OPEN_STATUSES = (PlanStatus.PROPOSED, PlanStatus.APPROVED)


class BranchPlan(models.Model):
    """A plan to found a branch in one compound, with its proposed secretary and members."""

    compound = models.ForeignKey(
        Grid,
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="branch_plans",
        limit_choices_to={"level": Level.COMPOUND},
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.PROPOSED
    )
    proposed_secretary = models.ForeignKey(
        "people.Member",
        verbose_name=_("proposed secretary"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    members = models.ManyToManyField(
        "people.Member",
        verbose_name=_("proposed members"),
        blank=True,
        related_name="branch_plans",
    )
    note = models.TextField(_("note"), blank=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    organisation = models.ForeignKey(
        "people.PartyOrganisation",
        verbose_name=_("founded branch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("branch plan")
        verbose_name_plural = _("branch plans")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound"],
                condition=Q(status__in=["proposed", "approved"]),
                name="branchplan_one_open_per_compound",
                violation_error_message=_("This compound already has an open branch plan."),
            ),
            models.CheckConstraint(
                name="branchplan_status_valid",
                condition=Q(status__in=["proposed", "approved", "founded", "rejected"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound.code} {self.get_status_display()}"
