"""Readers of service posts: the posts a user sees, a member's posts, members without a
post and holders who are overdue. Each takes the acting user and keeps to their grids."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from gridgov.accounts import policy
from gridgov.accounts.actors import Actor
from gridgov.people.models import Member
from gridgov.posts.models import PostAction, PostClaim, ServicePost

# MANAGE_POSTS: who manages posts and the three lists in their grids (assign, confirm, the
# staff lists). Building leaders and members with a scoped role may look, not manage.


def manager_prefixes(user: Actor) -> list[str] | None:
    """Grid code prefixes in which the user manages posts (None: everywhere)."""
    return policy.prefixes(user, policy.MANAGE_POSTS)


def manages(user: Actor, grid_code: str) -> bool:
    """Whether the user manages posts at this grid code (None user: the system itself)."""
    if user is None:
        return True
    return policy.allows(user, policy.MANAGE_POSTS, grid_code)


def is_manager(user: Actor) -> bool:
    return manager_prefixes(user) != []


def _current_claims() -> Prefetch:
    return Prefetch(
        "claims",
        to_attr="holders",
        queryset=PostClaim.objects.filter(released_on__isnull=True)
        .select_related("member")
        .order_by("since", "id"),
    )


def posts_visible_to(
    user: Actor, *, member: Member | None = None, prefix: str = ""
) -> QuerySet[ServicePost]:
    """Posts in the user's grids, plus the posts of the community the member lives in;
    each with ``holders`` (its current claims)."""
    prefixes = policy.prefixes(user, policy.ANY_ROLE)
    q = policy.scope_q(prefixes)
    if prefixes is not None and member is not None and member.community_id:
        q |= Q(community_id=member.community_id)  # (Q() | X would narrow "all" to X)
    return (
        ServicePost.objects.filter(q, grid_code__startswith=prefix)
        .select_related("kind__category", "grid", "community")
        .prefetch_related(_current_claims())
    )


@dataclass
class ClaimRow:
    """A current claim with when its holder last acted and whether they are overdue."""

    claim: PostClaim
    last_acted: dt.date | None
    days_since: int  # since the last action, or since the claim began when none yet
    due_on: dt.date  # the last day by which the next action is due

    @property
    def overdue(self) -> bool:
        return self.days_since > self.claim.post.kind.act_every_days


def _claim_rows(claims: QuerySet[PostClaim], today: dt.date) -> list[ClaimRow]:
    rows = []
    for claim in claims.annotate(last_acted=Max("actions__acted_on")):
        since = claim.last_acted or claim.since
        rows.append(
            ClaimRow(
                claim=claim,
                last_acted=claim.last_acted,
                days_since=(today - since).days,
                due_on=since + dt.timedelta(days=claim.post.kind.act_every_days),
            )
        )
    return rows


def current_claims(*, member: Member, today: dt.date | None = None) -> list[ClaimRow]:
    """A member's current posts with their action status, oldest claim first."""
    today = today or timezone.localdate()
    qs = (
        PostClaim.objects.filter(member=member, released_on__isnull=True)
        .select_related("post__kind__category", "post__grid")
        .order_by("since", "id")
    )
    return _claim_rows(qs, today)


def recent_actions(*, member: Member, limit: int = 20) -> QuerySet[PostAction]:
    return PostAction.objects.filter(claim__member=member).select_related(
        "claim__post__kind", "claim__post__grid"
    )[:limit]


def members_without_post(*, user: Actor, prefix: str = "") -> QuerySet[Member]:
    """领岗认责: members in the user's grids holding no post at all (should be empty)."""
    holding = PostClaim.objects.filter(member=OuterRef("pk"), released_on__isnull=True)
    return (
        Member.objects.filter(
            policy.scoped(user, policy.MANAGE_POSTS), grid_code__startswith=prefix
        )
        .filter(~Exists(holding))
        .select_related("community", "compound", "building")
        .order_by("grid_code", "name", "id")
    )


def overdue_holders(
    *, user: Actor, prefix: str = "", today: dt.date | None = None
) -> list[ClaimRow]:
    """Post holders in the user's grids with no action for longer than their post kind
    allows (a half month), longest first. A new holder has that long from their claim."""
    today = today or timezone.localdate()
    qs = PostClaim.objects.filter(
        policy.scope_q(manager_prefixes(user), "post__grid_code"),
        post__grid_code__startswith=prefix,
        released_on__isnull=True,
    ).select_related("member", "post__kind", "post__grid")
    rows = [row for row in _claim_rows(qs, today) if row.overdue]
    return sorted(rows, key=lambda r: (-r.days_since, r.claim.member.name, r.claim.pk))


def posts_held_in_period(members: QuerySet[Member], start: dt.date, end: dt.date) -> dict[int, int]:
    """{member id: number of posts they held at some time in [start, end)} — for the
    quarterly report."""
    claims = PostClaim.objects.filter(member__in=members.values("pk"), since__lt=end).filter(
        Q(released_on__isnull=True) | Q(released_on__gte=start)
    )
    return dict(
        claims.values("member").annotate(n=Count("post", distinct=True)).values_list("member", "n")
    )
