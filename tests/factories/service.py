"""Activities and sign-ups, through gridgov.service's services: an activity is published by
a compound (or community) at a place inside it; a sign-up takes one of its places."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from gridgov.service.models import Activity, SignUp
from gridgov.service.services.activities import activity_publish, signup_create
from tests.factories.base import ServiceFactory, inside
from tests.factories.catalogue import service_category
from tests.factories.grids import CompoundFactory
from tests.factories.people import MemberFactory


class ActivityFactory(ServiceFactory):
    """Starts in two hours (``starts_in``) and lasts two (``length``), ten places, at a
    point inside the organising grid (a new compound unless given)."""

    class Meta:
        model = Activity

    class Params:
        starts_in = dt.timedelta(hours=2)
        length = dt.timedelta(hours=2)

    _service = staticmethod(activity_publish)

    organiser_grid = factory.SubFactory(CompoundFactory)
    title = factory.Sequence(lambda n: f"清理楼道杂物{n}")
    category = factory.LazyFunction(service_category)
    location = factory.LazyAttribute(lambda o: inside(o.organiser_grid.geom))
    starts_at = factory.LazyAttribute(lambda o: timezone.now() + o.starts_in)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + o.length)
    capacity = 10
    description = "带好手套"
    address = "中心广场"


class SignUpFactory(ServiceFactory):
    """A member (by default one living at the activity's place) signed up."""

    class Meta:
        model = SignUp

    _service = staticmethod(signup_create)

    activity = factory.SubFactory(ActivityFactory)
    member = factory.SubFactory(
        MemberFactory, location=factory.SelfAttribute("..activity.location")
    )
