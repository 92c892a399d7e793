"""The unread count shown in the navigation."""

from gridgov.notices.models import Notice


def unread_notices(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": Notice.objects.filter(user=user, read_at__isnull=True).count()}
