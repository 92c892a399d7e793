"""Why a points service refused: ValidationErrors carrying one specific message (nothing was
written), so pages show them as they are and tests can tell them apart."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class PointsError(ValidationError):
    """A refused ledger or mall operation. Nothing was written."""

    def __init__(self, message: str, *, code: str = "points"):
        super().__init__(message, code=code)

    @property
    def text(self) -> str:
        return self.messages[0]


class NotEnoughPoints(PointsError):
    """The member's balance is below the item's price (says both)."""


class OutOfStock(PointsError):
    """No more of the item is left."""


class ItemUnavailable(PointsError):
    """The item is inactive, or offered only to another community's members."""


class PointsNotAllowed(PointsError):
    """The acting user may not do this for this member (outside their grids, not them)."""


class RedemptionStateError(PointsError):
    """The redemption is no longer in a state that allows the step (handed over, cancelled)."""
