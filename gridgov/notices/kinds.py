"""The kinds of notice: what a notice is about. Both the model (its choices) and the texts
(what each kind says) read them; this module imports nothing of the app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    CASE_NEW = "case_new", _("new request in my grid")
    CASE_REOPENED = "case_reopened", _("request reopened in my grid")
    CASE_DISPATCHED = "case_dispatched", _("request dispatched to me")
    CASE_ESCALATED = "case_escalated", _("request escalated to the street office")
    CASE_FINISHED = "case_finished", _("my request was answered")
    SLA_DUE = "sla_due", _("deadline about to be missed")
    SLA_BREACHED = "sla_breached", _("deadline missed")
    ACTIVITY_TOMORROW = "activity_tomorrow", _("activity tomorrow")
