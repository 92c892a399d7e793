from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RatelimitsConfig(AppConfig):
    name = "gridgov.ratelimits"
    label = "ratelimits"
    verbose_name = "Rate limits"

    def ready(self) -> None:
        from gridgov.ratelimits.backends import create_table_after_migrate

        post_migrate.connect(
            create_table_after_migrate, sender=self, dispatch_uid="gridgov-ratelimit-table"
        )
