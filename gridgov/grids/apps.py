from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "gridgov.grids"
    label = "grids"
    verbose_name = _("Grids")

    def ready(self) -> None:
        from gridgov.grids import spatial

        # One receiver for the whole project (dispatch_uid): it looks at every app's tables.
        post_migrate.connect(spatial.repair_after_migrate, dispatch_uid="gridgov-spatial-index")
