"""Writers of service posts, claims, post actions and members' resources.

Every service runs in one transaction that writes its rows and one audit row, or nothing.
A post's places are taken with a conditional UPDATE (``claimed = claimed + 1 WHERE claimed <
places``): among concurrent claimers of the last place exactly one row changes, and everyone
else is told the post is full. ``acting_user=None`` means the system itself (imports, tests).
The three lists' writers (resources, the service list) are in lists/services.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.actors import Actor, account_of
from gridgov.accounts.services import audit_record, snapshot
from gridgov.grids.models import Grid, Level
from gridgov.people.models import Member
from gridgov.posts.errors import PostError, PostFull, PostNotAllowed
from gridgov.posts.models import PostAction, PostClaim, PostKind, ServicePost
from gridgov.posts.selectors import manages

# --- helpers ------------------------------------------------------------------------------


def is_self(user: Actor, member: Member) -> bool:
    account = account_of(user)
    return account is not None and member.user_id == account.pk


def require_manager(user: Actor, grid_code: str, what: str) -> None:
    if not manages(user, grid_code):
        raise PostNotAllowed(
            _("%(user)s may not manage %(what)s: it lies outside their grids.")
            % {"user": user, "what": what}
        )


def require_self_or_manager(user: Actor, member: Member, grid_code: str, what: str) -> None:
    if user is None or is_self(user, member) or manages(user, grid_code):
        return
    raise PostNotAllowed(
        _("Only %(member)s or the staff of their grid may change %(what)s.")
        % {"member": member, "what": what}
    )


def as_date(value: Any, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise PostError(
            {
                field: _("%(label)s: %(value)r is not a date (YYYY-MM-DD).")
                % {"label": label, "value": value}
            }
        ) from exc


def not_future(day: dt.date, field: str, label: str) -> None:
    if day > timezone.localdate():
        raise PostError(
            {
                field: _("%(label)s cannot be in the future (%(day)s).")
                % {"label": label, "day": day}
            }
        )


def _places(value: Any, post_label: str) -> int:
    try:
        places = int(value)
    except (TypeError, ValueError):
        places = 0
    if places < 1 or str(value).strip() != str(places):
        raise PostError(
            {
                "places": _("%(post)s: places must be a whole number of at least 1, not %(value)s.")
                % {"post": post_label, "value": value}
            }
        )
    return places


# --- posts --------------------------------------------------------------------------------


@transaction.atomic
def post_create(
    *, acting_user: Actor, kind: PostKind, grid: Grid, places: Any = 1, description: str = ""
) -> ServicePost:
    """Open a post of a kind in a community or one of its compounds."""
    if kind is None:
        raise PostError({"kind": _("Choose the kind of post.")})
    if grid is None or grid.level not in (Level.COMMUNITY, Level.COMPOUND):
        raise PostError(
            {
                "grid": _("A post belongs to a community or a compound, not to %(g)s.")
                % {"g": grid or "—"}
            }
        )
    label = f"{kind} · {grid.name}"
    require_manager(acting_user, grid.code, label)
    if not kind.active:
        raise PostError({"kind": _("The post kind %(kind)s is no longer in use.") % {"kind": kind}})
    community = grid if grid.level == Level.COMMUNITY else grid.parent
    if ServicePost.objects.filter(kind=kind, grid=grid).exists():
        raise PostError(
            {
                "kind": _(
                    "%(grid)s already has a post of kind %(kind)s: give it more places instead."
                )
                % {"grid": grid.name, "kind": kind}
            }
        )
    post = ServicePost(
        kind=kind,
        grid=grid,
        community=community,
        grid_code=grid.code,
        places=_places(places, label),
        description=(description or "").strip(),
    )
    post.full_clean()
    post.save()
    audit_record(actor=acting_user, action="post.create", obj=post, after=snapshot(post))
    return post


@transaction.atomic
def post_update(
    *,
    post: ServicePost,
    acting_user: Actor,
    places: Any = None,
    description: str | None = None,
    active: bool | None = None,
) -> ServicePost:
    """Change a post's places, description or whether it takes new claims. Places never go
    below the current number of holders (checked in the same UPDATE that sets them)."""
    post = ServicePost.objects.select_for_update().select_related("kind", "grid").get(pk=post.pk)
    require_manager(acting_user, post.grid_code, str(post))
    before = snapshot(post)
    if places is not None:
        wanted = _places(places, str(post))
        if not ServicePost.objects.filter(pk=post.pk, claimed__lte=wanted).update(places=wanted):
            post.refresh_from_db()
            raise PostError(
                {
                    "places": _("%(post)s has %(n)s holders: places cannot go below %(n)s.")
                    % {"post": post, "n": post.claimed}
                }
            )
        post.refresh_from_db()
    if description is not None:
        post.description = description.strip()
    if active is not None:
        post.active = bool(active)
    post.save(update_fields=["description", "active"])
    audit_record(
        actor=acting_user, action="post.update", obj=post, before=before, after=snapshot(post)
    )
    return post


# --- claims -------------------------------------------------------------------------------


def _take_place(
    *, post: ServicePost, member: Member, acting_user: Actor, since: Any, assigned: bool
) -> PostClaim:
    post = ServicePost.objects.select_related("kind", "grid", "community").get(pk=post.pk)
    if member is None:
        raise PostError({"member": _("%(post)s: choose a member.") % {"post": post}})
    day = as_date(since, "since", str(post)) if since else timezone.localdate()
    not_future(day, "since", _("The claim's start"))
    if not post.active:
        raise PostError(_("%(post)s takes no new claims.") % {"post": post})
    if member.community_id != post.community_id:
        raise PostError(
            {
                "member": _(
                    "%(member)s lives outside %(community)s: members claim posts in the community "
                    "where they live."
                )
                % {"member": member, "community": post.community.name}
            }
        )
    if PostClaim.objects.filter(post=post, member=member, released_on__isnull=True).exists():
        raise PostError(_("%(member)s already holds %(post)s.") % {"member": member, "post": post})
    won = ServicePost.objects.filter(pk=post.pk, active=True, claimed__lt=F("places")).update(
        claimed=F("claimed") + 1
    )
    if not won:
        post.refresh_from_db()
        raise PostFull(
            _("All %(n)s places of %(post)s are taken.") % {"n": post.places, "post": post}
        )
    try:
        with transaction.atomic():
            claim = PostClaim.objects.create(
                post=post,
                member=member,
                since=day,
                assigned_by=account_of(acting_user) if assigned else None,
            )
    except IntegrityError as exc:  # the same member claiming twice at the same moment
        raise PostError(
            _("%(member)s already holds %(post)s.") % {"member": member, "post": post}
        ) from exc
    audit_record(
        actor=acting_user,
        action="post.assign" if assigned else "post.claim",
        obj=claim,
        after=snapshot(claim),
    )
    return claim


@transaction.atomic
def post_claim(
    *, post: ServicePost, member: Member, acting_user: Actor, since: Any = None
) -> PostClaim:
    """领岗: a member claims a place on a post of their own community for themselves."""
    if acting_user is not None and not is_self(acting_user, member):
        raise PostNotAllowed(
            _("Only %(member)s can claim a post for themselves; staff assign posts instead.")
            % {"member": member}
        )
    return _take_place(
        post=post, member=member, acting_user=acting_user, since=since, assigned=False
    )


@transaction.atomic
def post_assign(
    *, post: ServicePost, member: Member, acting_user: Actor, since: Any = None
) -> PostClaim:
    """Staff give a member of the post's community a place on it."""
    require_manager(acting_user, post.grid_code, str(post))
    return _take_place(
        post=post, member=member, acting_user=acting_user, since=since, assigned=True
    )


@transaction.atomic
def claim_release(*, claim: PostClaim, acting_user: Actor, on: Any = None) -> PostClaim:
    """The holder leaves the post (or staff end the claim); the place becomes free again."""
    claim = (
        PostClaim.objects.select_for_update(of=("self",))
        .select_related("member", "post__kind", "post__grid")
        .get(pk=claim.pk)
    )
    require_self_or_manager(acting_user, claim.member, claim.post.grid_code, str(claim.post))
    if claim.released_on is not None:
        raise PostError(
            _("%(member)s already left %(post)s on %(day)s.")
            % {"member": claim.member, "post": claim.post, "day": claim.released_on}
        )
    day = as_date(on, "released_on", str(claim.post)) if on else timezone.localdate()
    not_future(day, "released_on", _("The release date"))
    if day < claim.since:
        raise PostError(
            {
                "released_on": _(
                    "%(post)s was claimed on %(since)s: it cannot be released before that."
                )
                % {"post": claim.post, "since": claim.since}
            }
        )
    before = snapshot(claim)
    if not PostClaim.objects.filter(pk=claim.pk, released_on__isnull=True).update(released_on=day):
        raise PostError(
            _("%(member)s already left %(post)s.") % {"member": claim.member, "post": claim.post}
        )
    ServicePost.objects.filter(pk=claim.post_id, claimed__gt=0).update(claimed=F("claimed") - 1)
    claim.released_on = day
    audit_record(
        actor=acting_user, action="post.release", obj=claim, before=before, after=snapshot(claim)
    )
    return claim


# --- actions ------------------------------------------------------------------------------


@transaction.atomic
def post_action_record(
    *, claim: PostClaim, acting_user: Actor, note: str, acted_on: Any = None
) -> PostAction:
    """履职: the holder (or staff for them) records what they did on their post on a day."""
    claim = PostClaim.objects.select_related("member", "post__kind", "post__grid").get(pk=claim.pk)
    require_self_or_manager(acting_user, claim.member, claim.post.grid_code, str(claim.post))
    if claim.released_on is not None:
        raise PostError(
            _("%(member)s left %(post)s on %(day)s: no more actions can be recorded on it.")
            % {"member": claim.member, "post": claim.post, "day": claim.released_on}
        )
    day = as_date(acted_on, "acted_on", str(claim.post)) if acted_on else timezone.localdate()
    not_future(day, "acted_on", _("The date of the action"))
    if day < claim.since:
        raise PostError(
            {
                "acted_on": _(
                    "%(member)s has held %(post)s since %(since)s: an action "
                    "on %(day)s is before that."
                )
                % {"member": claim.member, "post": claim.post, "since": claim.since, "day": day}
            }
        )
    note = (note or "").strip()
    if not note:
        raise PostError({"note": _("%(post)s: say what was done.") % {"post": claim.post}})
    action = PostAction.objects.create(
        claim=claim,
        acted_on=day,
        note=note,
        recorded_by=account_of(acting_user),
    )
    audit_record(actor=acting_user, action="post.act", obj=action, after=snapshot(action))
    return action
