"""The street demo's service posts (领岗认责, with actions every half month and a few holders
overdue), members' resources and matches on the three lists (三单), through gridgov.posts'
services on the demo clock."""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from gridgov.cases.models import Case, Status
from gridgov.demo import life_words as words
from gridgov.demo.clock import at, local
from gridgov.demo.life_context import Community
from gridgov.people.models import Vulnerability
from gridgov.posts.lists.selectors import VULNERABILITY_CATEGORIES
from gridgov.posts.lists.services import (
    resource_create,
    resource_update,
    service_entry_cancel,
    service_entry_complete,
    service_entry_confirm,
)
from gridgov.posts.models import CaseCategoryLink, MemberResource, PostKind
from gridgov.posts.services import claim_release, post_action_record, post_claim, post_create
from gridgov.service.models import ServiceCategory

POSTS = 6  # per community: three of the community, three of its compounds


def build_posts(
    rng: random.Random, now: dt.datetime, communities: list[Community]
) -> dict[str, int]:
    today = timezone.localtime(now).date()
    kinds = list(PostKind.objects.filter(active=True).order_by("code"))
    counts = dict.fromkeys(("posts", "post_claims", "post_actions"), 0)
    for c in communities:
        grids = [c.grid] * 3 + rng.sample(c.compounds, min(3, len(c.compounds)))
        people = [m for m in c.core] + rng.sample([m for m in c.members if m not in c.core], 24)
        for kind, grid in zip(rng.sample(kinds, len(grids)), grids, strict=True):
            places = rng.randint(2, 4)
            with at(local(today - dt.timedelta(days=150), 9)):
                post = post_create(
                    acting_user=None,
                    kind=kind,
                    grid=grid,
                    places=places,
                    description=f"{kind.name}：{grid.name}",
                )
            counts["posts"] += 1
            # most posts keep a place or two free for the next member who claims one
            for member in [people.pop() for _ in range(places - rng.choice([0, 1, 1, 2]))]:
                since = today - dt.timedelta(days=rng.randint(20, 75))
                with at(local(since, 10)):
                    claim = post_claim(post=post, member=member, acting_user=None, since=since)
                counts["post_claims"] += 1
                counts["post_actions"] += _act(rng, claim, since, today)
                if rng.random() < 0.08:  # left the post: the place is free again
                    with at(now - dt.timedelta(minutes=rng.randint(5, 60))):
                        claim_release(claim=claim, acting_user=None)
    return counts


def _act(rng: random.Random, claim, since: dt.date, today: dt.date) -> int:
    """Actions at most a half month apart; about one holder in six is overdue now."""
    overdue = rng.random() < 0.17
    last = today - dt.timedelta(days=rng.randint(17, 30) if overdue else rng.randint(0, 12))
    day, n = since + dt.timedelta(days=rng.randint(1, 6)), 0
    while day <= last:
        with at(local(day, rng.randint(8, 20))):
            post_action_record(
                claim=claim, acting_user=None, acted_on=day, note=rng.choice(words.POST_NOTES)
            )
        n += 1
        day += dt.timedelta(days=rng.randint(9, 15))
    return n


def build_lists(
    rng: random.Random, now: dt.datetime, communities: list[Community]
) -> dict[str, int]:
    """Resources offered by members, and matches confirmed on the service list: planned,
    done and cancelled ones for surveyed residents, one dispatched request per community."""
    today = timezone.localtime(now).date()
    categories = {c.code: c for c in ServiceCategory.objects.filter(active=True)}
    counts = dict.fromkeys(("resources", "service_list"), 0)
    survey_year = (
        Vulnerability.objects.order_by("-surveyed_year")
        .values_list("surveyed_year", flat=True)
        .first()
    )
    links = dict(CaseCategoryLink.objects.values_list("case_category_id", "service_category__code"))
    for c in communities:
        offering: dict[str, list] = {}
        offerers = c.core + rng.sample([m for m in c.members if m not in c.core], 6)
        for i, member in enumerate(offerers):
            code, skill, time = words.RESOURCES[(i + rng.randrange(3)) % len(words.RESOURCES)]
            with at(now - dt.timedelta(days=rng.randint(20, 60))):
                resource = resource_create(
                    member=member,
                    acting_user=None,
                    category=categories[code],
                    skill=skill,
                    available_time=time,
                )
            counts["resources"] += 1
            if i == len(offerers) - 1:  # withdrawn: stays for past matches, offers nothing now
                with at(now - dt.timedelta(days=5)):
                    resource_update(resource=resource, acting_user=None, active=False)
            else:
                offering.setdefault(code, []).append(member)
        needs = [
            v
            for v in Vulnerability.objects.filter(
                surveyed_year=survey_year, resident__household__community=c.grid
            )
            .select_related("resident")
            .order_by("resident_id", "category")
            if VULNERABILITY_CATEGORIES.get(v.category) in offering
        ]
        for step, v in enumerate(rng.sample(needs, min(3, len(needs)))):
            code = VULNERABILITY_CATEGORIES[v.category]
            planned = today - dt.timedelta(days=rng.randint(8, 20))
            with at(local(planned, 10)):
                entry = service_entry_confirm(
                    acting_user=None,
                    member=rng.choice(offering[code]),
                    resident=v.resident,
                    category=categories[code],
                    note=rng.choice(words.ENTRY_NOTES),
                )
            counts["service_list"] += 1
            if step == 1:
                with at(local(planned + dt.timedelta(days=5), 16)):
                    service_entry_complete(entry=entry, acting_user=None)
            elif step == 2:
                with at(local(planned + dt.timedelta(days=2), 11)):
                    service_entry_cancel(
                        entry=entry, acting_user=None, reason=rng.choice(words.CANCEL_REASONS)
                    )
        counts["service_list"] += _dispatch_one(rng, c, offering, links)
    return counts


def _dispatch_one(rng: random.Random, c: Community, offering: dict[str, list], links) -> int:
    """下单 from the service list: a new request in the community goes to a member who
    offers its service category (skipped when none fits)."""
    for case in Case.objects.filter(
        community=c.grid, status=Status.NEW, first_response_at__isnull=False
    ).order_by("opened_at", "id"):
        code = links.get(case.category_id)
        helpers = [
            m
            for m in offering.get(code, [])
            if MemberResource.objects.filter(member=m, active=True).exists()
        ]
        if not helpers:
            continue
        try:
            service_entry_confirm(
                acting_user=None,
                member=rng.choice(helpers),
                case=case,
                dispatch=True,
                note="从服务清单派单",
            )
        except ValidationError:  # a PostError, or the request service's refusal
            continue
        return 1
    return 0
