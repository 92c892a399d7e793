"""People: members (of every kind, in any reporting state, with or without a login),
households and their residents, all created through gridgov.people.services so that each
home point is located in its community, compound and building.

A person lives at ``location``; give ``home=<a building grid>`` instead to place them at a
point inside that building. The default point is building B1 of tests/world.py's tree."""

from __future__ import annotations

import factory
from django.contrib.gis.geos import Point
from django.utils import timezone

from gridgov.people.models import Gender, Household, Member, MemberKind, ReportStatus, Resident
from gridgov.people.services import household_create, member_create, resident_create
from tests.factories.accounts import UserFactory
from tests.factories.base import B1, ServiceFactory, inside


def _home(o) -> Point:
    return inside(o.home.geom) if o.home is not None else Point(*B1, srid=4326)


class MemberFactory(ServiceFactory):
    """A formal in-service member who has not reported to a community. Traits: ``confirmed``
    and ``registered`` (dual reporting 双报到), ``rejected``, ``probationary``,
    ``applicant``, ``retired``, ``with_login`` (an account linked to the member)."""

    class Meta:
        model = Member

    class Params:
        home = None  # a building grid to live in
        registered = factory.Trait(
            report_status=ReportStatus.REGISTERED,
            report_submitted_at=factory.LazyFunction(timezone.now),
        )
        confirmed = factory.Trait(
            report_status=ReportStatus.CONFIRMED,
            report_submitted_at=factory.LazyFunction(timezone.now),
            reported_on=factory.LazyFunction(timezone.localdate),
        )
        rejected = factory.Trait(
            report_status=ReportStatus.REJECTED,
            report_submitted_at=factory.LazyFunction(timezone.now),
            report_reject_reason="信息不全",
        )
        probationary = factory.Trait(is_formal=False)
        applicant = factory.Trait(kind=MemberKind.APPLICANT)
        retired = factory.Trait(kind=MemberKind.RETIRED)
        with_login = factory.Trait(user=factory.SubFactory(UserFactory))

    _service = staticmethod(member_create)

    name = factory.Sequence(lambda n: f"党员{n}")
    gender = Gender.FEMALE
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    kind = MemberKind.IN_SERVICE
    location = factory.LazyAttribute(_home)


class HouseholdFactory(ServiceFactory):
    class Meta:
        model = Household

    class Params:
        home = None

    _service = staticmethod(household_create)

    address = factory.Sequence(lambda n: f"东湖花园1栋{n}室")
    location = factory.LazyAttribute(_home)


class ResidentFactory(ServiceFactory):
    """A resident of a household (a new one at the default point unless given)."""

    class Meta:
        model = Resident

    _service = staticmethod(resident_create)

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"居民{n}")
    gender = Gender.MALE
    phone = factory.Sequence(lambda n: f"137{n:08d}")
