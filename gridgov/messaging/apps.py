from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """The outbox of SMS and e-mail (gridgov.messaging) and its deployment checks."""

    name = "gridgov.messaging"
    label = "messaging"
    verbose_name = _("Outbox")

    def ready(self) -> None:
        from gridgov.messaging import checks  # noqa: F401  (registers the system checks)
