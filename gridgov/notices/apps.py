from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "gridgov.notices"
    label = "notices"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        """Subscribe to the events of the apps below (gridgov.events): the explicit list
        is ``case_notices.SUBSCRIPTIONS``, and a sent message (a notice's e-mail left)."""
        from gridgov import events
        from gridgov.messaging.services import SENT_EVENT
        from gridgov.notices import case_notices, delivery

        for event, handler in case_notices.SUBSCRIPTIONS:
            events.on(event, handler)
        events.on(SENT_EVENT, delivery.message_sent)
