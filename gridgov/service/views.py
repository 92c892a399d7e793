"""Thin pages for activities and self-organised service: data from selectors, every change
through a service, refusals shown as the service words them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gridgov.people.selectors import member_for
from gridgov.photos.serving import photo_response
from gridgov.service import selectors, services
from gridgov.service.access import may_organise, may_review, organiser_grids
from gridgov.service.forms import DATETIME_INPUT, ActivityForm, SelfServiceForm, show_errors
from gridgov.service.models import Activity, ServiceCategory, SignUp

DONE = {
    "signup": gettext_lazy("You have signed up."),
    "unsignup": gettext_lazy("Your sign-up is cancelled; the place is free again."),
    "checkin-site": gettext_lazy("You are checked in."),
    "checkin-code": gettext_lazy("You are checked in."),
    "cancel": gettext_lazy("The activity is cancelled."),
    "hours": gettext_lazy("Hours recorded."),
    "checkin": gettext_lazy("Checked in."),
    "remove": gettext_lazy("The sign-up is cancelled."),
    "confirm": gettext_lazy("Confirmed: the hours count."),
    "reject": gettext_lazy("Rejected."),
}


def _activity(pk: int) -> Activity:
    return get_object_or_404(selectors.activities(), pk=pk)


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# --- activities ---------------------------------------------------------------------------


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    mine = request.GET.get("mine") == "1"
    category = request.GET.get("category", "").strip()
    qs = selectors.activity_list(user=request.user, when=when, mine=mine, category=category)
    page = Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    member = member_for(request.user)
    return render(
        request,
        "service/activity_list.html",
        {
            "page": page,
            "when": when,
            "mine": mine,
            "category": category,
            "categories": ServiceCategory.objects.filter(active=True).order_by("code"),
            "my_signups": selectors.my_signups(member),
            "can_publish": organiser_grids(request.user).exists(),
            "now": timezone.now(),
        },
    )


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(pk)
    member = member_for(request.user)
    signup = selectors.active_signup(activity, member)
    now = timezone.now()
    opens = services.checkin_opens(activity)
    open_for_signup = not activity.is_cancelled and activity.ends_at > now
    return render(
        request,
        "service/activity_detail.html",
        {
            "activity": activity,
            "member": member,
            "signup": signup,
            "is_organiser": may_organise(request.user, activity),
            "can_sign_up": member is not None
            and signup is None
            and open_for_signup
            and activity.places_left > 0,
            "full": signup is None and open_for_signup and activity.places_left == 0,
            "can_unsign": signup is not None
            and signup.checked_in_at is None
            and activity.starts_at > now,
            "checkin_open": signup is not None
            and signup.checked_in_at is None
            and not activity.is_cancelled
            and opens <= now <= activity.ends_at,
            "checkin_opens": opens,
            "ended": activity.ends_at <= now,
            "distance_limit": int(settings.GRIDGOV_CHECKIN_DISTANCE_M),
        },
    )


@login_required
@require_POST
def activity_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A member's steps (sign up, cancel the sign-up, check in) and the organiser's cancel."""
    activity = _activity(pk)
    user, post = request.user, request.POST
    member = member_for(user)
    try:
        if action == "signup":
            services.signup_create(activity=activity, member=member, acting_user=user)
        elif action == "cancel":
            services.activity_cancel(
                activity=activity, acting_user=user, reason=post.get("reason", "")
            )
        elif action in ("unsignup", "checkin-site", "checkin-code"):
            signup = selectors.active_signup(activity, member)
            if signup is None:
                raise ValidationError(
                    _("You have not signed up for “%(title)s”.") % {"title": activity.title}
                )
            if action == "unsignup":
                services.signup_cancel(signup=signup, acting_user=user)
            elif action == "checkin-code":
                services.signup_checkin_with_code(
                    signup=signup, code=post.get("code", ""), acting_user=user
                )
            else:
                point = services.point_from_input(
                    post.get("lon"), post.get("lat"), post.get("crs") or "wgs84"
                )
                services.signup_checkin_on_site(signup=signup, location=point, acting_user=user)
        else:
            raise Http404(action)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, DONE[action])
    return redirect("service:activity", pk=activity.pk)


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    if not organiser_grids(request.user).exists():
        raise PermissionDenied
    form = ActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_publish(
                acting_user=request.user,
                organiser_grid=data["organiser_grid"],
                title=data["title"],
                description=data["description"],
                category=data["category"],
                location=data["location"],
                address=data["address"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                capacity=data["capacity"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” is published.") % {"title": activity.title})
            return redirect("service:activity", pk=activity.pk)
    return render(request, "service/activity_form.html", {"form": form, "activity": None})


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(pk)
    if not may_organise(request.user, activity):
        raise PermissionDenied
    local = timezone.localtime
    initial = {
        "title": activity.title,
        "description": activity.description,
        "category": activity.category_id,
        "address": activity.address,
        "lon": f"{activity.location.x:.7f}",
        "lat": f"{activity.location.y:.7f}",
        "crs": "wgs84",
        "capacity": activity.capacity,
        "starts_at": local(activity.starts_at).strftime(DATETIME_INPUT),
        "ends_at": local(activity.ends_at).strftime(DATETIME_INPUT),
    }
    form = ActivityForm(request.POST or None, initial=initial, user=request.user, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            f: data[f]
            for f in (
                "title",
                "description",
                "category",
                "address",
                "starts_at",
                "ends_at",
                "capacity",
            )
            if f in form.changed_data
        }
        if {"lon", "lat", "crs"} & set(form.changed_data):
            changes["location"] = data["location"]
        try:
            if changes:
                services.activity_update(activity=activity, acting_user=request.user, **changes)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” is saved.") % {"title": activity.title})
            return redirect("service:activity", pk=activity.pk)
    return render(request, "service/activity_form.html", {"form": form, "activity": activity})


@login_required
def activity_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's page: the code, every sign-up with its check-in, hours to confirm."""
    activity = _activity(pk)
    if not may_organise(request.user, activity):
        raise PermissionDenied
    now = timezone.now()
    signups = list(selectors.activity_signups(activity))
    active = [s for s in signups if s.is_active]
    return render(
        request,
        "service/activity_manage.html",
        {
            "activity": activity,
            "signups": signups,
            "checked_in": sum(1 for s in active if s.checked_in_at),
            "with_hours": sum(1 for s in active if s.hours is not None),
            "started": activity.starts_at <= now,
            "before_start": activity.starts_at > now,
            "checkin_open": services.checkin_opens(activity) <= now <= activity.ends_at
            and not activity.is_cancelled,
            "can_cancel": not activity.is_cancelled
            and activity.ends_at > now
            and not any(s.hours is not None for s in active),
        },
    )


@login_required
@require_POST
def signup_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """An organiser's steps on one sign-up: confirm hours, check in, cancel."""
    signup = get_object_or_404(SignUp.objects.select_related("activity__organiser_grid"), pk=pk)
    if not may_organise(request.user, signup.activity):
        raise PermissionDenied
    try:
        if action == "hours":
            services.signup_confirm_hours(
                signup=signup, hours=request.POST.get("hours", ""), acting_user=request.user
            )
        elif action == "checkin":
            services.signup_checkin_by_organiser(signup=signup, acting_user=request.user)
        elif action == "remove":
            services.signup_cancel(signup=signup, acting_user=request.user)
        else:
            raise Http404(action)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, DONE[action])
    return redirect("service:manage", pk=signup.activity_id)


# --- self-organised service ---------------------------------------------------------------


@login_required
def self_list(request: HttpRequest) -> HttpResponse:
    member = member_for(request.user)
    return render(
        request,
        "service/self_list.html",
        {
            "member": member,
            "mine": selectors.my_self_services(member),
            "to_review": selectors.self_services_to_review(request.user),
        },
    )


@login_required
def self_new(request: HttpRequest) -> HttpResponse:
    member = member_for(request.user)
    if member is None:
        raise PermissionDenied
    form = SelfServiceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.selfservice_submit(
                member=member,
                acting_user=request.user,
                description=data["description"],
                served_on=data["served_on"],
                hours=data["hours"],
                category=data["category"],
                photo=data["photo"],
                location=data["location"],
                address=data["address"],
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Submitted: your community will confirm it."))
            return redirect("service:self", pk=record.pk)
    return render(request, "service/self_form.html", {"form": form, "member": member})


def _self_record(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.self_services_visible_to(request.user), pk=pk)


@login_required
def self_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _self_record(request, pk)
    member = member_for(request.user)
    reviewer = may_review(request.user, record) and record.member != member
    return render(
        request,
        "service/self_detail.html",
        {"record": record, "can_review": reviewer and record.status == "submitted"},
    )


@login_required
def self_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence photo, only for who may see the record (404 for anyone else, as for the
    record); never cached by proxies."""
    return photo_response(_self_record(request, pk).photo)


@login_required
@require_POST
def self_review(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    record = _self_record(request, pk)
    try:
        if action == "confirm":
            services.selfservice_confirm(record=record, acting_user=request.user)
        elif action == "reject":
            services.selfservice_reject(
                record=record, acting_user=request.user, reason=request.POST.get("reason", "")
            )
        else:
            raise Http404(action)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, DONE[action])
    return redirect("service:self", pk=record.pk)
