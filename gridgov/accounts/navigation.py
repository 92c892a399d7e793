"""Where each person lands after signing in, and the pages the navigation offers them: both
read from the permission table (``policy.RULES``), so nobody is offered a page they cannot
open (tests/shell/test_navigation.py opens every entry as every role).

A page is an :class:`Entry`: a URL name and who may open it (everyone, the signed-in, people
with a member record, or the holders of a capability). ``menu(user)`` lists the entries the
user may open, in the order the "more" page shows them; ``tabs(user)`` the few a phone's
bottom bar and a tablet's top bar show (at most five with "more"); ``landing(user)`` the
page a role starts its day on:

- grid leader, building leader, branch secretary: their grid's dashboard;
- community secretary and staff: the requests of their community (the work queue);
- street office (and superusers): the district map with every community's figures;
- a party member with no staff role: the member's home;
- anonymous: the home page, which leads with a resident's actions.

Only URL names here, never a view: accounts sits below every app that owns a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from gridgov.accounts import policy
from gridgov.accounts.models import Assignment, StaffRole

EVERYONE = "everyone"
ANONYMOUS = "anonymous"
SIGNED_IN = "signed_in"
MEMBER = "member"  # a user with a member record (user.member)
NOT_MEMBER = "not_member"  # anonymous, or signed in without a member record
STAFF_SITE = "staff_site"  # Django's is_staff: the administration


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    url_name: str
    who: str | tuple[str, ...]  # EVERYONE, ANONYMOUS, NOT_MEMBER, SIGNED_IN, MEMBER,
    # STAFF_SITE or a policy capability; a tuple: any of them
    group: str = ""


PUBLIC = _("For residents")
MINE = _("For me")
WORK = _("Work")
OVERSIGHT = _("Oversight")

ENTRIES: tuple[Entry, ...] = (
    Entry("finder", _("Find my building leader"), "finder:find", EVERYONE, PUBLIC),
    Entry("activities", _("Activities"), "service:activities", SIGNED_IN, PUBLIC),
    Entry("register", _("Report to my community"), "reporting:register", NOT_MEMBER, PUBLIC),
    Entry("street", _("Street map"), "maps:street", EVERYONE, PUBLIC),
    Entry("my_points", _("My hours and points"), "points:me", MEMBER, MINE),
    Entry("my_posts", _("My posts"), "posts:mine", MEMBER, MINE),
    Entry("my_reporting", _("My reporting"), "reporting:me", MEMBER, MINE),
    Entry("mall", _("Points mall"), "points:mall", MEMBER, MINE),
    Entry("notices", _("Notices"), "notices:list", SIGNED_IN, MINE),
    Entry("cases", _("Requests"), "cases:list", (policy.HANDLE_CASES, MEMBER), WORK),
    Entry("patrols", _("Patrols"), "patrols:list", policy.RECORD_PATROLS, WORK),
    Entry("posts", _("Service posts"), "posts:list", SIGNED_IN, WORK),
    Entry("lists", _("The three lists"), "posts:lists", policy.READ_MEMBERS, WORK),
    Entry("publish", _("Publish an activity"), "service:new", policy.ORGANISE_ACTIVITIES, WORK),
    Entry(
        "pending",
        _("Reporting to confirm"),
        "reporting:pending",
        policy.CONFIRM_REPORTING,
        WORK,
    ),
    Entry("units", _("Co-building units"), "reporting:units", policy.CONFIRM_REPORTING, WORK),
    Entry("hours", _("Members' hours"), "points:members", policy.READ_HOURS, OVERSIGHT),
    Entry("redemptions", _("Redemptions"), "points:redemptions", policy.KEEP_POINTS, OVERSIGHT),
    Entry("reports", _("Reports"), "reports:quarterly", policy.VIEW_REPORTS, OVERSIGHT),
    Entry("annual", _("Annual check"), "reports:annual", policy.VIEW_REPORTS, OVERSIGHT),
    Entry("planning", _("Branch planning"), "planning:page", policy.PLAN, OVERSIGHT),
    Entry("admin", _("Administration"), "admin:index", STAFF_SITE, OVERSIGHT),
)

# Roles in the order their landing page wins when a user holds several.
LANDING_ORDER = (
    StaffRole.STREET_ADMIN,
    StaffRole.COMMUNITY_SECRETARY,
    StaffRole.COMMUNITY_STAFF,
    StaffRole.BRANCH_SECRETARY,
    StaffRole.GRID_LEADER,
    StaffRole.BUILDING_LEADER,
)
DASHBOARD_ROLES = {StaffRole.BRANCH_SECRETARY, StaffRole.GRID_LEADER, StaffRole.BUILDING_LEADER}
QUEUE_ROLES = {StaffRole.COMMUNITY_SECRETARY, StaffRole.COMMUNITY_STAFF}
TAB_LIMIT = 3  # the home tab, three entries, "more": five in all
ANONYMOUS_TABS = ("finder", "register", "street")
ROLE_TABS = ("cases", "pending", "patrols", "reports", "my_points", "activities", "finder")


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    url: str
    group: str = ""


class Navigation:
    """What one request's user is offered; built lazily, once per request."""

    def __init__(self, user) -> None:
        self.user = user

    @cached_property
    def signed_in(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    @cached_property
    def assignments(self) -> list[Assignment]:
        if not self.signed_in:
            return []
        return list(Assignment.objects.filter(user=self.user).select_related("grid"))

    @cached_property
    def roles(self) -> set[str]:
        return {a.role for a in self.assignments}

    @cached_property
    def is_member(self) -> bool:
        if not self.signed_in:
            return False
        try:
            return self.user.member is not None
        except AttributeError:  # the reverse one-to-one: no member record
            return False

    def may_open(self, entry: Entry) -> bool:
        alternatives = entry.who if isinstance(entry.who, tuple) else (entry.who,)
        return any(self._is(who) for who in alternatives)

    def _is(self, who: str) -> bool:
        if who == EVERYONE:
            return True
        if who == ANONYMOUS:
            return not self.signed_in
        if who == NOT_MEMBER:
            return not self.is_member
        if not self.signed_in:
            return False
        if who == SIGNED_IN:
            return True
        if who == MEMBER:
            return self.is_member
        if who == STAFF_SITE:
            return bool(self.user.is_staff)
        return self.user.is_superuser or bool(self.roles & policy.RULES[who])

    @cached_property
    def landing(self) -> Link:
        """The page this user starts on (the "home" tab)."""
        label = _("Home")
        if not self.signed_in:
            return Link("home", label, reverse("home"))
        if self.user.is_superuser or StaffRole.STREET_ADMIN in self.roles:
            return Link("home", label, reverse("maps:street"))
        by_rank = sorted(
            (a for a in self.assignments if a.role in LANDING_ORDER),
            key=lambda a: LANDING_ORDER.index(a.role),
        )
        for assignment in by_rank:
            if assignment.role in QUEUE_ROLES:
                return Link("home", label, reverse("cases:list"))
            if assignment.role in DASHBOARD_ROLES and assignment.grid_id:
                return Link("home", label, reverse("maps:grid", args=[assignment.grid.code]))
        if self.is_member:
            return Link("home", label, reverse("member_home"))
        return Link("home", label, reverse("home"))

    @cached_property
    def menu(self) -> list[Link]:
        """Every page this user may open, grouped as the "more" page shows them."""
        return [
            Link(e.key, str(e.label), reverse(e.url_name), str(e.group))
            for e in ENTRIES
            if self.may_open(e)
        ]

    @cached_property
    def tabs(self) -> list[Link]:
        """Home, the role's most used pages, notices, then "more" in the template: at most
        five on a phone's bottom bar and a tablet's top bar."""
        offered = {link.key: link for link in self.menu}
        if not self.signed_in:
            order, last = ANONYMOUS_TABS, []
        else:
            order, last = ROLE_TABS, [offered["notices"]]
        chosen = [
            offered[key] for key in order if key in offered and offered[key].url != self.landing.url
        ][: TAB_LIMIT - len(last)]
        return [self.landing, *chosen, *last]


def for_request(request) -> Navigation:
    """The request's one Navigation (its assignments read once for the navigation and the
    ``can`` flags of gridgov/accounts/context.py)."""
    found = getattr(request, "_gridgov_navigation", None)
    if found is None:
        found = Navigation(getattr(request, "user", None))
        request._gridgov_navigation = found
    return found


def navigation(request) -> dict:
    """Context processor: ``nav`` (tabs, menu, landing), evaluated only when a template asks."""
    return {"nav": for_request(request)}


def landing_url(user) -> str:
    return Navigation(user).landing.url
