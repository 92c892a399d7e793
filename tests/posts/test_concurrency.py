"""Twenty members claim the last place of a post at the same moment: exactly one gets it
(PostGIS only: SQLite serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import translation

from gridgov.posts import services
from gridgov.posts.errors import PostFull
from gridgov.posts.models import PostClaim, ServicePost
from tests.factories import MemberFactory
from tests.world import IN_B1

CLAIMERS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_claimers_of_the_last_place(tree, catalogue):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: real concurrency needs PostGIS")
    users = get_user_model().objects
    first = MemberFactory(
        name="先到", location=IN_B1, user=users.create_user(username="first", password="x")
    )
    members = [
        MemberFactory(
            name=f"党员{i:02d}",
            location=IN_B1,
            user=users.create_user(username=f"m{i}", password="x"),
        )
        for i in range(CLAIMERS)
    ]
    post = services.post_create(
        acting_user=None, kind=catalogue["vanguard"], grid=tree.c1, places=2
    )
    services.post_claim(post=post, member=first, acting_user=first.user)  # one place left

    barrier = threading.Barrier(CLAIMERS)
    won: list[int] = []
    full: list[str] = []
    other: list[BaseException] = []
    lock = threading.Lock()

    def claim(member):
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):
                services.post_claim(post=post, member=member, acting_user=member.user)
            with lock:
                won.append(member.pk)
        except PostFull as exc:
            with lock:
                full.append(exc.messages[0])
        except BaseException as exc:
            with lock:
                other.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert other == []
    assert len(won) == 1
    assert len(full) == CLAIMERS - 1
    assert set(full) == {"All 2 places of 党员先锋岗 · 东湖社区 are taken."}
    post = ServicePost.objects.get(pk=post.pk)
    holders = set(
        PostClaim.objects.filter(post=post, released_on__isnull=True).values_list(
            "member_id", flat=True
        )
    )
    assert post.claimed == post.places == 2
    assert holders == {first.pk, won[0]}
