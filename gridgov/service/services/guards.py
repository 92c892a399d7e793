"""Before a service step writes: who may act for whom (the member for themselves, the
organising staff for an activity), refused otherwise, and the activity or sign-up read again
locked for the step's transaction."""

from __future__ import annotations

from gridgov.accounts.actors import Actor
from gridgov.people.models import Member
from gridgov.service.access import may_organise
from gridgov.service.errors import NotAllowed
from gridgov.service.models import Activity, SignUp


def require_organiser(activity: Activity, user: Actor, message: str) -> None:
    if user is not None and not may_organise(user, activity):
        raise NotAllowed(message % {"user": user, "title": activity.title})


def require_member(
    member: Member, user: Actor, message: str, *, or_organiser_of: Activity | None = None
) -> None:
    """The member acts for themselves (their login), or an organiser for them."""
    if user is None or (member.user_id is not None and member.user_id == user.pk):
        return
    if or_organiser_of is not None and may_organise(user, or_organiser_of):
        return
    raise NotAllowed(message)


def load_activity(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("organiser_grid", "category")
        .get(pk=activity.pk)
    )


def load_signup(signup: SignUp) -> SignUp:
    return (
        SignUp.objects.select_for_update(of=("self",))
        .select_related("activity__organiser_grid", "activity__category", "member")
        .get(pk=signup.pk)
    )
