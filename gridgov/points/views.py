"""Thin pages for hours and points: a member's own page and the points mall; staff pages to
adjust a member's ledger, hand over redemptions and see who is below the yearly target."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.accounts import policy
from gridgov.people.models import MemberKind
from gridgov.people.selectors import member_for
from gridgov.points import selectors, services
from gridgov.points.models import MallItem, Redemption, RedemptionStatus

PER_PAGE = 20
MEMBERS_PER_PAGE = 50


def _page(request: HttpRequest, rows, per_page: int = PER_PAGE):
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _summary(member) -> dict:
    return {
        "progress": selectors.yearly_progress(member),
        "stars": selectors.member_stars(member),
        "balance": selectors.points_balance(member),
    }


def _require_keeper(request: HttpRequest) -> None:
    if selectors.keeper_prefixes(request.user) == []:
        raise PermissionDenied


# --- members ----------------------------------------------------------------------------


@login_required
def me(request: HttpRequest) -> HttpResponse:
    member = member_for(request.user)
    if member is None:
        return render(request, "points/no_member.html")
    return render(
        request,
        "points/me.html",
        {
            "member": member,
            **_summary(member),
            "entries": _page(request, selectors.ledger_for(member)),
            "redemptions": selectors.redemptions_for(member)[:50],
        },
    )


@login_required
def mall(request: HttpRequest) -> HttpResponse:
    member = member_for(request.user)
    return render(
        request,
        "points/mall.html",
        {
            "member": member,
            "balance": selectors.points_balance(member) if member else None,
            "items": selectors.mall_items_for(member),
        },
    )


@login_required
@require_POST
def redeem(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_for(request.user)
    if member is None:
        messages.error(
            request,
            _("Your account is not linked to a member: points can only be redeemed by members."),
        )
        return redirect("points:mall")
    item = get_object_or_404(MallItem.objects.select_related("community"), pk=pk)
    try:
        redemption = services.redemption_create(member=member, item=item, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "You redeemed “%(item)s” for %(cost)s points; your balance is now %(balance)s. "
                "Collect it at the community office."
            )
            % {
                "item": item.name,
                "cost": redemption.points,
                "balance": selectors.points_balance(member),
            },
        )
    return redirect("points:mall")


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The member cancels their own redemption, or a keeper one in their grids."""
    member = member_for(request.user)
    redemption = get_object_or_404(Redemption.objects.select_related("member", "item"), pk=pk)
    own = member is not None and redemption.member_id == member.pk
    if not own and not selectors.may_keep_points(request.user, redemption.member):
        raise PermissionDenied
    try:
        services.redemption_cancel(
            redemption=redemption, acting_user=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Redemption cancelled: %(points)s points were refunded.")
            % {"points": redemption.points},
        )
    if own and request.POST.get("next") != "staff":
        return redirect("points:me")
    return redirect("points:redemptions")


# --- staff ------------------------------------------------------------------------------


@login_required
def members(request: HttpRequest) -> HttpResponse:
    """Members of a grid with their hours this year, fewest first (who is below target)."""
    prefixes = selectors.reader_prefixes(request.user)
    if prefixes == []:
        raise PermissionDenied
    grids = list(selectors.grids_for_hours(request.user))
    prefix = request.GET.get("grid", "").strip()
    if prefix and not policy.covers(prefixes, prefix):
        prefix = ""
    if not prefix and prefixes:
        prefix = prefixes[0]
    kind = request.GET.get("kind", MemberKind.IN_SERVICE)
    if kind not in MemberKind.values:
        kind = ""
    below = request.GET.get("below") == "1"
    rows = selectors.members_with_hours(
        request.user, prefix=prefix, kind=kind or None, below_target=below
    )
    total = selectors.members_with_hours(request.user, prefix=prefix, kind=kind or None)
    target = selectors.yearly_target()
    return render(
        request,
        "points/members.html",
        {
            "grids": grids,
            "prefix": prefix,
            "kind": kind,
            "kinds": MemberKind.choices,
            "below": below,
            "target": target,
            "page": _page(request, rows, MEMBERS_PER_PAGE),
            "member_count": total.count(),
            "below_count": total.filter(year_hours__lt=target).count(),
            "year": selectors.today().year,
            "may_adjust": selectors.keeper_prefixes(request.user) != [],
        },
    )


def _kept_member(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.members_kept_by(request.user), pk=pk)


@login_required
def member(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's ledger as the community office sees it, with the adjustment form."""
    _require_keeper(request)
    m = _kept_member(request, pk)
    return render(
        request,
        "points/member.html",
        {
            "member": m,
            **_summary(m),
            "entries": _page(request, selectors.ledger_for(m)),
            "redemptions": selectors.redemptions_for(m)[:50],
            "today": selectors.today(),
        },
    )


@login_required
@require_POST
def adjust(request: HttpRequest, pk: int) -> HttpResponse:
    _require_keeper(request)
    m = _kept_member(request, pk)
    post = request.POST
    occurred_on = None
    if post.get("occurred_on"):
        try:
            occurred_on = parse_date(post["occurred_on"])
        except ValueError:
            occurred_on = None
        if occurred_on is None:
            messages.error(request, _("Give the date as YYYY-MM-DD."))
            return redirect("points:member", pk=m.pk)
    try:
        services.ledger_adjust(
            member=m,
            hours=post.get("hours", ""),
            points=post.get("points", ""),
            reason=post.get("reason", ""),
            occurred_on=occurred_on,
            acting_user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Adjustment recorded for %(member)s.") % {"member": m.name})
    return redirect("points:member", pk=m.pk)


@login_required
def redemptions(request: HttpRequest) -> HttpResponse:
    """Redemptions in the keeper's grids waiting to be handed over (oldest first)."""
    _require_keeper(request)
    status = request.GET.get("status", RedemptionStatus.REDEEMED)
    if status not in RedemptionStatus.values:
        status = RedemptionStatus.REDEEMED
    return render(
        request,
        "points/redemptions.html",
        {
            "page": _page(request, selectors.redemptions_kept_by(request.user, status=status)),
            "status": status,
            "statuses": RedemptionStatus.choices,
        },
    )


@login_required
@require_POST
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    _require_keeper(request)
    redemption = get_object_or_404(selectors.redemptions_kept_by(request.user, status=None), pk=pk)
    try:
        services.redemption_hand_over(redemption=redemption, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("“%(item)s” handed over to %(member)s.")
            % {"item": redemption.item.name, "member": redemption.member.name},
        )
    return redirect("points:redemptions")
