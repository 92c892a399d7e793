"""Who may do what, in one table: capability → the staff roles that hold it, each over the
grid subtree of their assignment (``Assignment.scope_code``). Pages, the API, the admin
(ScopedAdminMixin), exports and services ask this module (``allows``, ``scoped``,
``covers``) and nothing else compares grid codes; the access matrix (tests/trust/) walks
every URL and every model admin with it, and docs/ACCESS.md describes it.

Not in the table, because they are not staff rights:
- the public: the finder (找我的楼长), the street map, activities' public listing, Open311
  reads; members' phones masked unless they opted in;
- a member acting for themselves (their own registration, sign-ups, claims, points);
- a requester acting on their own request (feedback, reopening);
- city systems: API keys with their own scopes (gridgov/api/keys.py);
- superusers: everything.
"""

from __future__ import annotations

from django.db.models import Q

from gridgov.accounts.models import StaffRole as R
from gridgov.accounts.selectors import scope_prefixes, scope_q

# The capabilities.
VIEW_DASHBOARD = "view_dashboard"  # a grid's dashboard and its figures
SEE_MEMBER_PHONES = "see_member_phones"  # members' full phone numbers
READ_MEMBERS = "read_members"  # full member records (API, admin)
READ_RESIDENTS = "read_residents"  # residents, households, vulnerabilities
HANDLE_CASES = "handle_cases"  # respond, dispatch, take, resolve, close, escalate
CONFIRM_REPORTING = "confirm_reporting"  # 双报到: confirm or reject, unit reports
VIEW_REPORTS = "view_reports"  # quarterly summary, annual check
PLAN = "plan"  # branch plans, member groups, household teams
MANAGE_POSTS = "manage_posts"  # service posts, assignments, the three lists
RECORD_PATROLS = "record_patrols"  # routes, patrols, findings
ORGANISE_ACTIVITIES = "organise_activities"  # publish activities, confirm hours
REVIEW_SERVICE = "review_service"  # confirm members' self-organised service
KEEP_POINTS = "keep_points"  # ledger adjustments, the points mall
READ_HOURS = "read_hours"  # members' yearly hours in the grid
# City systems' API keys (the admin: see, issue, change, revoke). Only over the whole
# district (``everywhere``): a key reads every grid's layers (its scope narrows Open311 case
# reads only), so a street admin limited to a prefix, like every lower role, gets none of it.
MANAGE_API_KEYS = "manage_api_keys"
# Any role at all in a grid (a member's own community, a building leader's building): what
# "my grid" means for lists and the staff pages' scope, not a right to people's data.
ANY_ROLE = "any_role"

STREET = {R.STREET_ADMIN}
COMMUNITY = STREET | {R.COMMUNITY_SECRETARY, R.COMMUNITY_STAFF}
BRANCH = COMMUNITY | {R.BRANCH_SECRETARY}
GRID = BRANCH | {R.GRID_LEADER}
ALL_STAFF = GRID | {R.BUILDING_LEADER}

RULES: dict[str, frozenset[str]] = {
    VIEW_DASHBOARD: frozenset(ALL_STAFF | {R.MEMBER}),
    SEE_MEMBER_PHONES: frozenset(ALL_STAFF),
    READ_MEMBERS: frozenset(ALL_STAFF),
    READ_RESIDENTS: frozenset(GRID),
    HANDLE_CASES: frozenset(ALL_STAFF | {R.MEMBER}),
    CONFIRM_REPORTING: frozenset(COMMUNITY),
    VIEW_REPORTS: frozenset(BRANCH),
    PLAN: frozenset(COMMUNITY),
    MANAGE_POSTS: frozenset(GRID),
    RECORD_PATROLS: frozenset(GRID),
    ORGANISE_ACTIVITIES: frozenset(BRANCH),
    REVIEW_SERVICE: frozenset(COMMUNITY),
    KEEP_POINTS: frozenset(COMMUNITY),
    READ_HOURS: frozenset(GRID),
    MANAGE_API_KEYS: frozenset(STREET),
    ANY_ROLE: frozenset(ALL_STAFF | {R.MEMBER}),
}


def roles(capability: str) -> frozenset[str]:
    return RULES[capability]


def prefixes(user, capability: str) -> list[str] | None:
    """Grid code prefixes where ``user`` holds ``capability`` (None: everywhere; []: nowhere)."""
    return scope_prefixes(user, roles=RULES[capability])


def everywhere(user, capability: str) -> bool:
    """Whether ``user`` holds ``capability`` over the whole district (superusers; a role
    assignment with an empty scope)."""
    return prefixes(user, capability) is None


def covers(found: list[str] | None, grid_code: str | None) -> bool:
    """Whether scope prefixes (None: everywhere) cover a grid code. Exact because no grid's
    code begins with another's unless that grid is its ancestor (docs/IMPORT.md)."""
    if found is None:
        return True
    return bool(grid_code) and any(grid_code.startswith(p) for p in found)


def _code(grid) -> str | None:
    return grid if grid is None or isinstance(grid, str) else grid.code


def allows(user, capability: str, grid=None) -> bool:
    """Whether ``user`` holds ``capability`` at all (``grid`` None) or over that grid (a Grid
    or a grid code)."""
    found = prefixes(user, capability)
    if grid is None:
        return found is None or bool(found)
    return covers(found, _code(grid))


def scoped(user, capability: str, field: str = "grid_code") -> Q:
    """A filter keeping the rows whose ``field`` (a grid code, e.g. ``"household__grid_code"``
    or ``"code"``) lies where ``user`` holds ``capability``: every page, API view, admin and
    export filters its querysets with it (``qs.filter(policy.scoped(user, READ_RESIDENTS))``)."""
    return scope_q(prefixes(user, capability), field)


__all__ = ["allows", "covers", "everywhere", "prefixes", "roles", "scope_q", "scoped"]
