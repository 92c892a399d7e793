from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Quarterly summaries (一季一汇总) and the annual check of in-service members. No models:
    every figure is computed from the ledger, the cases and the reporting records."""

    name = "gridgov.reports"
    label = "reports"
    verbose_name = _("Reports")
