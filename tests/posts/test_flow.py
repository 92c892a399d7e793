"""A real sequence: staff open posts, members claim them (and are assigned), act, leave and
fall overdue as the days pass; the staff lists agree with counts made independently."""

from __future__ import annotations

import datetime as dt

from gridgov.accounts.models import AuditEntry
from gridgov.posts import services
from gridgov.posts.models import PostAction, PostClaim, ServicePost
from gridgov.posts.selectors import current_claims, members_without_post, overdue_holders
from tests.factories import MemberFactory
from tests.posts.helpers import days_ago
from tests.world import IN_B1, IN_B3, IN_B4


def test_claim_act_release_and_the_audit_trail(catalogue, tree, staff, member_with_login):
    wang = member_with_login("wang", "王芳")
    post = services.post_create(
        acting_user=staff.c1,
        kind=catalogue["environment"],
        grid=tree.k1,
        places=2,
        description="东湖花园绿化带",
    )
    assert (post.community, post.grid_code, post.claimed) == (tree.c1, tree.k1.code, 0)

    claim = services.post_claim(post=post, member=wang, acting_user=wang.user, since=days_ago(30))
    post.refresh_from_db()
    assert post.claimed == 1
    assert post.free == 1
    assert claim.assigned_by is None

    services.post_action_record(
        claim=claim, acting_user=wang.user, note="清理绿化带垃圾", acted_on=days_ago(20)
    )
    services.post_action_record(
        claim=claim, acting_user=staff.c1, note="代为登记：巡查楼道", acted_on=days_ago(3)
    )
    [row] = current_claims(member=wang)
    assert row.last_acted == days_ago(3)
    assert row.days_since == 3
    assert not row.overdue
    assert row.due_on == days_ago(3) + dt.timedelta(days=15)

    services.claim_release(claim=claim, acting_user=wang.user)
    post.refresh_from_db()
    claim.refresh_from_db()
    assert post.claimed == 0
    assert claim.released_on is not None
    assert current_claims(member=wang) == []
    actions = list(
        AuditEntry.objects.filter(object_type__startswith="posts.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["post.create", "post.claim", "post.act", "post.act", "post.release"]


def test_becoming_overdue_by_date(catalogue, tree, staff, member_with_login):
    """Acting on the 15th day keeps a holder in time; 16 days without an action is
    overdue; a new holder has 15 days from the claim."""
    post = services.post_create(
        acting_user=staff.c1, kind=catalogue["mutual_aid"], grid=tree.c1, places=5
    )
    members = {n: member_with_login(n, n) for n in ("a15", "a16", "new10", "new16", "left")}

    def claim(name, since):
        return services.post_assign(
            post=post, member=members[name], acting_user=staff.c1, since=since
        )

    services.post_action_record(
        claim=claim("a15", days_ago(40)), acting_user=None, note="入户走访", acted_on=days_ago(15)
    )
    c16 = claim("a16", days_ago(40))
    services.post_action_record(claim=c16, acting_user=None, note="入户走访", acted_on=days_ago(30))
    services.post_action_record(claim=c16, acting_user=None, note="调解", acted_on=days_ago(16))
    claim("new10", days_ago(10))
    claim("new16", days_ago(16))
    services.claim_release(claim=claim("left", days_ago(60)), acting_user=staff.c1, on=days_ago(50))

    rows = overdue_holders(user=staff.c1)
    assert [(r.claim.member.name, r.days_since, r.last_acted) for r in rows] == [
        ("a16", 16, days_ago(16)),
        ("new16", 16, None),
    ]
    # the same day seen from tomorrow: a15 falls overdue as well
    tomorrow = overdue_holders(user=staff.c1, today=days_ago(-1))
    assert sorted(r.claim.member.name for r in tomorrow) == ["a15", "a16", "new16"]
    # the other community's secretary sees none of them; the building leader manages nothing
    assert overdue_holders(user=staff.c2) == []
    assert overdue_holders(user=staff.leader) == []


def test_staff_lists_match_hand_counts(catalogue, tree, staff, make_user):
    """Twelve members, some with posts, some released, two communities; counts computed
    from the sequence itself, not from the selectors."""
    env = services.post_create(
        acting_user=staff.c1, kind=catalogue["environment"], grid=tree.c1, places=3
    )
    aid = services.post_create(
        acting_user=staff.c1, kind=catalogue["mutual_aid"], grid=tree.k2, places=2
    )
    south = services.post_create(
        acting_user=staff.c2, kind=catalogue["traffic_warden"], grid=tree.c2, places=2
    )
    c1 = [MemberFactory(name=f"东{i}", location=IN_B1 if i % 2 else IN_B3) for i in range(8)]
    c2 = [MemberFactory(name=f"南{i}", location=IN_B4) for i in range(4)]

    holding: dict[int, set[int]] = {m.pk: set() for m in c1 + c2}
    last_action: dict[int, dt.date] = {}
    claims = {}
    plan = [
        (env, c1[0], 40),
        (env, c1[1], 20),
        (env, c1[2], 5),
        (aid, c1[2], 30),
        (aid, c1[3], 25),
        (south, c2[0], 35),
    ]
    for post, member, since in plan:
        who = staff.c1 if post.community == tree.c1 else staff.c2
        claims[(post.pk, member.pk)] = services.post_assign(
            post=post, member=member, acting_user=who, since=days_ago(since)
        )
        holding[member.pk].add(post.pk)
    # c1[1] leaves the environment post; c1[3] acts recently; c1[0] acted long ago
    services.claim_release(claim=claims[(env.pk, c1[1].pk)], acting_user=staff.c1)
    holding[c1[1].pk].discard(env.pk)
    for (post_pk, member_pk), ago in {(aid.pk, c1[3].pk): 2, (env.pk, c1[0].pk): 19}.items():
        services.post_action_record(
            claim=claims[(post_pk, member_pk)],
            acting_user=None,
            note="履职",
            acted_on=days_ago(ago),
        )
        last_action[(post_pk, member_pk)] = days_ago(ago)

    c1_ids = {m.pk for m in c1}
    expected_without = sorted(pk for pk in c1_ids if not holding[pk])
    got = sorted(members_without_post(user=staff.c1).values_list("pk", flat=True))
    assert got == expected_without
    assert len(got) == 5

    today = days_ago(0)
    expected_overdue = set()
    for (post_pk, member_pk), claim in claims.items():
        if member_pk not in c1_ids or post_pk not in holding[member_pk]:
            continue
        since = last_action.get((post_pk, member_pk), claim.since)
        if (today - since).days > 15:
            expected_overdue.add((post_pk, member_pk))
    got = {(r.claim.post_id, r.claim.member_id) for r in overdue_holders(user=staff.c1)}
    assert got == expected_overdue == {(env.pk, c1[0].pk), (aid.pk, c1[2].pk)}

    # the second community's lists are its own
    assert set(members_without_post(user=staff.c2).values_list("pk", flat=True)) == {
        m.pk for m in c2[1:]
    }
    assert [r.claim.member for r in overdue_holders(user=staff.c2)] == [c2[0]]
    assert (
        ServicePost.objects.get(pk=env.pk).claimed
        == PostClaim.objects.filter(post=env, released_on__isnull=True).count()
        == 2
    )
    assert PostAction.objects.count() == 2
