from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: backup and restore of the whole database. No models."""

    name = "gridgov.ops"
    label = "ops"
    verbose_name = _("Operations")
