"""What is public about members lives in gridgov/people/public.py (issue 16, item 3: the
models module had grown past 500 lines), one rule read by the models, the API, the point
lookup, the exports and the finder; the phone shown whole or dialable only on the
building-contact page and only when the member opted in (item 2: the finder's ``tel``
repeated the rule)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridgov.grids.services import gridrole_assign
from gridgov.people import models, public
from gridgov.people.contacts import building_contact
from gridgov.people.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_the_rule_lives_in_its_own_module():
    assert isinstance(Member.objects.all(), public.MemberQuerySet)
    assert public.MemberQuerySet.__module__ == "gridgov.people.public"
    # the models module keeps the names its importers read, and no copy of the rule
    assert models.public_phone is public.public_phone
    assert models.mask_phone is public.mask_phone
    assert not hasattr(models, "current_roles")
    assert len(Path(models.__file__).read_text().splitlines()) < 500


def test_phones_as_strangers_see_them():
    shown = MemberFactory.build(phone="13912345678", phone_public=True)
    hidden = MemberFactory.build(phone="13812345678", phone_public=False)
    assert public.public_phone(shown) == "139****5678"  # masked in lists, even opted in
    assert public.public_phone(shown, contact_page=True) == "13912345678"
    assert public.public_phone(hidden, contact_page=True) == "138****5678"
    assert public.public_tel(shown, contact_page=True) == "13912345678"
    assert public.public_tel(shown) == public.public_tel(hidden, contact_page=True) == ""
    assert public.mask_phone("1234567") == "*******"
    assert shown.masked_phone == "139****5678"


def test_the_finder_dials_only_what_it_shows(tree):
    shown = MemberFactory(name="公开", phone="13912345678", phone_public=True)
    hidden = MemberFactory(name="不公开", phone="13812345678", phone_public=False)
    gridrole_assign(grid=tree.b1, member=shown, role="group_leader", acting_user=None)
    gridrole_assign(grid=tree.b1, member=hidden, role="building_leader", acting_user=None)
    contacts = {c.name: (c.phone, c.tel) for c in building_contact(tree.b1).contacts}
    assert contacts == {"公开": ("13912345678", "13912345678"), "不公开": ("138****5678", "")}
