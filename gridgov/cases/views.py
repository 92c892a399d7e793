"""Thin pages for cases: data from selectors, every change through a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gridgov.accounts import policy
from gridgov.cases import services
from gridgov.cases.models import Case, ClosureReason
from gridgov.cases.selectors import (
    allowed_steps,
    case_row,
    cases_visible_to,
    duplicate_suggestions,
    members_for_dispatch,
    open_cases,
    requester_seen_by,
    unanswered_cases,
)
from gridgov.people.selectors import members_visible_to

DONE = {
    "respond": gettext_lazy("Response recorded."),
    "dispatch": gettext_lazy("Case dispatched."),
    "take": gettext_lazy("Case taken."),
    "start": gettext_lazy("Work started."),
    "resolve": gettext_lazy("Case resolved."),
    "close": gettext_lazy("Case closed."),
    "escalate": gettext_lazy("Case escalated to the street office."),
    "feedback": gettext_lazy("Thank you for your feedback."),
    "reopen": gettext_lazy("Case reopened."),
}


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    prefix = request.GET.get("grid", "").strip()
    rows = open_cases(user=request.user, prefix=prefix)
    unanswered = unanswered_cases(user=request.user, prefix=prefix)
    return render(
        request, "cases/list.html", {"rows": rows, "unanswered": unanswered, "prefix": prefix}
    )


def _visible(request: HttpRequest, number: str) -> Case:
    return get_object_or_404(cases_visible_to(request.user), number=number)


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = _visible(request, number)
    is_staff = policy.allows(request.user, policy.HANDLE_CASES, case.grid_code)
    is_requester = case.requester_user_id == request.user.pk
    steps = allowed_steps(case, is_staff=is_staff, is_requester=is_requester)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "row": case_row(case, timezone.now()) if case.is_open else None,
            "events": case.events.select_related("actor", "member"),
            "steps": steps,
            "members": members_for_dispatch(request.user, case) if is_staff else [],
            "closure_reasons": ClosureReason.choices,
            "duplicates": duplicate_suggestions(case=case, user=request.user)
            if is_staff and case.is_open
            else [],
            "requester": requester_seen_by(request.user, case),
            "is_staff": is_staff,
        },
    )


@login_required
@require_POST
def case_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    case = _visible(request, number)
    if step not in DONE:
        raise Http404(step)
    post, user = request.POST, request.user
    try:
        if step in ("dispatch", "take"):
            # Any member of the community the user sees: the service says why one who may not
            # be dispatched (an unconfirmed or rejected registration) is refused.
            member = (
                members_visible_to(user)
                .filter(community_id=case.community_id, pk=post.get("member") or 0)
                .first()
            )
            if member is None:
                raise ValidationError(
                    _("Case %(number)s: choose a member of its community.")
                    % {"number": case.number}
                )
            call = services.case_dispatch if step == "dispatch" else services.case_take
            call(case=case, member=member, acting_user=user, note=post.get("note", ""))
        elif step == "close":
            duplicate = None
            if post.get("duplicate_of"):
                duplicate = (
                    cases_visible_to(user).filter(number=post["duplicate_of"].strip()).first()
                )
                if duplicate is None:
                    raise ValidationError(
                        _("There is no case %(number)s.") % {"number": post["duplicate_of"]}
                    )
            services.case_close(
                case=case,
                acting_user=user,
                reason=post.get("reason", ""),
                note=post.get("note", ""),
                duplicate_of=duplicate,
            )
        elif step == "feedback":
            services.case_feedback(
                case=case,
                acting_user=user,
                satisfaction=post.get("satisfaction", ""),
                text=post.get("text", ""),
            )
        elif step == "reopen":
            services.case_reopen(case=case, acting_user=user, reason=post.get("reason", ""))
        else:
            service = {
                "respond": services.case_respond,
                "start": services.case_start,
                "resolve": services.case_resolve,
                "escalate": services.case_escalate,
            }[step]
            service(case=case, acting_user=user, note=post.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, DONE[step])
    return redirect("cases:detail", number=case.number)
