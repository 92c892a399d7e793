"""What the navigation may offer the signed-in user, from the policy table (one query)."""

from gridgov.accounts import policy
from gridgov.accounts.models import Assignment


def access(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}}
    if user.is_superuser:
        return {"can": dict.fromkeys(policy.RULES, True)}
    roles = set(Assignment.objects.filter(user=user).values_list("role", flat=True))
    return {"can": {cap: bool(roles & allowed) for cap, allowed in policy.RULES.items()}}
