"""Service posts (岗位) of a community or compound and members' claims on them, through
gridgov.posts.services."""

from __future__ import annotations

import factory

from gridgov.posts.models import PostClaim, ServicePost
from gridgov.posts.services import post_claim, post_create
from tests.factories.base import ServiceFactory, inside
from tests.factories.catalogue import post_kind
from tests.factories.grids import CompoundFactory
from tests.factories.people import MemberFactory


class PostFactory(ServiceFactory):
    """Three places of the first seeded kind in a new compound (one post per kind and grid:
    give ``kind`` for a second post in the same grid)."""

    class Meta:
        model = ServicePost

    _service = staticmethod(post_create)

    kind = factory.LazyFunction(post_kind)
    grid = factory.SubFactory(CompoundFactory)
    places = 3


class PostClaimFactory(ServiceFactory):
    """A member of the post's community (by default one living in its grid) claims it."""

    class Meta:
        model = PostClaim

    _service = staticmethod(post_claim)

    post = factory.SubFactory(PostFactory)
    member = factory.SubFactory(
        MemberFactory,
        location=factory.LazyAttribute(lambda o: inside(o.factory_parent.post.grid.geom)),
    )
