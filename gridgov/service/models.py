"""Activities, sign-ups, check-ins and members' self-organised service (服务: 报名、签到、记录)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
