"""Open311 GeoReport v2 at /open311/v2/ over the cases app.

- ``services.{json,xml}`` and ``services/<code>.{json,xml}``: the active case categories
  (public).
- ``requests.{json,xml}`` GET: cases the caller may see (cases_visible_to), signed in;
  filters service_request_id, service_code, start_date, end_date, status (open|closed); by
  default the last 90 days, 1000 per page; extensions page/page_size.
- ``requests.{json,xml}`` POST: a new case through cases.services.case_create (channel
  online), signed in (a city system's account).
- ``requests/<id>.{json,xml}``: one case by its number.

A request's ``description`` is its content, shown to whoever may read the request; its
``address`` (which holds the room) is the requester's, through ``requester_seen_by``: the
free text for those who may read residents there (and the requester), the place's grid names
for everyone else; an API key keeps the free text only when its scope is the whole district.

Status: open while the case is new, dispatched, taken or in progress; closed once resolved
or closed, with the detailed state in status_notes and extended_attributes. Errors are the
spec's list of ``{code, description}``, plus ``parameter`` naming the one at fault, in the
format the URL names (.json/.xml), a body too large for the server (413) included.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import EmptyPage, Paginator
from django.db import DatabaseError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.accounts import policy
from gridgov.api.errors import NON_FIELD, bad_parameter, parameter_errors, request_size_error
from gridgov.api.keys import ApiKeyMixin, SignedInOrKey, request_key
from gridgov.api.open311_schema import (
    API_KEY,
    FORMAT,
    JURISDICTION,
    Open311RequestCreatedSerializer,
    Open311RequestSerializer,
    Open311ServiceDefinitionSerializer,
    Open311ServiceSerializer,
    errors,
)
from gridgov.api.xml import Open311XMLRenderer
from gridgov.cases.models import OPEN_STATUSES, Case, CaseCategory, Channel
from gridgov.cases.selectors import Requester, cases_visible_to, requester_seen_by
from gridgov.cases.services import case_create
from gridgov.people.models import Household

DEFAULT_DAYS = 90
DEFAULT_PAGE_SIZE = 1000


def open311_errors(exc, context):
    """Open311's error list; the status code DRF would have used (500s are not caught), 413
    for a body over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    from rest_framework.views import exception_handler as drf_handler

    exc = request_size_error(exc)
    if isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(parameter_errors(exc))
    response = drf_handler(exc, context)
    if response is None:
        return None
    errors = parameter_errors(exc)
    response.data = [
        {
            "code": response.status_code,
            "description": message,
            "parameter": None if name == NON_FIELD else name,
        }
        for name, messages in errors.items()
        for message in messages
    ]
    return response


class Open311View(ApiKeyMixin, APIView):
    renderer_classes = [JSONRenderer, Open311XMLRenderer]
    api_key_parameter = True  # the spec's api_key, in the query or the form body
    xml_root = "response"
    xml_item = "item"
    schema_keeps_format_suffix = True  # its routes are .json/.xml only (gridgov/api/schema.py)

    def get_exception_handler(self):
        return open311_errors

    def initial(self, request, *args, **kwargs):
        # The URL's .json/.xml first: a refusal raised before DRF's own initial() (reading an
        # oversized or NUL-bearing body) is then answered in the format asked for.
        self.format_kwarg = self.get_format_suffix(**kwargs)
        super().initial(request, *args, **kwargs)


# --- services -----------------------------------------------------------------------------


def service_json(category: CaseCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.get_kind_display(),
        "metadata": False,
        "type": "realtime",
        "keywords": category.kind,
        "group": category.kind,
    }


class ServiceList(Open311View):
    permission_classes = [AllowAny]
    api_key_read_needs_scope = False  # the catalogue a posting system needs
    xml_root, xml_item = "services", "service"

    @extend_schema(
        operation_id="open311_services_list",
        summary="Open311: the service list (active case categories)",
        tags=["open311"],
        parameters=[*FORMAT, API_KEY, JURISDICTION],
        responses={200: Open311ServiceSerializer(many=True), **errors(400, 401, 404, 429)},
    )
    def get(self, request, format=None):
        return Response([service_json(c) for c in CaseCategory.objects.filter(active=True)])


class ServiceDefinition(Open311View):
    permission_classes = [AllowAny]
    api_key_read_needs_scope = False
    xml_root, xml_item = "service_definition", "attribute"

    @extend_schema(
        operation_id="open311_service_definition",
        summary="Open311: one service's definition (no extra attributes)",
        tags=["open311"],
        parameters=[
            OpenApiParameter(
                "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="a service_code"
            ),
            *FORMAT,
            API_KEY,
            JURISDICTION,
        ],
        responses={200: Open311ServiceDefinitionSerializer, **errors(400, 401, 404, 429)},
    )
    def get(self, request, code, format=None):
        if not CaseCategory.objects.filter(code=code, active=True).exists():
            raise bad_parameter(
                "service_code",
                _("Unknown service code %(value)s.") % {"value": repr(code)},
                code=404,
            )
        return Response({"service_code": code, "attributes": []})


# --- requests -----------------------------------------------------------------------------


def open_or_closed(case: Case) -> str:
    return "open" if case.status in OPEN_STATUSES else "closed"


def requester_for(request, case: Case) -> Requester:
    """The requester as this caller may see them (``requester_seen_by``): a signed-in account
    by its roles; an API key by its scope — a key over the whole district (empty scope_code,
    the city platform's) keeps the address with the room, a key limited to a grid prefix gets
    the place's grid names only (docs/DECISIONS.md, session 7 review)."""
    key = request_key(request)
    if key is None:
        return requester_seen_by(request.user, case)
    if not key.scope_code:
        return Requester(case.requester_name, case.requester_phone, case.address)
    return requester_seen_by(None, case)


def request_json(case: Case, requester: Requester) -> dict:
    """One request as Open311 gives it: the description is the request's content (shown to
    whoever may open it); the address is the requester's, as ``requester`` says."""
    notes = case.get_status_display()
    if case.closure_reason:
        notes = f"{notes}: {case.get_closure_reason_display()}"
    expected = None
    if case.status in OPEN_STATUSES:
        expected = case.opened_at + dt.timedelta(hours=case.category.resolution_sla_hours)
    updated = getattr(case, "last_event_at", None) or case.opened_at
    return {
        "service_request_id": case.number,
        "status": open_or_closed(case),
        "status_notes": notes,
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description or case.title,
        "agency_responsible": case.community.name if case.community else "",
        "service_notice": "",
        "requested_datetime": case.created_at.isoformat(),
        "updated_datetime": updated.isoformat(),
        "expected_datetime": expected.isoformat() if expected else None,
        "address": requester.address,
        "address_id": None,
        "zipcode": None,
        "lat": round(case.location.y, 7),
        "long": round(case.location.x, 7),
        "media_url": None,
        "extended_attributes": {
            "community_code": case.community.code if case.community else None,
            "compound_code": case.compound.code if case.compound else None,
            "building_code": case.building.code if case.building else None,
            "detailed_status": case.status,
            "channel": case.channel,
        },
    }


class StatusListField(serializers.CharField):
    """``status``: open, closed or both, comma-separated (the schema says so)."""


class StatusListFieldExtension(OpenApiSerializerFieldExtension):
    target_class = StatusListField

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "pattern": "^(?:(?:open|closed)(?:,(?:open|closed))*)?$",
            "description": "open, closed or open,closed (status= empty is a 400)",
        }


class RequestQuery(serializers.Serializer):
    service_request_id = serializers.CharField(required=False)
    service_code = serializers.CharField(required=False)
    start_date = serializers.DateTimeField(required=False)
    end_date = serializers.DateTimeField(required=False)
    status = StatusListField(required=False)
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=DEFAULT_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )

    def validate_status(self, value: str) -> list[str]:
        wanted = [v.strip() for v in value.split(",") if v.strip()]
        if not wanted or set(wanted) - {"open", "closed"}:
            raise serializers.ValidationError(_("Expected open, closed or open,closed."))
        return wanted

    def validate(self, data):
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and start > end:
            raise serializers.ValidationError({"end_date": _("end_date is before start_date.")})
        return data


class ServiceCodeField(serializers.CharField):
    """A service_code; the schema lists the active ones (ServiceCodeFieldExtension)."""


class ServiceCodeFieldExtension(OpenApiSerializerFieldExtension):
    """The schema is made per request (/api/schema/): the enum is the catalogue as it is."""

    target_class = ServiceCodeField

    def map_serializer_field(self, auto_schema, direction):
        schema = {"type": "string", "description": "an active service_code (services.json)"}
        try:
            codes = list(
                CaseCategory.objects.filter(active=True)
                .order_by("code")
                .values_list("code", flat=True)
            )
        except DatabaseError:
            # `check --deploy` builds the schema too (drf-spectacular's check), possibly before
            # any migration: the field is then described without its list.
            return schema
        return {**schema, "enum": codes}


class RequestCreate(serializers.Serializer):
    service_code = ServiceCodeField()
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    long = serializers.FloatField(required=False, min_value=-180, max_value=180)
    address_string = serializers.CharField(required=False, min_length=1, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=24)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=24)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    email = serializers.EmailField(required=False, allow_blank=True)
    jurisdiction_id = serializers.CharField(required=False, allow_blank=True)

    def validate_service_code(self, code: str) -> CaseCategory:
        category = CaseCategory.objects.filter(code=code, active=True).first()
        if category is None:
            raise serializers.ValidationError(
                _("Unknown service code %(value)s.") % {"value": repr(code)}
            )
        return category

    def validate(self, data):
        has_lat, has_long = "lat" in data, "long" in data
        if has_lat != has_long:
            missing = "long" if has_lat else "lat"
            raise serializers.ValidationError({missing: _("lat and long go together.")})
        if has_lat:
            data["point"] = Point(data["long"], data["lat"], srid=4326)
        elif data.get("address_string"):
            # No geocoder: an address we hold (a household's) gives the point.
            home = Household.objects.filter(
                address=data["address_string"], location__isnull=False
            ).first()
            if home is None:
                raise serializers.ValidationError(
                    {"address_string": _("Address not known here: send lat and long.")}
                )
            data["point"] = home.location
        else:
            raise serializers.ValidationError(
                {"lat": _("A location is required: lat and long, or address_string.")}
            )
        return data


def _visible(request):
    """Cases the account may see; for an API key, the cases under its grid code prefix."""
    key = request_key(request)
    if key is not None:
        qs = Case.objects.select_related("category").filter(
            policy.scope_q([key.scope_code] if key.scope_code else None)
        )
    else:
        qs = cases_visible_to(request.user)
    return qs.select_related("community", "compound", "building").annotate(
        last_event_at=Max("events__at")
    )


class RequestList(Open311View):
    xml_root, xml_item = "service_requests", "request"
    permission_classes = [SignedInOrKey]
    api_key_may_post = True  # with can_post_requests: the 12345 hotline, no account needed

    @extend_schema(
        operation_id="open311_requests_list",
        summary="Open311: service requests (cases) the caller may see",
        description="By default the last 90 days, newest first, 1000 per page. "
        "With service_request_id the other filters are ignored.",
        tags=["open311"],
        parameters=[*FORMAT, RequestQuery, API_KEY, JURISDICTION],
        responses={200: Open311RequestSerializer(many=True), **errors(400, 401, 403, 404, 429)},
    )
    def get(self, request, format=None):
        if request.query_params.get("status") == "":  # DRF would take it for absent
            raise bad_parameter("status", _("Expected open, closed or open,closed."))
        query = RequestQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        qs = _visible(request)
        if q.get("service_request_id"):
            qs = qs.filter(number__in=[n.strip() for n in q["service_request_id"].split(",")])
        else:
            if q.get("service_code"):
                qs = qs.filter(category__code__in=q["service_code"].split(","))
            end = q.get("end_date")
            start = q.get("start_date") or (end or timezone.now()) - dt.timedelta(days=DEFAULT_DAYS)
            qs = qs.filter(created_at__gte=start)
            if end:
                qs = qs.filter(created_at__lte=end)
            if q.get("status") and set(q["status"]) != {"open", "closed"}:
                opened = q["status"] == ["open"]
                qs = (
                    qs.filter(status__in=OPEN_STATUSES)
                    if opened
                    else qs.exclude(status__in=OPEN_STATUSES)
                )
        pages = Paginator(qs.order_by("-created_at", "-id"), q["page_size"])
        try:
            page = pages.page(q["page"])
        except EmptyPage:
            if q["page"] == 1:  # no results at all: an empty list, not an error
                return Response([])
            raise bad_parameter(
                "page", _("No such page: there are %(n)s.") % {"n": pages.num_pages}, code=404
            ) from None
        return Response([request_json(c, requester_for(request, c)) for c in page.object_list])

    @extend_schema(
        operation_id="open311_requests_create",
        summary="Open311: raise a service request (creates a case)",
        description="lat and long, or an address_string GridGov holds. Needs an "
        "account, or an API key with can_post_requests.",
        tags=["open311"],
        parameters=[*FORMAT, JURISDICTION],
        request=RequestCreate,
        responses={
            201: Open311RequestCreatedSerializer(many=True),
            **errors(400, 401, 403, 404, 429),
        },
    )
    def post(self, request, format=None):
        form = RequestCreate(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        category = d["service_code"]
        name = f"{d.get('first_name', '')} {d.get('last_name', '')}".strip()
        description = d.get("description", "")
        try:
            case = case_create(
                acting_user=request.user,
                category=category,
                channel=Channel.ONLINE,
                title=(description.splitlines()[0][:120] if description else category.name),
                description=description,
                requester_name=(name or _("anonymous"))[:50],
                requester_phone=d.get("phone", ""),
                address=d.get("address_string", ""),
                location=d["point"],
            )
        except DjangoValidationError as exc:
            errors = parameter_errors(exc)
            # The service speaks of the case's "location": the request's parameter is lat.
            parameter = "lat" if "location" in errors else next(iter(errors))
            raise bad_parameter(parameter, next(iter(errors.values()))[0]) from None
        return Response(
            [{"service_request_id": case.number, "service_notice": "", "account_id": None}],
            status=status.HTTP_201_CREATED,
        )


class RequestDetail(Open311View):
    xml_root, xml_item = "service_requests", "request"
    permission_classes = [SignedInOrKey]

    @extend_schema(
        operation_id="open311_request_retrieve",
        summary="Open311: one service request (a list of one)",
        tags=["open311"],
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.STR, OpenApiParameter.PATH, description="the service_request_id"
            ),
            *FORMAT,
            API_KEY,
            JURISDICTION,
        ],
        responses={200: Open311RequestSerializer(many=True), **errors(400, 401, 403, 404, 429)},
    )
    def get(self, request, id, format=None):
        case = _visible(request).filter(number=id).first()
        if case is None:
            raise bad_parameter(
                "service_request_id",
                _("No request %(value)s here.") % {"value": repr(id)},
                code=404,
            )
        return Response([request_json(case, requester_for(request, case))])
