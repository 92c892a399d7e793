"""Who may do what with activities and self-organised service (grid-scoped roles)."""

from __future__ import annotations

from django.db.models import QuerySet

from gridgov.accounts import policy
from gridgov.accounts.models import RESIDENT_READERS
from gridgov.accounts.selectors import scope_prefixes, scope_q
from gridgov.grids.models import Grid, Level

# Staff who publish and run activities (community and compound branch staff; the street
# office above them).
ORGANISER_ROLES = policy.roles(policy.ORGANISE_ACTIVITIES)
# Staff who confirm members' self-organised service: the community (社区确认).
REVIEWER_ROLES = policy.roles(policy.REVIEW_SERVICE)
# Staff who may see a member's evidence photo: those who may read personal data.
PHOTO_READERS = RESIDENT_READERS


def covers(prefixes: list[str] | None, code: str) -> bool:
    """Whether scope prefixes (None: everything) cover a grid code."""
    if prefixes is None:
        return True
    return bool(code) and any(code.startswith(p) for p in prefixes)


def organiser_grids(user) -> QuerySet[Grid]:
    """The communities and compounds the user may publish activities for."""
    prefixes = scope_prefixes(user, roles=ORGANISER_ROLES)
    return (Grid.objects.filter(level__in=[Level.COMMUNITY, Level.COMPOUND])
            .filter(scope_q(prefixes, "code")).order_by("code"))


def may_organise(user, activity) -> bool:
    """The organising staff of an activity: organiser roles whose scope covers its
    organising grid (a community's staff run their compounds' activities too). Only they
    see the check-in code, the sign-up list and confirm hours."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return covers(scope_prefixes(user, roles=ORGANISER_ROLES), activity.organiser_grid.code)


def may_review(user, record) -> bool:
    """Community staff of the place where the self-organised service happened."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return covers(scope_prefixes(user, roles=REVIEWER_ROLES), record.grid_code)


def may_view_self_service(user, record) -> bool:
    """The member who submitted it, or staff who may read personal data at its place."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if record.member.user_id == user.pk:
        return True
    return covers(scope_prefixes(user, roles=PHOTO_READERS), record.grid_code)
