"""Who may do what with activities and self-organised service (grid-scoped roles)."""

from __future__ import annotations

from django.db.models import QuerySet

from gridgov.accounts import policy
from gridgov.grids.models import Grid, Level

# Staff who publish and run activities: ORGANISE_ACTIVITIES (community and compound branch
# staff, the street office above them). Who confirms members' self-organised service:
# REVIEW_SERVICE (the community, 社区确认). Who sees a member's evidence photo:
# READ_RESIDENTS (those who may read personal data).


def organiser_grids(user) -> QuerySet[Grid]:
    """The communities and compounds the user may publish activities for."""
    prefixes = policy.prefixes(user, policy.ORGANISE_ACTIVITIES)
    return (
        Grid.objects.filter(level__in=[Level.COMMUNITY, Level.COMPOUND])
        .filter(policy.scope_q(prefixes, "code"))
        .order_by("code")
    )


def may_organise(user, activity) -> bool:
    """The organising staff of an activity: organiser roles whose scope covers its
    organising grid (a community's staff run their compounds' activities too). Only they
    see the check-in code, the sign-up list and confirm hours."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return policy.allows(user, policy.ORGANISE_ACTIVITIES, activity.organiser_grid)


def may_review(user, record) -> bool:
    """Community staff of the place where the self-organised service happened."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return policy.allows(user, policy.REVIEW_SERVICE, record.grid_code)


def may_view_self_service(user, record) -> bool:
    """The member who submitted it, or staff who may read personal data at its place."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if record.member.user_id == user.pk:
        return True
    return policy.allows(user, policy.READ_RESIDENTS, record.grid_code)
