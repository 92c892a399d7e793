"""The front pages: the public home page, where each role lands after signing in, the "more"
page listing everything the navigation offers, and the party member's home. Which pages a
user is offered, and where they land, comes from ``gridgov/accounts/navigation.py``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gridgov.accounts.navigation import for_request
from gridgov.people.selectors import member_for, site_counts


def home(request: HttpRequest) -> HttpResponse:
    """The public home page: a resident's actions first, then the district in figures."""
    return render(request, "home.html", {"counts": site_counts()})


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """After signing in: the page the user's role starts its day on."""
    return redirect(for_request(request).landing.url)


def menu(request: HttpRequest) -> HttpResponse:
    """ "More": every page the user may open, grouped, with the account and the language."""
    navigation = for_request(request)
    groups: dict[str, list] = {}
    for link in navigation.menu:
        groups.setdefault(link.group, []).append(link)
    return render(request, "home/menu.html", {"groups": groups})


@login_required
def member_home(request: HttpRequest) -> HttpResponse:
    """The party member's home (issue 21 fills it with what needs doing now)."""
    member = member_for(request.user)
    navigation = for_request(request)
    return render(
        request,
        "home/member.html",
        {"member": member, "links": [link for link in navigation.menu if link.key != "street"]},
    )
