"""Error bodies of the API: every refusal is JSON naming the parameter at fault.

Shape: ``{"detail": "<first message>", "parameter": "<name or null>", "errors":
{"<name>": ["<message>", ...]}}``. DRF's own exceptions (validation, 403, 404, 405, parse
errors) pass through ``exception_handler`` and come out in this shape too.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
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


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, then our body; a Django ValidationError escaping a service is a 400."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(parameter_errors(exc))
    response = drf_handler(exc, context)
    if response is None:
        return None
    response.data = error_body(response.data if not isinstance(exc, exceptions.APIException)
                               else exc.detail)
    return response


def bad_parameter(parameter: str, message: str,
                  code: int = status.HTTP_400_BAD_REQUEST) -> exceptions.APIException:
    """An exception naming one parameter (400 unless told)."""
    exc = exceptions.ValidationError({parameter: [message]})
    exc.status_code = code
    return exc
