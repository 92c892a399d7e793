"""Helpers of the operations tests."""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.contrib.gis.geos import GEOSGeometry


def fingerprint() -> dict[str, tuple[int, str]]:
    """Per table: row count and a hash of every row in primary-key order."""
    out = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        digest, count = hashlib.sha256(), 0
        for row in model._default_manager.order_by("pk").values_list():
            count += 1
            digest.update(
                repr(tuple(v.ewkt if isinstance(v, GEOSGeometry) else v for v in row)).encode()
            )
        out[model._meta.db_table] = (count, digest.hexdigest())
    return out
