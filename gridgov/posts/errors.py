"""Why a posts service refused: a ValidationError carrying one specific message (or one per
field), shown as it is by forms and pages. Nothing was written."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class PostError(ValidationError):
    """A refused operation on posts, claims, actions, resources or the service list."""

    @property
    def text(self) -> str:
        return " ".join(self.messages)


class PostFull(PostError):
    """Every place of the post is taken."""


class PostNotAllowed(PostError):
    """The acting user may not do this (not the member themselves, outside their grids)."""
