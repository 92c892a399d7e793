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


# --- member groups (党员小组) and household teams (包干到层、包干到户) -------------------------
#
# A compound's saved set of groups (and a building's or compound's set of teams) is written
# as a whole by the services in groups/services.py: saving replaces the previous set.


class MemberGroup(models.Model):
    """A member group of a compound (20–30 members living in neighbouring buildings), with
    its leader and deputy."""

    compound = models.ForeignKey(
        Grid,
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="member_groups",
        limit_choices_to={"level": Level.COMPOUND},
    )
    number = models.PositiveSmallIntegerField(_("group number"))
    leader = models.ForeignKey(
        "people.Member",
        verbose_name=_("group leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deputy = models.ForeignKey(
        "people.Member",
        verbose_name=_("deputy group leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(
        "people.Member",
        verbose_name=_("members"),
        through="MemberGroupMembership",
        related_name="member_groups",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("member group")
        verbose_name_plural = _("member groups")
        ordering = ["compound__code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "number"], name="membergroup_number_once"),
            models.CheckConstraint(
                name="membergroup_leader_not_deputy",
                condition=Q(leader__isnull=True)
                | Q(deputy__isnull=True)
                | ~Q(leader=models.F("deputy")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound.code} #{self.number}"


class MemberGroupMembership(models.Model):
    """A member in a group. A member is in at most one group (they live in one compound)."""

    group = models.ForeignKey(
        MemberGroup,
        verbose_name=_("member group"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    member = models.ForeignKey(
        "people.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("member group membership")
        verbose_name_plural = _("member group memberships")
        constraints = [
            models.UniqueConstraint(fields=["member"], name="membergroup_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.member_id}"


class HouseholdTeam(models.Model):
    """A team of three members owning a set of households (包干到户) of a building or a
    compound (the grid the teams were planned for)."""

    grid = models.ForeignKey(
        Grid,
        verbose_name=_("building or compound"),
        on_delete=models.PROTECT,
        related_name="household_teams",
    )
    number = models.PositiveSmallIntegerField(_("team number"))
    members = models.ManyToManyField(
        "people.Member",
        verbose_name=_("members"),
        through="HouseholdTeamMember",
        related_name="household_teams",
    )
    households = models.ManyToManyField(
        "people.Household",
        verbose_name=_("households"),
        through="HouseholdTeamHousehold",
        related_name="household_teams",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("household team")
        verbose_name_plural = _("household teams")
        ordering = ["grid__code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "number"], name="householdteam_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.grid.code} #{self.number}"


class HouseholdTeamMember(models.Model):
    """A member of a household team; a member is in at most one team."""

    team = models.ForeignKey(
        HouseholdTeam,
        verbose_name=_("household team"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    member = models.ForeignKey(
        "people.Member", verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("household team member")
        verbose_name_plural = _("household team members")
        constraints = [
            models.UniqueConstraint(fields=["member"], name="householdteam_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.member_id}"


class HouseholdTeamHousehold(models.Model):
    """A household owned by a team; every household is owned by at most one team."""

    team = models.ForeignKey(
        HouseholdTeam,
        verbose_name=_("household team"),
        on_delete=models.CASCADE,
        related_name="ownerships",
    )
    household = models.ForeignKey(
        "people.Household", verbose_name=_("household"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("household owned by a team")
        verbose_name_plural = _("households owned by teams")
        constraints = [
            models.UniqueConstraint(fields=["household"], name="householdteam_household_once"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.household_id}"
