"""Who may see what: roles scoped to a grid subtree, and the audit trail of every write."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    STREET_ADMIN = "street_admin", _("street office admin")
    COMMUNITY_SECRETARY = "community_secretary", _("community secretary")
    COMMUNITY_STAFF = "community_staff", _("community staff")
    BRANCH_SECRETARY = "branch_secretary", _("branch secretary")
    GRID_LEADER = "grid_leader", _("grid leader")
    BUILDING_LEADER = "building_leader", _("building leader")
    MEMBER = "member", _("member")


class Assignment(models.Model):
    """A user holding a role over a grid subtree: every grid whose code begins with
    ``scope_code``. A street office admin's scope is the street's code prefix (or empty:
    the whole deployment); everyone else's is the code of their grid."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    role = models.CharField(_("role"), max_length=24, choices=StaffRole.choices)
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    scope_code = models.CharField(
        _("scope code prefix"),
        max_length=40,
        blank=True,
        help_text=_("Grids whose code begins with this; empty means every grid."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "scope_code"], name="assignment_once"),
            models.CheckConstraint(
                name="assignment_scoped_unless_street_admin",
                condition=models.Q(role="street_admin") | models.Q(grid__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} {self.scope_code or '*'}"

    def clean(self) -> None:
        if self.role != StaffRole.STREET_ADMIN and not self.grid_id:
            raise ValidationError({"grid": _("This role must be scoped to a grid.")})
        if self.grid_id:
            self.scope_code = self.grid.code
        elif self.scope_code:
            # A street admin's scope is a street office's code (whose code begins with no
            # other street's: gridgov.grids.codes), never an arbitrary prefix. By label:
            # accounts imports nothing above it.
            street = apps.get_model("grids", "Street")
            if not street.objects.filter(code=self.scope_code).exists():
                raise ValidationError(
                    {
                        "scope_code": _(
                            "%(code)s is not a street office's code: a street admin's scope is a "
                            "street's code, or empty for the whole district."
                        )
                        % {"code": self.scope_code}
                    }
                )


class AuditEntry(models.Model):
    """One write: who, when, what object, its state before and after. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"
