"""What the navigation may offer the signed-in user, from the policy table (the same query
as the navigation's)."""

from gridgov.accounts import policy
from gridgov.accounts.navigation import for_request


def access(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}}
    if user.is_superuser:
        return {"can": dict.fromkeys(policy.RULES, True)}
    roles = for_request(request).roles  # the navigation's one read of the assignments
    return {"can": {cap: bool(roles & allowed) for cap, allowed in policy.RULES.items()}}
