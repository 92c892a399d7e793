"""API keys for city systems (the 12345 hotline, the city grid platform, GIS departments).

A key is shown once when it is issued (``gg_<prefix>_<rest>``); the database keeps the
8-character prefix, to find the key and to show it, and a salted SHA-256 of the whole key,
never the key itself. Keys are revoked, never deleted: their use log stays readable.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.grids.models import Grid

PREFIX_LENGTH = 8


def default_rate() -> int:
    """Requests per minute of a new key unless told (setting GRIDGOV_API_KEY_RATE, 120)."""
    return int(getattr(settings, "GRIDGOV_API_KEY_RATE", 120))


class ApiKey(models.Model):
    name = models.CharField(
        _("system"),
        max_length=100,
        help_text=_("The city system using this key, e.g. the 12345 hotline."),
    )
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, unique=True, editable=False)
    salt = models.CharField(_("salt"), max_length=32, editable=False)
    secret_hash = models.CharField(_("secret hash"), max_length=64, editable=False)
    can_read = models.BooleanField(_("may read layers and requests"), default=True)
    can_post_requests = models.BooleanField(_("may post Open311 requests"), default=False)
    scope_code = models.CharField(
        _("grid code prefix"),
        max_length=20,
        blank=True,
        help_text=_(
            "Requests it reads are limited to grids whose code starts with this; empty: all."
        ),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests per minute"), default=default_rate
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_limit_per_minute__gte=1), name="apikey_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (gg_{self.prefix}_…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def clean(self) -> None:
        # The scope is a grid's code (its subtree), never a free prefix: "1" or a typo would
        # quietly widen or empty what the key reads.
        if self.scope_code and not Grid.objects.filter(code=self.scope_code).exists():
            raise ValidationError(
                {
                    "scope_code": _(
                        "Grid code prefix “%(code)s” is not the code of any grid: enter a grid's "
                        "code, or leave it empty for the whole district."
                    )
                    % {"code": self.scope_code}
                }
            )


class ApiKeyUse(models.Model):
    """One request made with a key (or with an unknown key: then ``key`` is empty and
    ``prefix`` holds what was presented). Append-only."""

    key = models.ForeignKey(
        ApiKey,
        verbose_name=_("API key"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="uses",
    )
    prefix = models.CharField(_("prefix presented"), max_length=PREFIX_LENGTH, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    remote_addr = models.GenericIPAddressField(_("remote address"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key use")
        verbose_name_plural = _("API key uses")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["key", "at"], name="apikeyuse_key_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.path} {self.status_code}"
