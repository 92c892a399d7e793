"""The access matrix: one entry per URL the resolver knows, saying how to call it (for an
object inside or outside the caller's grid) and who may. tests/trust/test_access_matrix.py
walks django.urls.get_resolver() and fails for any URL without an entry here (or in
EXEMPT, with a reason), then asks every role about every entry.

An entry's ``allowed(role, side)`` comes from the one policy table
(gridgov.accounts.policy.RULES) wherever a capability guards the URL; the rest are the
documented non-staff rights of policy.py's docstring: public pages, a signed-in person's own
things, a member acting for themselves, a requester on their own request.

How to add a URL: give it an entry in ENTRIES under its resolver key ("namespace:name"), with
the URL for an inside and an outside object (or ``sided=False``), the method, form data
for a POST, and who may (``cap(policy.X)``, ``PUBLIC``, ``SIGNED_IN``, ``SELF``, ``anyof``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from gridgov.accounts import policy
from gridgov.accounts.models import StaffRole as R
from gridgov.cases.models import CaseCategory

Allowed = Callable[[str, str], bool]  # (role, side) -> may the role do it


# The level of each role's scope (tests/world.py ROLE_SCOPE); the member's is B1.
LEVEL = {
    R.STREET_ADMIN: 1,
    R.COMMUNITY_SECRETARY: 1,
    R.COMMUNITY_STAFF: 1,
    R.BRANCH_SECRETARY: 2,
    R.GRID_LEADER: 2,
    R.BUILDING_LEADER: 3,
    "member": 3,
}


def cap(capability: str, *, scoped: bool = True, level: int = 3) -> Allowed:
    """The roles holding ``capability`` (policy.RULES); if ``scoped``, only for an object
    inside their grid subtree: the object's grid (at ``level``: 1 community, 2 compound,
    3 building) must lie under the role's grid."""
    holders = policy.roles(capability)

    def allowed(role: str, side: str) -> bool:
        role_ = R.MEMBER if role == "member" else role
        if role_ not in holders:
            return False
        return not scoped or (side == "inside" and LEVEL[role] <= level)

    allowed.__name__ = f"cap({capability})"
    return allowed


def anyof(*rules: Allowed) -> Allowed:
    def allowed(role: str, side: str) -> bool:
        return any(rule(role, side) for rule in rules)

    allowed.__name__ = "anyof(" + ", ".join(r.__name__ for r in rules) + ")"
    return allowed


def roles(*names: str, scoped: bool = True) -> Allowed:
    def allowed(role: str, side: str) -> bool:
        return role in names and (side == "inside" or not scoped)

    allowed.__name__ = f"roles({', '.join(names)})"
    return allowed


def PUBLIC(role: str, side: str) -> bool:
    return True


def SIGNED_IN(role: str, side: str) -> bool:
    return role != "anonymous"


def NOBODY(role: str, side: str) -> bool:
    return False


# A member acting on their own things (the inside objects are the member's).
SELF = roles("member")
# The requester of the inside case is the "resident" account.
REQUESTER = roles("resident")

STAFF = tuple(r for r in policy.ALL_STAFF)


@dataclass
class Entry:
    url: Callable  # (world, side) -> path
    allowed: Allowed
    method: str = "GET"
    data: Callable | None = None  # (world, side) -> POST data
    sided: bool = True  # does the URL name an object of one side?
    effect: bool = False  # an allowed POST must write (an audit row), a denied one must not
    public_data: bool | Callable = False  # may name outside objects (a public listing);
    # a callable says for which roles
    never_out: bool = False  # outside objects never appear, even when asked about them
    keys: bool = False  # an API endpoint: also asked with API keys
    key_allowed: dict = field(default_factory=dict)  # key name -> allowed
    note: str = ""


def S(world, side):
    return world.sides[side]


def g(level):
    return lambda w, side: S(w, side).grids[level].code


def en(path: str) -> str:
    return "/en" + path


def tile_of(point, z: int = 16) -> tuple[int, int, int]:
    import math

    n = 2**z
    x = int((point.x + 180) / 360 * n)
    lat = math.radians(point.y)
    y = int((1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * n)
    return z, x, y


def _tile(layer: str):
    def url(w, side):
        z, x, y = tile_of(S(w, side).case.location)
        return f"/tiles/{layer}/{z}/{x}/{y}.geojson"

    return url


READ_KEYS = {"read": True, "read_post": True, "post": False, "none": False, "bad": False}
CATALOGUE_KEYS = {"read": True, "read_post": True, "post": True, "none": True, "bad": False}
SIGNED_ONLY_KEYS = dict.fromkeys(READ_KEYS, False)
POST_KEYS = {"read": False, "read_post": True, "post": True, "none": False, "bad": False}


def open311_post(w, side):
    p = S(w, side).case.location
    return {
        "service_code": "repair",
        "lat": str(p.y),
        "long": str(p.x),
        "description": "楼道灯坏了",
        "address_string": "东湖花园1栋",
    }


ENTRIES: dict[str, Entry] = {
    # --- the API (no language prefix) -------------------------------------------------------
    "api:grids": Entry(
        lambda w, s: f"/api/v1/grids/?code_prefix={S(w, s).grids['compound'].code}",
        PUBLIC,
        public_data=True,
        keys=True,
        key_allowed=READ_KEYS,
    ),
    "api:locate": Entry(
        lambda w, s: f"/api/v1/locate/?lon={S(w, s).case.location.x}&lat={S(w, s).case.location.y}",
        PUBLIC,
        public_data=True,
        keys=True,
        key_allowed=READ_KEYS,
    ),
    "api:export": Entry(
        lambda w, s: f"/api/v1/export/members.geojson?grid={S(w, s).grids['community'].code}",
        PUBLIC,
        public_data=True,
        keys=True,
        key_allowed=READ_KEYS,
        note="public fields only: names, masked phones, building points",
    ),
    "api:export households": Entry(
        lambda w, s: f"/api/v1/export/households.geojson?grid={S(w, s).grids['community'].code}",
        PUBLIC,
        public_data=True,
        keys=True,
        key_allowed=READ_KEYS,
        note="counts per building",
    ),
    "api:export buildings": Entry(
        lambda w, s: f"/api/v1/export/buildings.geojson?grid={S(w, s).grids['community'].code}",
        PUBLIC,
        public_data=True,
        keys=True,
        key_allowed=READ_KEYS,
    ),
    "api:members": Entry(
        lambda w, s: f"/api/v1/members/?grid={S(w, s).grids['community'].code}",
        PUBLIC,
        public_data=True,
        keys=True,
        key_allowed=READ_KEYS,
        note="public records (masked phones) for everyone",
    ),
    "api:members full": Entry(
        lambda w, s: "/api/v1/members/?view=full",
        PUBLIC,
        sided=False,
        keys=True,
        key_allowed=READ_KEYS,
        public_data=lambda role: role not in STAFF,
        note="full records only for staff, in their scope",
    ),
    "api:residents": Entry(
        lambda w, s: "/api/v1/residents/",
        cap(policy.READ_RESIDENTS),
        sided=False,
        keys=True,
        key_allowed=SIGNED_ONLY_KEYS,
    ),
    "api:cases": Entry(
        lambda w, s: "/api/v1/cases/",
        SIGNED_IN,
        sided=False,
        keys=True,
        key_allowed=SIGNED_ONLY_KEYS,
    ),
    "api:patrol-routes": Entry(
        lambda w, s: "/api/v1/patrol-routes/",
        SIGNED_IN,
        sided=False,
        keys=True,
        key_allowed=SIGNED_ONLY_KEYS,
    ),
    "api:activities": Entry(
        lambda w, s: "/api/v1/activities/",
        SIGNED_IN,
        sided=False,
        public_data=True,
        keys=True,
        key_allowed=READ_KEYS,
        note="public notices for every signed-in caller or read key",
    ),
    "api:activity": Entry(
        lambda w, s: f"/api/v1/activities/{S(w, s).activity.pk}/",
        SIGNED_IN,
        public_data=True,
        keys=True,
        key_allowed=READ_KEYS,
    ),
    "api:schema": Entry(lambda w, s: "/api/schema/", PUBLIC, sided=False, public_data=True),
    "api:docs": Entry(lambda w, s: "/api/docs/", PUBLIC, sided=False, public_data=True),
    "api:not-found": Entry(lambda w, s: "/api/v1/nothing-here/", NOBODY, sided=False),
    "tiles:tile": Entry(
        _tile("buildings"), PUBLIC, public_data=True, note="grids and building leaders are public"
    ),
    "tiles:tile cases": Entry(
        _tile("cases"),
        SIGNED_IN,
        never_out=True,
        note="signed-in: 200 (or 204 when empty) with cases in scope",
    ),
    "tiles:tile routes": Entry(
        _tile("routes"),
        SIGNED_IN,
        never_out=True,
        note="signed-in: 200 (or 204 when empty) with routes in scope",
    ),
    "tiles:": Entry(lambda w, s: "/tiles/nothing", NOBODY, sided=False),
    "open311:services": Entry(
        lambda w, s: "/open311/v2/services.json",
        PUBLIC,
        sided=False,
        public_data=True,
        keys=True,
        key_allowed=CATALOGUE_KEYS,
    ),
    "open311:service": Entry(
        lambda w, s: "/open311/v2/services/repair.json",
        PUBLIC,
        sided=False,
        public_data=True,
        keys=True,
        key_allowed=CATALOGUE_KEYS,
    ),
    "open311:requests": Entry(
        lambda w, s: "/open311/v2/requests.json",
        SIGNED_IN,
        sided=False,
        keys=True,
        key_allowed=READ_KEYS,
    ),
    "open311:requests POST": Entry(
        lambda w, s: "/open311/v2/requests.json",
        SIGNED_IN,
        method="POST",
        data=open311_post,
        effect=True,
        keys=True,
        key_allowed=POST_KEYS,
        note="anyone signed in, or a key with the post scope",
    ),
    "open311:request": Entry(
        lambda w, s: f"/open311/v2/requests/{S(w, s).case.number}.json",
        anyof(cap(policy.HANDLE_CASES), REQUESTER),
        keys=True,
        key_allowed=READ_KEYS,
    ),
    "open311:not-found": Entry(lambda w, s: "/open311/v2/nothing", NOBODY, sided=False),
    # --- public pages ---
    ":home": Entry(lambda w, s: en("/"), PUBLIC, sided=False, public_data=True),
    ":landing": Entry(
        lambda w, s: en("/start/"), SIGNED_IN, sided=False, note="a redirect to the role's page"
    ),
    ":menu": Entry(lambda w, s: en("/more/"), PUBLIC, sided=False, note="lists links only"),
    ":member_home": Entry(lambda w, s: en("/me/"), SIGNED_IN, sided=False),
    "maps:street": Entry(lambda w, s: en("/map/"), PUBLIC, sided=False, public_data=True),
    "maps:grid": Entry(
        lambda w, s: en(f"/map/grid/{g('building')(w, s)}/"), cap(policy.VIEW_DASHBOARD)
    ),
    "maps:grid compound": Entry(
        lambda w, s: en(f"/map/grid/{g('compound')(w, s)}/"),
        cap(policy.VIEW_DASHBOARD, level=2),
        note="a compound's dashboard: roles scoped at or above it",
    ),
    "finder:find": Entry(
        lambda w, s: en("/find/?q=" + S(w, s).household.address), PUBLIC, public_data=True
    ),
    # --- cases ---
    "cases:list": Entry(lambda w, s: en("/cases/"), SIGNED_IN, sided=False),
    "cases:detail": Entry(
        lambda w, s: en(f"/cases/{S(w, s).case.number}/"),
        anyof(cap(policy.HANDLE_CASES), REQUESTER),
    ),
    "cases:step": Entry(
        lambda w, s: en(f"/cases/{S(w, s).case.number}/respond/"),
        cap(policy.HANDLE_CASES),
        method="POST",
        data=lambda w, s: {"note": "已联系"},
        effect=True,
    ),
    # --- planning ---
    "planning:page": Entry(lambda w, s: en("/planning/"), cap(policy.PLAN), sided=False),
    "planning:export_csv": Entry(
        lambda w, s: en("/planning/export.csv"), cap(policy.PLAN), sided=False
    ),
    "planning:export_xlsx": Entry(
        lambda w, s: en("/planning/export.xlsx"), cap(policy.PLAN), sided=False
    ),
    "planning:propose": Entry(
        lambda w, s: en("/planning/propose/"),
        cap(policy.PLAN),
        method="POST",
        data=lambda w, s: {"compound": g("compound")(w, s)},
    ),
    "planning:step": Entry(
        lambda w, s: en(f"/planning/{S(w, s).plan.pk}/approve/"),
        cap(policy.PLAN),
        method="POST",
        data=lambda w, s: {},
    ),
    "planning:open_groups": Entry(
        lambda w, s: en(f"/planning/groups/?code={g('compound')(w, s)}"),
        cap(policy.PLAN, scoped=False),
        note="a redirect to the grid's page, which checks the scope",
    ),
    "planning:groups": Entry(
        lambda w, s: en(f"/planning/groups/{g('compound')(w, s)}/"), cap(policy.PLAN, level=2)
    ),
    "planning:groups_csv": Entry(
        lambda w, s: en(f"/planning/groups/{g('compound')(w, s)}/export.csv"),
        cap(policy.PLAN, level=2),
    ),
    "planning:open_teams": Entry(
        lambda w, s: en(f"/planning/teams/?code={g('compound')(w, s)}"),
        cap(policy.PLAN, scoped=False),
    ),
    "planning:teams": Entry(
        lambda w, s: en(f"/planning/teams/{g('compound')(w, s)}/"), cap(policy.PLAN, level=2)
    ),
    # --- dual reporting ---
    "reporting:index": Entry(
        lambda w, s: en("/reporting/"),
        PUBLIC,
        sided=False,
        note="a redirect to the page for who asks",
    ),
    "reporting:register": Entry(
        lambda w, s: en("/reporting/register/"), PUBLIC, sided=False, public_data=True
    ),
    "reporting:me": Entry(lambda w, s: en("/reporting/me/"), SIGNED_IN, sided=False),
    "reporting:pending": Entry(
        lambda w, s: en("/reporting/pending/"), cap(policy.CONFIRM_REPORTING), sided=False
    ),
    "reporting:member": Entry(
        lambda w, s: en(f"/reporting/members/{S(w, s).member.pk}/"), cap(policy.CONFIRM_REPORTING)
    ),
    "reporting:member_step": Entry(
        lambda w, s: en(f"/reporting/members/{S(w, s).member.pk}/confirm/"),
        cap(policy.CONFIRM_REPORTING),
        method="POST",
        data=lambda w, s: {},
        effect=True,
    ),
    "reporting:units": Entry(
        lambda w, s: en("/reporting/units/"), cap(policy.CONFIRM_REPORTING), sided=False
    ),
    "reporting:unit": Entry(
        lambda w, s: en(f"/reporting/units/{w.unit.pk}/"),
        cap(policy.CONFIRM_REPORTING),
        sided=False,
    ),
    "reporting:unit_export": Entry(
        lambda w, s: en(f"/reporting/units/{w.unit.pk}/export.csv"),
        cap(policy.CONFIRM_REPORTING),
        sided=False,
    ),
    "reporting:unit_export xlsx": Entry(
        lambda w, s: en(f"/reporting/units/{w.unit.pk}/export.xlsx"),
        cap(policy.CONFIRM_REPORTING),
        sided=False,
    ),
    "reporting:unit_report_record": Entry(
        lambda w, s: en(f"/reporting/units/{w.unit.pk}/report/"),
        cap(policy.CONFIRM_REPORTING),
        method="POST",
        data=lambda w, s: {},
        sided=False,
    ),
    "reporting:agreement_sign": Entry(
        lambda w, s: en(f"/reporting/units/{w.unit.pk}/agreement/"),
        cap(policy.CONFIRM_REPORTING),
        method="POST",
        data=lambda w, s: {},
        sided=False,
    ),
    "reporting:unit_report_step": Entry(
        lambda w, s: en(f"/reporting/unit-reports/{S(w, s).report.pk}/confirm/"),
        cap(policy.CONFIRM_REPORTING),
        method="POST",
        data=lambda w, s: {},
        effect=True,
    ),
    # --- service: activities and self-organised service ----------------------------------------
    "service:index": Entry(
        lambda w, s: en("/service/"), PUBLIC, sided=False, note="a redirect to the activities"
    ),
    "service:activities": Entry(
        lambda w, s: en("/service/activities/"),
        SIGNED_IN,
        sided=False,
        public_data=True,
        note="activities are listed for everyone",
    ),
    "service:new": Entry(
        lambda w, s: en("/service/activities/new/"), cap(policy.ORGANISE_ACTIVITIES), sided=False
    ),
    "service:activity": Entry(
        lambda w, s: en(f"/service/activities/{S(w, s).activity.pk}/"), SIGNED_IN, public_data=True
    ),
    "service:edit": Entry(
        lambda w, s: en(f"/service/activities/{S(w, s).activity.pk}/edit/"),
        cap(policy.ORGANISE_ACTIVITIES),
    ),
    "service:manage": Entry(
        lambda w, s: en(f"/service/activities/{S(w, s).activity.pk}/manage/"),
        cap(policy.ORGANISE_ACTIVITIES),
    ),
    "service:action": Entry(
        lambda w, s: en(f"/service/activities/{S(w, s).activity.pk}/cancel/"),
        cap(policy.ORGANISE_ACTIVITIES),
        method="POST",
        data=lambda w, s: {"reason": "下雨"},
        effect=True,
    ),
    "service:signup": Entry(
        lambda w, s: en(f"/service/signups/{S(w, s).signup.pk}/checkin/"),
        cap(policy.ORGANISE_ACTIVITIES),
        method="POST",
        data=lambda w, s: {},
    ),
    "service:self_list": Entry(lambda w, s: en("/service/self/"), SIGNED_IN, sided=False),
    "service:self_new": Entry(lambda w, s: en("/service/self/new/"), SELF, sided=False),
    "service:self": Entry(
        lambda w, s: en(f"/service/self/{S(w, s).selfservice.pk}/"),
        anyof(cap(policy.READ_RESIDENTS), SELF),
        note="the member, or staff who read personal data there",
    ),
    "service:self_photo": Entry(
        lambda w, s: en(f"/service/self/{S(w, s).selfservice.pk}/photo/"),
        anyof(cap(policy.READ_RESIDENTS), SELF),
    ),
    "service:self_review": Entry(
        lambda w, s: en(f"/service/self/{S(w, s).selfservice.pk}/confirm/"),
        cap(policy.REVIEW_SERVICE),
        method="POST",
        data=lambda w, s: {},
        effect=True,
    ),
    # --- posts and the three lists ---
    "posts:list": Entry(lambda w, s: en("/posts/"), SIGNED_IN, sided=False),
    "posts:claim": Entry(
        lambda w, s: en(f"/posts/{S(w, s).post.pk}/claim/"),
        SELF,
        method="POST",
        data=lambda w, s: {},
    ),
    "posts:assign": Entry(
        lambda w, s: en("/posts/assign/"),
        cap(policy.MANAGE_POSTS),
        method="POST",
        data=lambda w, s: {"post": S(w, s).post.pk, "member": S(w, s).member.pk},
    ),
    "posts:mine": Entry(lambda w, s: en("/posts/mine/"), SIGNED_IN, sided=False),
    "posts:act": Entry(
        lambda w, s: en(f"/posts/claims/{S(w, s).claim.pk}/act/"),
        anyof(cap(policy.MANAGE_POSTS), SELF),
        method="POST",
        data=lambda w, s: {"note": "巡了一遍"},
        effect=True,
    ),
    "posts:release": Entry(
        lambda w, s: en(f"/posts/claims/{S(w, s).claim.pk}/release/"),
        anyof(cap(policy.MANAGE_POSTS), SELF),
        method="POST",
        data=lambda w, s: {},
        effect=True,
    ),
    "posts:resource_add": Entry(
        lambda w, s: en("/posts/resources/add/"),
        SELF,
        method="POST",
        data=lambda w, s: {},
        sided=False,
    ),
    "posts:resource_toggle": Entry(
        lambda w, s: en(f"/posts/resources/{S(w, s).resource.pk}/toggle/"),
        anyof(cap(policy.MANAGE_POSTS), SELF),
        method="POST",
        data=lambda w, s: {},
        effect=True,
    ),
    "posts:unclaimed": Entry(
        lambda w, s: en("/posts/unclaimed/"), cap(policy.MANAGE_POSTS), sided=False
    ),
    "posts:overdue": Entry(
        lambda w, s: en("/posts/overdue/"), cap(policy.MANAGE_POSTS), sided=False
    ),
    "posts:lists": Entry(
        lambda w, s: en("/posts/lists/"),
        cap(policy.READ_MEMBERS),
        sided=False,
        note="all staff look (residents' details only for "
        "those who read residents); managers confirm",
    ),
    "posts:confirm": Entry(
        lambda w, s: en("/posts/lists/confirm/"),
        cap(policy.MANAGE_POSTS),
        method="POST",
        data=lambda w, s: {
            "need": f"resident:{S(w, s).resident.pk}:neighbourly",
            "member": S(w, s).member.pk,
        },
    ),
    "posts:entry_done": Entry(
        lambda w, s: en(f"/posts/lists/entries/{S(w, s).entry.pk}/done/"),
        cap(policy.MANAGE_POSTS),
        method="POST",
        data=lambda w, s: {},
        effect=True,
    ),
    "posts:entry_cancel": Entry(
        lambda w, s: en(f"/posts/lists/entries/{S(w, s).entry.pk}/cancel/"),
        cap(policy.MANAGE_POSTS),
        method="POST",
        data=lambda w, s: {"reason": "不需要了"},
        effect=True,
    ),
    # --- points ---
    "points:me": Entry(lambda w, s: en("/points/me/"), SIGNED_IN, sided=False),
    "points:mall": Entry(
        lambda w, s: en("/points/mall/"), SIGNED_IN, sided=False, public_data=True
    ),
    "points:redeem": Entry(
        lambda w, s: en(f"/points/mall/{S(w, s).item.pk}/redeem/"),
        SELF,
        method="POST",
        data=lambda w, s: {},
        effect=True,
    ),
    "points:cancel": Entry(
        lambda w, s: en(f"/points/redemptions/{S(w, s).redemption.pk}/cancel/"),
        anyof(cap(policy.KEEP_POINTS), SELF),
        method="POST",
        data=lambda w, s: {"reason": "不要了"},
        effect=True,
    ),
    "points:members": Entry(
        lambda w, s: en("/points/staff/members/"),
        cap(policy.READ_HOURS),
        sided=False,
        note="members' yearly hours; keepers also adjust",
    ),
    "points:member": Entry(
        lambda w, s: en(f"/points/staff/members/{S(w, s).member.pk}/"), cap(policy.KEEP_POINTS)
    ),
    "points:adjust": Entry(
        lambda w, s: en(f"/points/staff/members/{S(w, s).member.pk}/adjust/"),
        cap(policy.KEEP_POINTS),
        method="POST",
        data=lambda w, s: {"points": "5", "hours": "0", "reason": "补记"},
        effect=True,
    ),
    "points:redemptions": Entry(
        lambda w, s: en("/points/staff/redemptions/"), cap(policy.KEEP_POINTS), sided=False
    ),
    "points:hand_over": Entry(
        lambda w, s: en(f"/points/staff/redemptions/{S(w, s).redemption.pk}/hand-over/"),
        cap(policy.KEEP_POINTS),
        method="POST",
        data=lambda w, s: {},
        effect=True,
    ),
    # --- patrols ---
    "patrols:list": Entry(lambda w, s: en("/patrols/"), SIGNED_IN, sided=False),
    "patrols:route": Entry(
        lambda w, s: en(f"/patrols/routes/{S(w, s).route.pk}/"), cap(policy.RECORD_PATROLS)
    ),
    "patrols:record": Entry(
        lambda w, s: en(f"/patrols/routes/{S(w, s).route.pk}/record/"), cap(policy.RECORD_PATROLS)
    ),
    "patrols:patrol": Entry(
        lambda w, s: en(f"/patrols/{S(w, s).patrol.pk}/"), cap(policy.RECORD_PATROLS)
    ),
    "patrols:finding_add": Entry(
        lambda w, s: en(f"/patrols/{S(w, s).patrol.pk}/findings/"),
        cap(policy.RECORD_PATROLS),
        method="POST",
        data=lambda w, s: {
            "kind": "hazard",
            "note": "积水",
            "lon": str(S(w, s).finding.point.x),
            "lat": str(S(w, s).finding.point.y),
            "crs": "wgs84",
        },
    ),
    "patrols:finding_case": Entry(
        lambda w, s: en(f"/patrols/findings/{S(w, s).finding.pk}/case/"),
        cap(policy.RECORD_PATROLS),
        method="POST",
        data=lambda w, s: {"category": CaseCategory.objects.get(code="repair").pk},
        effect=True,
    ),
    # --- notices ---
    "notices:list": Entry(lambda w, s: en("/notices/"), SIGNED_IN, sided=False),
    "notices:open": Entry(
        lambda w, s: en(f"/notices/{w.notice.pk}/open/"),
        roles("member"),
        method="POST",
        data=lambda w, s: {},
        sided=False,
        note="only the recipient",
    ),
    "notices:read_all": Entry(
        lambda w, s: en("/notices/read-all/"),
        SIGNED_IN,
        method="POST",
        data=lambda w, s: {},
        sided=False,
    ),
    # --- reports ---
    "reports:quarterly": Entry(
        lambda w, s: en(f"/reports/?grid={g('building')(w, s)}"), cap(policy.VIEW_REPORTS)
    ),
    "reports:quarterly_csv": Entry(
        lambda w, s: en(f"/reports/quarterly.csv?grid={g('building')(w, s)}"),
        cap(policy.VIEW_REPORTS),
    ),
    "reports:quarterly_xlsx": Entry(
        lambda w, s: en(f"/reports/quarterly.xlsx?grid={g('building')(w, s)}"),
        cap(policy.VIEW_REPORTS),
    ),
    "reports:annual": Entry(
        lambda w, s: en(f"/reports/annual/?grid={g('building')(w, s)}"), cap(policy.VIEW_REPORTS)
    ),
    "reports:annual_csv": Entry(
        lambda w, s: en(f"/reports/annual.csv?grid={g('building')(w, s)}"), cap(policy.VIEW_REPORTS)
    ),
    "reports:annual_xlsx": Entry(
        lambda w, s: en(f"/reports/annual.xlsx?grid={g('building')(w, s)}"),
        cap(policy.VIEW_REPORTS),
    ),
    # --- accounts ---
    ":login": Entry(lambda w, s: en("/accounts/login/"), PUBLIC, sided=False, public_data=True),
    ":password_change": Entry(
        lambda w, s: en("/accounts/password_change/"), SIGNED_IN, sided=False
    ),
    ":password_change_done": Entry(
        lambda w, s: en("/accounts/password_change/done/"), SIGNED_IN, sided=False
    ),
}

# Known URLs that are not asked about, and why. Everything else must have an entry.
EXEMPT = {
    ":set_language": "the language switch: sets a cookie, reads nothing",
    ":logout": "signing out (POST): ends the caller's own session",
    ":password_reset": "password reset by e-mail: public by design, shows nothing",
    ":password_reset_done": "a static page",
    ":password_reset_confirm": "needs a valid e-mailed token; Django's own view",
    ":password_reset_complete": "a static page",
}

# URLs announced but not yet there: when one resolves, it needs an entry above.
PENDING: dict[str, str] = {}

# Entries whose 204 (an empty tile) counts as an answer, not a refusal (url -> bool).
EMPTY_OK: dict = {}
