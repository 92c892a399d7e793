"""API keys on the wire: authentication, scope permission, per-key rate limit, use log.

A key travels in ``Authorization: Api-Key <key>`` or ``X-Api-Key: <key>``; Open311 views
also take the spec's ``api_key`` parameter (query string or form body). A key that is
wrong, malformed or revoked is refused (401, the error names where the key came from):
never silently anonymous. A good key authenticates as ``request.auth`` (the ApiKey) with
``request.user`` anonymous: a key is a system, not a person, and has no grid roles.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    BasicAuthentication,
    SessionAuthentication,
)
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import BaseThrottle

from gridgov.api.errors import bad_parameter
from gridgov.api.models import ApiKey
from gridgov.api.schema import GridGovAutoSchema
from gridgov.api.services import api_key_find, api_key_use_record
from gridgov.ratelimits.limits import allow_lookup, client_ip, hit, lookup_limits

HEADER = "X-Api-Key"
AUTHORIZATION = "Authorization"
PARAM = "api_key"
SCHEME = "Api-Key"

# What the underlying HttpRequest carries once a key was presented: (ApiKey | None, prefix).
_SEEN = "gridgov_api_key"


def _presented(request) -> tuple[str, str] | None:
    """(where, key) of the key the request carries, or None. Two places at once must agree."""
    view = (request.parser_context or {}).get("view")
    found: list[tuple[str, str]] = []
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth.split(" ", 1)[0].lower() == SCHEME.lower():
        found.append((AUTHORIZATION, auth.split(" ", 1)[1].strip() if " " in auth else ""))
    if "HTTP_X_API_KEY" in request.META:
        found.append((HEADER, request.META["HTTP_X_API_KEY"].strip()))
    in_query = PARAM in request.query_params
    if getattr(view, "api_key_parameter", False):
        if in_query:
            found.append((PARAM, request.query_params[PARAM].strip()))
        elif request.method == "POST" and PARAM in request.data:
            found.append((PARAM, str(request.data[PARAM]).strip()))
    elif in_query:
        raise exceptions.AuthenticationFailed(
            {PARAM: [_("Send the API key in the X-Api-Key header here, not in the address.")]}
        )
    if not found:
        return None
    # An empty key is refused wherever it was sent, even beside a good one (a client whose
    # key setting is empty must hear so, not be served as someone else).
    for where, key in found:
        if not key:
            raise exceptions.AuthenticationFailed({where: [_("Empty API key.")]})
    if len({k for _w, k in found}) > 1:
        raise exceptions.AuthenticationFailed(
            {found[1][0]: [_("Two different API keys in one request.")]}
        )
    return found[0]


class ApiKeyAuthentication(BaseAuthentication):
    """``request.auth`` = the ApiKey; ``request.user`` = AnonymousUser."""

    def authenticate(self, request):
        try:
            presented = _presented(request)
        except exceptions.AuthenticationFailed:
            setattr(request._request, _SEEN, (None, ""))
            raise
        if presented is None:
            return None
        where, raw = presented
        key, prefix = api_key_find(raw)
        setattr(request._request, _SEEN, (key, prefix))
        if key is None:
            raise exceptions.AuthenticationFailed({where: [_("Unknown or malformed API key.")]})
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                {
                    where: [
                        _("This API key was revoked on %(date)s.")
                        % {"date": f"{key.revoked_at:%Y-%m-%d}"}
                    ]
                }
            )
        return AnonymousUser(), key

    def authenticate_header(self, request):
        # 401 with a challenge only when a key was presented; anonymous callers keep the
        # 403 the session authenticator gives them.
        return SCHEME if hasattr(request._request, _SEEN) else None


def request_key(request) -> ApiKey | None:
    return request.auth if isinstance(request.auth, ApiKey) else None


class KeyScope(BasePermission):
    """A key reads only with ``can_read`` (views may waive that: the service catalogue) and
    posts only where the view allows keys to post, with ``can_post_requests``."""

    def has_permission(self, request, view) -> bool:
        key = request_key(request)
        if key is None:
            return True
        if request.method in SAFE_METHODS:
            if key.can_read or not getattr(view, "api_key_read_needs_scope", True):
                return True
            self.message = {PARAM: [_("This API key may not read.")]}
            return False
        if getattr(view, "api_key_may_post", False) and key.can_post_requests:
            return True
        self.message = {PARAM: [_("This API key may not post requests.")]}
        return False


class SignedInOrKey(BasePermission):
    """An account, or a valid API key (whose scope KeyScope checks)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) or (
            request_key(request) is not None
        )


class ApiKeyRateThrottle(BaseThrottle):
    """Per key, ``rate_limit_per_minute`` requests a minute: a fixed window that starts with
    the key's first request, counted by the same atomic counter as every other limit
    (``gridgov.ratelimits.limits.hit``, in the shared rate-limit cache), so parallel
    requests on any number of workers let exactly the key's rate through. Requests without
    a key are not throttled here. (DRF's SimpleRateThrottle reads a list of request times
    and writes it back: parallel requests each read the same list and all pass.)"""

    WINDOW = 60

    def allow_request(self, request, view) -> bool:
        key = request_key(request)
        if key is None:
            return True
        # The random prefix too: ids come back after a rollback (tests, SQLite).
        return hit("api_key", f"{key.pk}_{key.prefix}", self.WINDOW) <= key.rate_limit_per_minute

    def wait(self) -> float:
        return float(self.WINDOW)  # at most: the window started with the key's first request


class PublicLookupThrottle(BaseThrottle):
    """The public lookup limit of the finder page (one budget per client address with it,
    gridgov.ratelimits) for callers without an API key; a key has its own rate instead.
    Over it: 429, a JSON error and ``Retry-After``."""

    def allow_request(self, request, view) -> bool:
        return request_key(request) is not None or allow_lookup(request)

    def wait(self) -> float:
        return float(lookup_limits()[1])


def _logged_path(request) -> str:
    """The path and query, without the key itself (Open311 may carry it in the query)."""
    query = request._request.GET.copy()
    query.pop(PARAM, None)
    return request._request.path + (f"?{query.urlencode()}" if query else "")


def _nul_in(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_nul_in(k) or _nul_in(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_nul_in(v) for v in value)
    return False


def refuse_nul(request) -> None:
    """A NUL character in any parameter or field is a 400 naming it: no text column takes
    one (PostgreSQL refuses it outright), and no real value holds one."""
    items = list(request.query_params.lists())
    if request.method in ("POST", "PUT", "PATCH"):
        data = request.data
        items += (
            data.lists()
            if hasattr(data, "lists")
            else (data.items() if isinstance(data, dict) else [])
        )
    for name, value in items:
        if _nul_in(name) or _nul_in(value):
            raise bad_parameter(
                str(name).replace("\x00", "\\x00"), _("Contains a NUL character (\\x00).")
            )


class ApiKeyMixin:
    """Put first in the bases of every API view: key authentication before session and
    Basic auth, scope checks, the per-key throttle and the use log."""

    authentication_classes = [ApiKeyAuthentication, SessionAuthentication, BasicAuthentication]
    # The schema lists the JSON error answers of /api/v1/ (gridgov/api/schema.py).
    schema = GridGovAutoSchema()
    throttle_classes = [ApiKeyRateThrottle]
    api_key_parameter = False  # Open311 views: also the ``api_key`` parameter
    api_key_may_post = False
    api_key_read_needs_scope = True

    def get_permissions(self):
        return [KeyScope(), *super().get_permissions()]

    def initial(self, request, *args, **kwargs):
        refuse_nul(request)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        seen = getattr(request._request, _SEEN, None)
        if seen is not None:
            key, prefix = seen
            api_key_use_record(
                key=key,
                prefix=prefix,
                method=request.method,
                path=_logged_path(request),
                status_code=response.status_code,
                remote_addr=client_ip(request),
            )
        return response


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """The key in the OpenAPI schema (X-Api-Key; ``Authorization: Api-Key`` works too)."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": HEADER}
