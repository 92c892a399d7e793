"""Error bodies of the API: every refusal is JSON naming the parameter at fault.

Shape: ``{"detail": "<first message>", "parameter": "<name or null>", "errors":
{"<name>": ["<message>", ...]}}``. DRF's own exceptions (validation, 403, 404, 405, parse
errors) pass through ``exception_handler`` and come out in this shape too, and so does a body
larger than Django accepts (413, naming DATA_UPLOAD_MAX_MEMORY_SIZE), which Django would
otherwise answer with its HTML 400 page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

NON_FIELD = "non_field_errors"


def _flatten(detail: Any) -> dict[str, list[str]]:
    """DRF error detail (str, list or dict, nested) -> {parameter: [messages]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}" if sub != NON_FIELD else key] = msgs
            else:
                out[str(key)] = [str(m) for m in (value if isinstance(value, list) else [value])]
        return out
    if isinstance(detail, list):
        return {NON_FIELD: [str(m) for m in detail]}
    return {NON_FIELD: [str(detail)]}


def error_body(detail: Any) -> dict[str, Any]:
    errors = _flatten(detail)
    parameter = next((k for k in errors if k != NON_FIELD), None)
    first = errors[parameter][0] if parameter else next(iter(errors.values()))[0]
    return {"detail": first, "parameter": parameter, "errors": errors}


def parameter_errors(exc: Exception) -> dict[str, list[str]]:
    """The {parameter: messages} of a DRF or Django validation error."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        return {NON_FIELD: [str(m) for m in exc.messages]}
    if isinstance(exc, exceptions.APIException):
        return _flatten(exc.detail)
    return {NON_FIELD: [str(exc)]}


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def request_size_error(exc: Exception) -> Exception:
    """Django's refusal of an oversized request body (raised while DRF reads it) as an API
    error naming the limit; any other exception unchanged."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return RequestTooLarge(
            _(
                "The request body is too large: at most %(limit)s bytes (%(mb)s MB, the "
                "server's DATA_UPLOAD_MAX_MEMORY_SIZE) are accepted, files aside."
            )
            % {"limit": limit, "mb": f"{limit / 1048576:.1f}"}
        )
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        many = isinstance(exc, TooManyFieldsSent)
        setting = "DATA_UPLOAD_MAX_NUMBER_FIELDS" if many else "DATA_UPLOAD_MAX_NUMBER_FILES"
        return exceptions.ParseError(
            _("The request has too many %(what)s: at most %(limit)s (the server's %(setting)s).")
            % {
                "what": _("fields") if many else _("files"),
                "limit": getattr(settings, setting),
                "setting": setting,
            }
        )
    return exc


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, then our body; a Django ValidationError escaping a service is a 400,
    an oversized body a 413."""
    exc = request_size_error(exc)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(parameter_errors(exc))
    response = drf_handler(exc, context)
    if response is None:
        return None
    response.data = error_body(
        response.data if not isinstance(exc, exceptions.APIException) else exc.detail
    )
    return response


def bad_parameter(
    parameter: str, message: str, code: int = status.HTTP_400_BAD_REQUEST
) -> exceptions.APIException:
    """An exception naming one parameter (400 unless told)."""
    exc = exceptions.ValidationError({parameter: [message]})
    exc.status_code = code
    return exc
