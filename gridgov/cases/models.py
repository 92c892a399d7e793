"""Residents' requests (诉求 / 问题 / 微心愿): resident orders, branch dispatches, member takes.

A case is a point located in the three grid levels (``Located``). Its state machine is in
``TRANSITIONS``; only gridgov.cases.services moves a case between states, and every move
leaves a ``CaseEvent`` (全流程留痕) and an audit row.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridgov.grids.models import Located


class CategoryKind(models.TextChoices):
    CONSULTATION = "consultation", _("consultation")
    PROBLEM = "problem", _("problem")
    MICRO_WISH = "micro_wish", _("micro-wish")


class CaseCategory(models.Model):
    """What a case is about, with its service levels: first response (minutes) and
    resolution (hours), both counted from the moment the case was (re)opened."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=CategoryKind.choices)
    first_response_sla_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    resolution_sla_hours = models.PositiveIntegerField(_("resolution within (hours)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="casecategory_sla_positive",
                condition=Q(first_response_sla_minutes__gt=0, resolution_sla_hours__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    WINDOW = "window", _("service window")
    PHONE = "phone", _("phone")
    ONLINE = "online", _("online")
    PATROL = "patrol", _("patrol finding")


class Status(models.TextChoices):
    NEW = "new", _("new")
    DISPATCHED = "dispatched", _("dispatched")
    TAKEN = "taken", _("taken")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed without a fix")


OPEN_STATUSES = (Status.NEW, Status.DISPATCHED, Status.TAKEN, Status.IN_PROGRESS)
FINISHED_STATUSES = (Status.RESOLVED, Status.CLOSED)
HELD_STATUSES = (Status.TAKEN, Status.IN_PROGRESS, Status.RESOLVED)  # someone took it

# action -> the states it may start from (the state machine; services enforce it).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "respond": OPEN_STATUSES,
    "dispatch": (Status.NEW, Status.DISPATCHED),
    "take": (Status.NEW, Status.DISPATCHED),  # from new: micro-wishes only
    "start": (Status.TAKEN,),
    "resolve": (Status.TAKEN, Status.IN_PROGRESS),
    "close": OPEN_STATUSES,
    "escalate": OPEN_STATUSES,
    "feedback": FINISHED_STATUSES,
    "reopen": FINISHED_STATUSES,
}


class ClosureReason(models.TextChoices):
    NOT_OURS = "not_ours", _("not our responsibility")
    DUPLICATE = "duplicate", _("duplicate")
    NO_FURTHER_ACTION = "no_further_action", _("no further action")


class CaseCounter(models.Model):
    """The last case number handed out in a year (numbers read 2026-000123)."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(Located):
    """One resident's request. Timestamps describe the current round: reopening starts a new
    round (status new, nobody holding it); the full history lives in ``events``."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.ForeignKey(
        CaseCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases"
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    requester_name = models.CharField(_("requester name"), max_length=50)
    requester_phone = models.CharField(_("requester phone"), max_length=20, blank=True)
    requester = models.ForeignKey(
        "people.Resident",
        verbose_name=_("requester (resident)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    requester_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester (user account)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requested_cases",
        help_text=_("The account allowed to give feedback and reopen the case."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    dispatched_to = models.ForeignKey(
        "people.Member",
        verbose_name=_("dispatched to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_dispatched",
    )
    taken_by = models.ForeignKey(
        "people.Member",
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases_taken",
    )
    created_at = models.DateTimeField(_("created"), db_index=True)
    opened_at = models.DateTimeField(_("opened (this round)"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    started_at = models.DateTimeField(_("work started"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    escalated = models.BooleanField(_("escalated to the street office"), default=False)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalation_note = models.TextField(_("escalation note"), blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    feedback = models.TextField(_("feedback"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1-5)"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("feedback given"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["opened_at", "id"]
        indexes = [models.Index(fields=["status", "opened_at"], name="case_status_opened")]
        constraints = [
            models.CheckConstraint(name="case_has_location", condition=Q(location__isnull=False)),
            models.CheckConstraint(
                name="case_satisfaction_1_to_5",
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
            ),
            models.CheckConstraint(
                name="case_closure_reason_iff_closed",
                condition=Q(status=Status.CLOSED, closed_at__isnull=False) & ~Q(closure_reason="")
                | ~Q(status=Status.CLOSED) & Q(closure_reason=""),
            ),
            models.CheckConstraint(
                name="case_duplicate_iff_reason_duplicate",
                condition=Q(closure_reason=ClosureReason.DUPLICATE, duplicate_of__isnull=False)
                | ~Q(closure_reason=ClosureReason.DUPLICATE) & Q(duplicate_of__isnull=True),
            ),
            models.CheckConstraint(
                name="case_not_duplicate_of_itself", condition=~Q(duplicate_of=F("id"))
            ),
            models.CheckConstraint(
                name="case_taken_by_when_held",
                condition=~Q(status__in=HELD_STATUSES)
                | Q(taken_by__isnull=False, taken_at__isnull=False),
            ),
            models.CheckConstraint(
                name="case_untaken_when_waiting",
                condition=~Q(status__in=[Status.NEW, Status.DISPATCHED]) | Q(taken_by__isnull=True),
            ),
            models.CheckConstraint(
                name="case_dispatched_to_when_dispatched",
                condition=~Q(status=Status.DISPATCHED) | Q(dispatched_to__isnull=False),
            ),
            models.CheckConstraint(
                name="case_resolved_at_when_resolved",
                condition=~Q(status=Status.RESOLVED) | Q(resolved_at__isnull=False),
            ),
            models.CheckConstraint(
                name="case_escalation_has_note",
                condition=Q(escalated=False)
                | Q(escalated_at__isnull=False) & ~Q(escalation_note=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Action(models.TextChoices):
    CREATED = "created", _("created")
    RESPONDED = "responded", _("responded")
    DISPATCHED = "dispatched", _("dispatched")
    TAKEN = "taken", _("taken")
    STARTED = "started", _("work started")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    ESCALATED = "escalated", _("escalated to the street office")
    FEEDBACK = "feedback", _("feedback")
    REOPENED = "reopened", _("reopened")
    EDITED = "edited", _("details edited")


class CaseEvent(models.Model):
    """One thing that happened to a case: who (account and, for member work, the member),
    what, the status before and after, and a note. Append-only."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    member = models.ForeignKey(
        "people.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_events",
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_status = models.CharField(
        _("from status"), max_length=12, choices=Status.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=12, choices=Status.choices)
    note = models.TextField(_("note"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1-5)"), null=True, blank=True)
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                name="caseevent_satisfaction_1_to_5",
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
