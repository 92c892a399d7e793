from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: backup and restore of the whole database, and the SQLite triggers put
    back after a migration rebuilds their table (gridgov.ops.triggers). No models."""

    name = "gridgov.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from gridgov.ops import triggers

        post_migrate.connect(triggers.repair_after_migrate, dispatch_uid="gridgov-triggers")
