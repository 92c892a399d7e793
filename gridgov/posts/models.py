"""Service posts (服务岗位, 领岗认责) and the three lists (三单: resources, needs, services).

A post is a kind of work (党员先锋岗, 环境维护岗 …) offered in a community or one of its
compounds, with a number of places. Members claim places; every holder records what they did
at least once every ``act_every_days`` (a half month). The three lists: members' resources
(skills and time, by service category), residents' needs (read from open cases and the
yearly survey of vulnerable residents, never stored twice) and the service list — needs
matched to members, confirmed by staff.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridgov.grids.models import Grid, Level

# 每半月至少履职一次: a post holder acts at least once every half month.
HALF_MONTH_DAYS = 15


class PostKind(models.Model):
    """A kind of service post in the catalogue (seeded), tied to one service category."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    category = models.ForeignKey(
        "service.ServiceCategory",
        verbose_name=_("service category"),
        on_delete=models.PROTECT,
        related_name="post_kinds",
    )
    act_every_days = models.PositiveSmallIntegerField(
        _("act at least every (days)"),
        default=HALF_MONTH_DAYS,
        help_text=_("A holder with no recorded action for longer than this is overdue."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("post kind")
        verbose_name_plural = _("post kinds")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="postkind_act_every_positive", condition=Q(act_every_days__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ServicePost(models.Model):
    """A post of one kind in a community or one of its compounds, with a number of places.
    ``claimed`` counts the current claims; it is only changed by conditional updates in
    gridgov.posts.services, so places are never over-claimed, even concurrently."""

    kind = models.ForeignKey(
        PostKind, verbose_name=_("post kind"), on_delete=models.PROTECT, related_name="posts"
    )
    community = models.ForeignKey(
        Grid,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="service_posts",
        limit_choices_to={"level__in": [Level.COMMUNITY, Level.COMPOUND]},
        help_text=_("The community itself or one of its compounds."),
    )
    grid_code = models.CharField(_("grid code"), max_length=40, db_index=True, editable=False)
    description = models.TextField(_("description"), blank=True)
    places = models.PositiveSmallIntegerField(_("places"), default=1)
    claimed = models.PositiveSmallIntegerField(_("places taken"), default=0, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("service post")
        verbose_name_plural = _("service posts")
        ordering = ["grid_code", "kind__code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "grid"],
                name="servicepost_kind_once_per_grid",
                violation_error_message=_("This grid already has a post of this kind."),
            ),
            models.CheckConstraint(name="servicepost_places_positive", condition=Q(places__gt=0)),
            models.CheckConstraint(
                name="servicepost_not_over_claimed", condition=Q(claimed__lte=F("places"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.grid.name}"

    @property
    def free(self) -> int:
        return max(self.places - self.claimed, 0)


class PostClaim(models.Model):
    """A member holding a place on a post since a date (领岗); ``released_on`` ends it and
    the history stays. ``assigned_by`` is set when staff assigned the post."""

    post = models.ForeignKey(
        ServicePost, verbose_name=_("service post"), on_delete=models.PROTECT, related_name="claims"
    )
    member = models.ForeignKey(
        "people.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="post_claims",
    )
    since = models.DateField(_("since"))
    released_on = models.DateField(_("released on"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("post claim")
        verbose_name_plural = _("post claims")
        ordering = ["-since", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "member"],
                condition=Q(released_on__isnull=True),
                name="postclaim_one_current_per_member",
                violation_error_message=_("This member already holds this post."),
            ),
            models.CheckConstraint(
                name="postclaim_released_after_since",
                condition=Q(released_on__isnull=True) | Q(released_on__gte=F("since")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.post}"

    @property
    def is_current(self) -> bool:
        return self.released_on is None


class PostAction(models.Model):
    """What a holder did on their post on a day (履职记录). Append-only."""

    claim = models.ForeignKey(
        PostClaim, verbose_name=_("post claim"), on_delete=models.PROTECT, related_name="actions"
    )
    acted_on = models.DateField(_("date"))
    note = models.TextField(_("what was done"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("post action")
        verbose_name_plural = _("post actions")
        ordering = ["-acted_on", "-id"]
        indexes = [models.Index(fields=["claim", "acted_on"], name="postaction_claim_date")]

    def __str__(self) -> str:
        return f"{self.acted_on} {self.claim}"


class MemberResource(models.Model):
    """资源清单: what a member can offer — a skill in a service category, and when."""

    member = models.ForeignKey(
        "people.Member",
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="resources",
    )
    category = models.ForeignKey(
        "service.ServiceCategory",
        verbose_name=_("service category"),
        on_delete=models.PROTECT,
        related_name="resources",
    )
    skill = models.CharField(_("skill"), max_length=100)
    available_time = models.CharField(_("available time"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("member resource")
        verbose_name_plural = _("member resources")
        ordering = ["category__code", "member__name", "id"]
        constraints = [
            models.CheckConstraint(name="memberresource_skill_not_blank", condition=~Q(skill="")),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.skill} ({self.category})"


class CaseCategoryLink(models.Model):
    """Which service category a case category's needs belong to (the needs list reads open
    cases through this table; a case category without a link yields no need)."""

    case_category = models.OneToOneField(
        "cases.CaseCategory",
        verbose_name=_("case category"),
        on_delete=models.CASCADE,
        related_name="service_link",
    )
    service_category = models.ForeignKey(
        "service.ServiceCategory",
        verbose_name=_("service category"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("case category → service category")
        verbose_name_plural = _("case categories → service categories")
        ordering = ["case_category__code"]

    def __str__(self) -> str:
        return f"{self.case_category} → {self.service_category}"


class EntryStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class ServiceListEntry(models.Model):
    """服务清单: a need matched to a member, confirmed by staff. The need is an open case or
    a surveyed resident in a service category (exactly one of ``case`` / ``resident``)."""

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_entries",
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="service_entries",
    )
    category = models.ForeignKey(
        "service.ServiceCategory",
        verbose_name=_("service category"),
        on_delete=models.PROTECT,
        related_name="service_entries",
    )
    member = models.ForeignKey(
        "people.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="service_entries",
    )
    grid_code = models.CharField(_("grid code"), max_length=40, db_index=True, editable=False)
    distance_m = models.FloatField(_("distance (m)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.PLANNED
    )
    dispatched = models.BooleanField(_("case dispatched to the member"), default=False)
    note = models.TextField(_("note"), blank=True)
    planned_on = models.DateField(_("planned on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("service list entry")
        verbose_name_plural = _("service list entries")
        ordering = ["-planned_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="serviceentry_one_need",
                condition=Q(case__isnull=False, resident__isnull=True)
                | Q(case__isnull=True, resident__isnull=False),
            ),
            models.CheckConstraint(
                name="serviceentry_done_on_iff_done",
                condition=Q(status="done", done_on__isnull=False)
                | ~Q(status="done") & Q(done_on__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["case", "member"],
                condition=Q(status="planned", case__isnull=False),
                name="serviceentry_case_member_planned_once",
            ),
            models.UniqueConstraint(
                fields=["resident", "category", "member"],
                condition=Q(status="planned", resident__isnull=False),
                name="serviceentry_resident_member_planned_once",
            ),
        ]

    def __str__(self) -> str:
        need = f"#{self.case_id}" if self.case_id else f"R{self.resident_id}"
        return f"{need} {self.category} → {self.member}"
