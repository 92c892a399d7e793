"""Why a service operation was refused: a ValidationError carrying one specific message, so
forms and pages show it as it is. Nothing was written (except a wrong check-in code, which
is counted)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A refused operation on an activity, a sign-up or a self-organised service."""

    def __init__(self, message, *, code: str = "service"):
        super().__init__(message, code=code)

    @property
    def text(self) -> str:
        return self.messages[0]


class ActivityFull(ServiceError):
    """Every place is taken."""


class CheckinRefused(ServiceError):
    """Too far, outside the check-in window, wrong code, ..."""


class NotAllowed(ServiceError):
    """The acting user may not do this (not the organiser, not the member, out of scope)."""
