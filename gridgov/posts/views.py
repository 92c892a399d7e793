"""Thin pages for service posts: a community's posts (claim, assign), a member's own posts
(record an action, leave), and the staff lists of members without a post and overdue
holders. Data from selectors, every change through a service."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.accounts import policy
from gridgov.people.models import Member
from gridgov.people.selectors import member_for
from gridgov.posts import services
from gridgov.posts.lists import services as list_services
from gridgov.posts.models import MemberResource, PostClaim, ServicePost
from gridgov.posts.selectors import (
    current_claims,
    is_manager,
    manager_prefixes,
    manages,
    members_without_post,
    overdue_holders,
    posts_visible_to,
    recent_actions,
)
from gridgov.service.models import ServiceCategory


def as_int(value) -> int:
    """A primary key from a form field (0 when it is not a whole number)."""
    try:
        return int(str(value).strip())
    except ValueError:
        return 0


def back(request: HttpRequest, default: str) -> HttpResponse:
    """Redirect to the page the form came from (same site only), or ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def run(request: HttpRequest, call, done: str) -> bool:
    """Call a service; show its refusal or ``done`` as a message."""
    try:
        call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, done)
    return True


@dataclass
class CommunityPosts:
    community: object
    posts: list
    can_assign: bool
    members: list  # (member, holds a post) for the assign form


@login_required
def post_list(request: HttpRequest) -> HttpResponse:
    """The posts of the member's community and of the user's grids, with their holders."""
    user = request.user
    member = member_for(user)
    prefix = request.GET.get("grid", "").strip()
    posts = list(posts_visible_to(user, member=member, prefix=prefix))
    held = set()
    if member is not None:
        held = set(
            PostClaim.objects.filter(member=member, released_on__isnull=True).values_list(
                "post_id", flat=True
            )
        )
    prefixes = manager_prefixes(user)
    groups: dict[int, CommunityPosts] = {}
    for post in posts:
        post.held_by_me = post.pk in held
        post.can_claim = (
            member is not None
            and member.community_id == post.community_id
            and post.active
            and post.free > 0
            and not post.held_by_me
        )
        group = groups.get(post.community_id)
        if group is None:
            group = groups[post.community_id] = CommunityPosts(
                community=post.community, posts=[], can_assign=False, members=[]
            )
        group.posts.append(post)
        group.can_assign = group.can_assign or policy.covers(prefixes, post.grid_code)
    for group in groups.values():
        if group.can_assign:
            holding = set(
                PostClaim.objects.filter(
                    post__community=group.community, released_on__isnull=True
                ).values_list("member_id", flat=True)
            )
            group.members = [
                (m, m.pk in holding)
                for m in Member.objects.filter(
                    policy.scope_q(prefixes), community=group.community
                ).order_by("name", "id")
            ]
    return render(
        request,
        "posts/list.html",
        {
            "groups": sorted(groups.values(), key=lambda g: g.community.code),
            "member": member,
            "prefix": prefix,
            "is_manager": is_manager(user),
        },
    )


@login_required
@require_POST
def post_claim(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_for(request.user)
    post = get_object_or_404(posts_visible_to(request.user, member=member), pk=pk)
    if member is None:
        messages.error(request, _("Your account is not linked to a party member."))
    else:
        run(
            request,
            lambda: services.post_claim(post=post, member=member, acting_user=request.user),
            _("You now hold %(post)s.") % {"post": post},
        )
    return back(request, "posts:list")


@login_required
@require_POST
def post_assign(request: HttpRequest) -> HttpResponse:
    user = request.user
    post = get_object_or_404(
        ServicePost.objects.select_related("kind", "grid"), pk=as_int(request.POST.get("post"))
    )
    if not manages(user, post.grid_code):
        raise Http404
    member = Member.objects.filter(
        policy.scope_q(manager_prefixes(user)), pk=as_int(request.POST.get("member"))
    ).first()
    if member is None:
        messages.error(request, _("%(post)s: choose a member of its community.") % {"post": post})
    else:
        run(
            request,
            lambda: services.post_assign(post=post, member=member, acting_user=user),
            _("%(member)s now holds %(post)s.") % {"member": member, "post": post},
        )
    return back(request, "posts:list")


def _my_claim(request: HttpRequest, pk: int) -> PostClaim:
    """A claim the user may act on: their own, or one in the grids they manage."""
    claim = get_object_or_404(
        PostClaim.objects.select_related("member", "post__kind", "post__grid"), pk=pk
    )
    if claim.member.user_id == request.user.pk or manages(request.user, claim.post.grid_code):
        return claim
    raise Http404


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """A member's posts, whether an action is due, recording one, and their resources."""
    member = member_for(request.user)
    context = {"member": member, "is_manager": is_manager(request.user)}
    if member is not None:
        context.update(
            rows=current_claims(member=member),
            actions=recent_actions(member=member),
            resources=MemberResource.objects.filter(member=member).select_related("category"),
            categories=ServiceCategory.objects.filter(active=True),
        )
    return render(request, "posts/mine.html", context)


@login_required
@require_POST
def claim_act(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _my_claim(request, pk)
    run(
        request,
        lambda: services.post_action_record(
            claim=claim,
            acting_user=request.user,
            note=request.POST.get("note", ""),
            acted_on=request.POST.get("acted_on") or None,
        ),
        _("Action recorded."),
    )
    return back(request, "posts:mine")


@login_required
@require_POST
def claim_release(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _my_claim(request, pk)
    run(
        request,
        lambda: services.claim_release(claim=claim, acting_user=request.user),
        _("%(member)s left %(post)s.") % {"member": claim.member, "post": claim.post},
    )
    return back(request, "posts:mine")


@login_required
@require_POST
def resource_add(request: HttpRequest) -> HttpResponse:
    member = member_for(request.user)
    if member is None:
        raise Http404
    category = ServiceCategory.objects.filter(pk=as_int(request.POST.get("category"))).first()
    run(
        request,
        lambda: list_services.resource_create(
            member=member,
            acting_user=request.user,
            category=category,
            skill=request.POST.get("skill", ""),
            available_time=request.POST.get("available_time", ""),
        ),
        _("Resource added."),
    )
    return redirect("posts:mine")


@login_required
@require_POST
def resource_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(MemberResource.objects.select_related("member"), pk=pk)
    if resource.member.user_id != request.user.pk and not manages(
        request.user, resource.member.grid_code
    ):
        raise Http404
    active = not resource.active
    run(
        request,
        lambda: list_services.resource_update(
            resource=resource, acting_user=request.user, active=active
        ),
        _("Resource offered again.") if active else _("Resource withdrawn."),
    )
    return back(request, "posts:mine")


def _require_manager(request: HttpRequest) -> str:
    if not is_manager(request.user):
        raise PermissionDenied(_("Only community and branch staff see this list."))
    return request.GET.get("grid", "").strip()


@login_required
def unclaimed(request: HttpRequest) -> HttpResponse:
    """Members in the staff user's grids holding no post (each member claims ≥ 1)."""
    prefix = _require_manager(request)
    return render(
        request,
        "posts/unclaimed.html",
        {"members": members_without_post(user=request.user, prefix=prefix), "prefix": prefix},
    )


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Holders with no action for more than a half month, longest first."""
    prefix = _require_manager(request)
    return render(
        request,
        "posts/overdue.html",
        {"rows": overdue_holders(user=request.user, prefix=prefix), "prefix": prefix},
    )
