"""Helpers of the privacy tests: every row of the database as text, and a request raised
through Open311 by a hotline's key."""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry
from rest_framework.test import APIClient

from gridgov.api.models import ApiKey
from gridgov.api.services import api_key_issue


def dump_all_tables() -> str:
    """Every row of every table as text: what a search for the person would find."""
    from django.apps import apps

    parts = []
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            parts.extend(
                repr(tuple(v.ewkt if isinstance(v, GEOSGeometry) else v for v in row))
                for row in model._default_manager.values_list()
            )
    return "\n".join(parts)


def open311_post(**fields) -> str:
    raw = api_key_issue(
        key=ApiKey(name="12345 hotline", can_read=False, can_post_requests=True), acting_user=None
    )
    response = APIClient().post(
        "/open311/v2/requests.json",
        {"api_key": raw, "service_code": "repair", "lat": "23.002", "long": "113.102", **fields},
    )
    assert response.status_code == 201, response.content
    return response.json()[0]["service_request_id"]
