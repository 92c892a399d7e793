"""In-app notifications (站内消息): one row per recipient. The text is rendered when it is
shown, in the reader's language, from the kind and its parameters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.notices.kinds import NoticeKind
from gridgov.notices.texts import notice_text

__all__ = ["Notice", "NoticeKind", "ScheduledJob"]


class Notice(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices)
    params = models.JSONField(_("details"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    key = models.CharField(
        _("de-duplication key"),
        max_length=120,
        blank=True,
        help_text=_("A recipient gets at most one notice per key (reminders are not repeated)."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~Q(key=""), name="notice_once_per_key"
            ),
        ]

    def __str__(self) -> str:
        return notice_text(self)


class ScheduledJob(models.Model):
    """Where one of the scheduler's jobs stands (gridgov/notices/scheduler.py): when it is
    due next, and which scheduler process holds it until when (a lease, so that two
    schedulers never run one job at once and a dead one's job is taken over)."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    next_run_at = models.DateTimeField(_("due"), null=True, blank=True)
    locked_by = models.CharField(_("held by"), max_length=100, blank=True)
    locked_until = models.DateTimeField(_("held until"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    failures = models.PositiveIntegerField(_("failures"), default=0)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
