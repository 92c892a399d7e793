"""Community life on the demo street: activities with sign-ups, check-ins and confirmed
hours, self-organised service, service posts with their half-monthly actions, resources and
matches on the three lists, the points mall, this year's dual reporting, and the reminders
sweep — so that every service page shows something on the first visit.

Street scale only (``builder.build`` calls it after the requests and patrols of
``life_cases_patrols``; the district is for benchmarks and never runs this). Everything goes
through the apps' services, on the demo clock (``gridgov.demo.clock``) for the steps that
happened in the past; the content comes from the seed, the times are relative to the moment
of loading.
"""

from __future__ import annotations

import random

from django.utils import timezone

from gridgov.demo.life_activities import build_activities
from gridgov.demo.life_context import communities
from gridgov.demo.life_points import build_points
from gridgov.demo.life_posts import build_lists, build_posts
from gridgov.demo.life_reporting import build_reporting


def build_life(*, seed: int) -> dict[str, int]:
    """Build it all; the counts for load_demo's summary."""
    from gridgov.notices.models import Notice
    from gridgov.notices.reminders import run_all

    now = timezone.now()

    def rng(part: str) -> random.Random:  # one stream per part: each stays as it is
        return random.Random(f"{seed}:life:{part}")

    people = communities(rng("people"))
    counts: dict[str, int] = {}
    counts |= build_activities(rng("activities"), now, people)
    counts |= build_posts(rng("posts"), now, people)
    counts |= build_lists(rng("lists"), now, people)
    counts |= build_points(rng("points"), now, people)
    counts |= build_reporting(rng("reporting"), now, people)
    counts["escalated"] = _escalate()
    run_all(now=now)  # the reminders a cron job would have sent by now
    counts["notices"] = Notice.objects.count()
    return counts


def _escalate() -> int:
    """吹哨报到: two open hazards the community cannot solve alone go to the street office
    (whose staff — the demo login — are notified)."""
    from gridgov.cases.models import OPEN_STATUSES, Case
    from gridgov.cases.services import case_escalate

    cases = Case.objects.filter(
        status__in=OPEN_STATUSES, escalated=False, category__code__in=("safety_hazard", "repair")
    ).order_by("opened_at", "id")[:2]
    for case in cases:
        case_escalate(case=case, acting_user=None, note="涉及多个部门，需街道协调处理")
    return len(cases)


def remove_photos() -> None:
    """Delete the self-organised service photos from storage once the rows are gone
    (load_demo --reset): after the commit, so a reset that fails keeps them."""
    from django.db import transaction

    from gridgov.service.models import SelfService

    storage = SelfService._meta.get_field("photo").storage
    names = [n for n in SelfService.objects.values_list("photo", flat=True) if n]
    transaction.on_commit(lambda: [storage.delete(n) for n in names])
