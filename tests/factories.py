"""factory_boy factories that create through the services (so rows are located and audited)."""

import factory
from django.contrib.gis.geos import Point

from gridgov.people.models import Gender, Household, Member, MemberKind, Resident
from gridgov.people.services import household_create, member_create, resident_create


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return SERVICES[model_class](acting_user=None, **kwargs)


class MemberFactory(ServiceFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"党员{n}")
    gender = Gender.FEMALE
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    kind = MemberKind.IN_SERVICE
    location = factory.LazyFunction(lambda: Point(113.102, 23.002, srid=4326))


class HouseholdFactory(ServiceFactory):
    class Meta:
        model = Household

    address = factory.Sequence(lambda n: f"东湖花园1栋{n}室")
    location = factory.LazyFunction(lambda: Point(113.102, 23.002, srid=4326))


class ResidentFactory(ServiceFactory):
    class Meta:
        model = Resident

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"居民{n}")
    gender = Gender.MALE
    phone = factory.Sequence(lambda n: f"137{n:08d}")


SERVICES = {Member: member_create, Household: household_create, Resident: resident_create}
