"""Why a case service refused: each is a ValidationError carrying one specific message, so
forms and views show it as it is."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class CaseError(ValidationError):
    """A refused case operation. Nothing was written."""

    def __init__(self, message: str, *, code: str = "case"):
        super().__init__(message, code=code)

    @property
    def text(self) -> str:
        return self.messages[0]


class CaseTransitionError(CaseError):
    """The state machine forbids this step from the case's current state."""


class CaseAlreadyTaken(CaseTransitionError):
    """Someone else took the case first (names who)."""


class CaseNotAllowed(CaseError):
    """The acting user may not do this to this case (not the requester, out of scope)."""
