from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """A person's rights under PIPL: a copy of their data, and erasure. No models."""

    name = "gridgov.privacy"
    label = "privacy"
    verbose_name = _("Personal data")
