"""Who a service or selector acts for: the type of their ``user`` and ``acting_user``."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, cast

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# request.user in a view (a login, or the anonymous visitor); None when the system itself
# acts (a management command, the demo loader), which the services allow everything.
# Strings: the auth models cannot be imported before the app registry is ready.
Actor: TypeAlias = "User | AnonymousUser | None"
# A login or nobody: what a row's created_by, actor or reviewed_by column keeps.
Account: TypeAlias = "User | None"


def account_of(user: Actor) -> Account:
    """The login acting, or None for the anonymous visitor and for the system."""
    # Only a login is authenticated (AnonymousUser.is_authenticated is False).
    return cast("User", user) if getattr(user, "is_authenticated", False) else None
