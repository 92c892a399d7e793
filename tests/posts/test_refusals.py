"""Bad input and forbidden steps: each refused with a specific message, nothing written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gridgov.accounts.models import AuditEntry
from gridgov.posts import services
from gridgov.posts.errors import PostFull, PostNotAllowed
from gridgov.posts.models import PostAction, PostClaim, ServicePost
from tests.posts.helpers import days_ago
from tests.world import IN_B4


def _state():
    return (
        list(ServicePost.objects.order_by("pk").values_list("pk", "places", "claimed", "active")),
        PostClaim.objects.count(),
        PostAction.objects.count(),
        AuditEntry.objects.count(),
    )


def refused(call, message: str, exc=ValidationError):
    before = _state()
    with pytest.raises(exc) as info:
        call()
    assert message in " ".join(info.value.messages), info.value.messages
    assert _state() == before
    return info.value


@pytest.fixture
def post(catalogue, tree, staff):
    return services.post_create(
        acting_user=staff.c1, kind=catalogue["mediation"], grid=tree.k1, places=1
    )


def test_no_place_left(post, member_with_login, staff):
    wang, li = member_with_login("wang", "王芳"), member_with_login("li", "李强")
    services.post_claim(post=post, member=wang, acting_user=wang.user)
    refused(
        lambda: services.post_claim(post=post, member=li, acting_user=li.user),
        "All 1 places of 矛盾纠纷调解岗 · 东湖花园 are taken.",
        PostFull,
    )
    refused(
        lambda: services.post_assign(post=post, member=li, acting_user=staff.c1),
        "are taken.",
        PostFull,
    )


def test_claim_twice_or_for_someone_else(post, member_with_login, staff):
    wang, li = member_with_login("wang", "王芳"), member_with_login("li", "李强")
    services.post_update(post=post, acting_user=staff.c1, places=3)
    services.post_claim(post=post, member=wang, acting_user=wang.user)
    refused(
        lambda: services.post_claim(post=post, member=wang, acting_user=wang.user),
        "王芳 already holds 矛盾纠纷调解岗 · 东湖花园.",
    )
    refused(
        lambda: services.post_claim(post=post, member=li, acting_user=wang.user),
        "Only 李强 can claim a post for themselves",
        PostNotAllowed,
    )
    refused(
        lambda: services.post_claim(post=post, member=li, acting_user=staff.c1),
        "staff assign posts instead",
        PostNotAllowed,
    )


def test_members_claim_in_their_own_community(post, member_with_login, staff):
    zhao = member_with_login("zhao", "赵敏", location=IN_B4)
    refused(
        lambda: services.post_claim(post=post, member=zhao, acting_user=zhao.user),
        "赵敏 lives outside 东湖社区: members claim posts in the community where they live.",
    )
    refused(
        lambda: services.post_assign(post=post, member=zhao, acting_user=staff.c2),
        "c2sec may not manage 矛盾纠纷调解岗 · 东湖花园: it lies outside their grids.",
        PostNotAllowed,
    )
    refused(
        lambda: services.post_assign(post=post, member=zhao, acting_user=staff.leader),
        "may not manage",
        PostNotAllowed,
    )


def test_closed_post_and_future_start(post, member_with_login, staff):
    wang = member_with_login("wang", "王芳")
    refused(
        lambda: services.post_claim(
            post=post, member=wang, acting_user=wang.user, since=days_ago(-1)
        ),
        "The claim's start cannot be in the future",
    )
    services.post_update(post=post, acting_user=staff.c1, active=False)
    refused(
        lambda: services.post_claim(post=post, member=wang, acting_user=wang.user),
        "矛盾纠纷调解岗 · 东湖花园 takes no new claims.",
    )


def test_places_cannot_go_below_holders(post, member_with_login, staff):
    wang = member_with_login("wang", "王芳")
    services.post_update(post=post, acting_user=staff.c1, places=2)
    services.post_claim(post=post, member=wang, acting_user=wang.user)
    services.post_update(post=post, acting_user=staff.c1, places=1)
    refused(
        lambda: services.post_update(post=post, acting_user=staff.c1, places=0),
        "places must be a whole number of at least 1, not 0",
    )
    refused(lambda: services.post_update(post=post, acting_user=staff.c1, places="2.5"), "not 2.5")
    member_li = member_with_login("li", "李强")
    services.post_update(post=post, acting_user=staff.c1, places=2)
    services.post_assign(post=post, member=member_li, acting_user=staff.c1)
    refused(
        lambda: services.post_update(post=post, acting_user=staff.c1, places=1),
        "has 2 holders: places cannot go below 2.",
    )


def test_one_post_of_a_kind_per_grid(post, catalogue, tree, staff):
    refused(
        lambda: services.post_create(
            acting_user=staff.c1, kind=catalogue["mediation"], grid=tree.k1
        ),
        "东湖花园 already has a post of kind 矛盾纠纷调解岗: give it more places instead.",
    )
    refused(
        lambda: services.post_create(
            acting_user=staff.c1, kind=catalogue["mediation"], grid=tree.b1
        ),
        "A post belongs to a community or a compound, not to 100001001001 1栋.",
    )


def test_actions_are_checked(post, member_with_login, staff):
    wang, li = member_with_login("wang", "王芳"), member_with_login("li", "李强")
    claim = services.post_claim(post=post, member=wang, acting_user=wang.user, since=days_ago(10))
    refused(
        lambda: services.post_action_record(claim=claim, acting_user=wang.user, note=" "),
        "矛盾纠纷调解岗 · 东湖花园: say what was done.",
    )
    refused(
        lambda: services.post_action_record(
            claim=claim, acting_user=wang.user, note="调解", acted_on=days_ago(11)
        ),
        f"王芳 has held 矛盾纠纷调解岗 · 东湖花园 since {days_ago(10)}: an action on "
        f"{days_ago(11)} is before that.",
    )
    refused(
        lambda: services.post_action_record(
            claim=claim, acting_user=wang.user, note="调解", acted_on=days_ago(-1)
        ),
        "The date of the action cannot be in the future",
    )
    refused(
        lambda: services.post_action_record(
            claim=claim, acting_user=wang.user, note="调解", acted_on="yesterday"
        ),
        "'yesterday' is not a date (YYYY-MM-DD).",
    )
    refused(
        lambda: services.post_action_record(claim=claim, acting_user=li.user, note="调解"),
        "Only 王芳 or the staff of their grid may change",
        PostNotAllowed,
    )
    services.claim_release(claim=claim, acting_user=wang.user)
    refused(
        lambda: services.post_action_record(claim=claim, acting_user=wang.user, note="调解"),
        "no more actions can be recorded on it.",
    )
    refused(
        lambda: services.claim_release(claim=claim, acting_user=staff.c1),
        "王芳 already left 矛盾纠纷调解岗 · 东湖花园",
    )
