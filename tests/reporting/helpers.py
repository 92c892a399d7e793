"""The places and the password the reporting tests use."""

from __future__ import annotations

from django.contrib.gis.geos import Point

from tests.world import IN_B1, IN_B4
from tests.world.reporting import REGISTER_PASSWORD as PASSWORD
from tests.world.reporting import registration_form as form_data

OPEN_K1 = Point(113.104, 23.0045, srid=4326)  # compound K1's open ground, no building
OUTSIDE = Point(113.300, 23.300, srid=4326)  # far from every grid

__all__ = ["IN_B1", "IN_B4", "OPEN_K1", "OUTSIDE", "PASSWORD", "form_data"]
