"""Accounts: users (with the one test password) and staff holding a role over a grid."""

from __future__ import annotations

import factory
from django.conf import settings

from gridgov.accounts.models import Assignment
from tests.factories.base import PASSWORD


class UserFactory(factory.django.DjangoModelFactory):
    """A signed-up person with no role."""

    class Meta:
        model = settings.AUTH_USER_MODEL
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class._default_manager.create_user(*args, **kwargs)


class AssignmentFactory(factory.django.DjangoModelFactory):
    """A role over a grid subtree: the scope is the grid's code (a street admin without a
    grid: ``scope_code``, a code prefix)."""

    class Meta:
        model = Assignment

    user = factory.SubFactory(UserFactory)
    role = "community_staff"
    grid = None
    scope_code = factory.LazyAttribute(lambda o: o.grid.code if o.grid is not None else "")


class StaffFactory(UserFactory):
    """A user holding ``role`` over ``grid`` (or, with no grid, over the code prefix
    ``scope``: a street admin)."""

    class Params:
        role = "community_staff"
        grid = None
        scope = ""

    assignment = factory.RelatedFactory(
        AssignmentFactory,
        factory_related_name="user",
        role=factory.SelfAttribute("..role"),
        grid=factory.SelfAttribute("..grid"),
        scope_code=factory.LazyAttribute(
            lambda o: (
                o.factory_parent.grid.code
                if o.factory_parent.grid is not None
                else o.factory_parent.scope
            )
        ),
    )
