"""The client's address, and fixed-window counters in the shared rate-limit cache.

``client_ip`` is the one answer to "who is asking" for every limiter of the project: the
finder page and the point-lookup API, the reporting registration, the API throttles, the
API key use log and django-axes (``AXES_CLIENT_IP_CALLABLE``).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.cache import caches

ALIAS = "ratelimit"  # settings.CACHES[ALIAS]: shared by every worker (not the map cache)

# The public lookup limit (finder page and /api/v1/locate/, one budget): lookups per window.
LOOKUP_LIMIT = 30
LOOKUP_WINDOW = 60


def _address(value: str) -> str | None:
    """A bare IP address from one X-Forwarded-For entry (a port, brackets or an IPv6 zone
    some proxies add are dropped), or None when it is not an address."""
    value = value.strip()
    if value.startswith("["):  # [2001:db8::1]:443
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # 203.0.113.7:51234
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value.split("%", 1)[0]))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address of the client that sent ``request`` (None when the server gave none: a
    test client's login, a management command).

    Directly served (the default): ``REMOTE_ADDR``; an ``X-Forwarded-For`` header is typed
    by the client and ignored. Behind ``GRIDGOV_PROXY_COUNT`` trusted reverse proxies
    (``GRIDGOV_BEHIND_PROXY=1``): each proxy *appends* the address it received the request
    from, so the client is the entry the outermost proxy appended, the
    ``GRIDGOV_PROXY_COUNT``-th from the right. Entries further left were sent by the client
    and may be forged. A header shorter than the proxy count (a proxy was bypassed from
    inside) gives its left-most entry, which a trusted proxy still wrote; a header whose
    entry is not an address, or none at all, gives ``REMOTE_ADDR``.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if not getattr(settings, "GRIDGOV_BEHIND_PROXY", False):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if not hops:
        return remote
    count = max(1, int(getattr(settings, "GRIDGOV_PROXY_COUNT", 1)))
    return _address(hops[-min(count, len(hops))]) or remote


def hit(name: str, client: str, window: int) -> int:
    """Count one request of ``client`` against counter ``name``; the count in the current
    window. A fixed window: it starts with the first request and expires ``window`` seconds
    later, in the shared rate-limit cache (an atomic increment on Redis and on the database
    cache, so N workers count together)."""
    cache = caches[ALIAS]
    key = f"rl:{name}:{client}"
    try:  # the common case, one locked update (a database cache's add costs a table count)
        return cache.incr(key)
    except ValueError:  # the window's first request, or the last window expired
        if cache.add(key, 1, timeout=window):
            return 1
        return cache.incr(key)  # another worker started the window meanwhile


def allow(request, name: str, limit: int, window: int) -> bool:
    """Count one request of the client under ``name``; False once it is over ``limit`` in
    this window."""
    return hit(name, client_ip(request) or "unknown", window) <= limit


def lookup_limits() -> tuple[int, int]:
    """(lookups, window seconds) of the public lookup limit (GRIDGOV_FINDER_RATE_*)."""
    return (int(getattr(settings, "GRIDGOV_FINDER_RATE_LIMIT", LOOKUP_LIMIT)),
            int(getattr(settings, "GRIDGOV_FINDER_RATE_WINDOW", LOOKUP_WINDOW)))


def allow_lookup(request) -> bool:
    """One public lookup (an address or a point, on the finder page or through
    /api/v1/locate/): both count against one budget per client."""
    limit, window = lookup_limits()
    return allow(request, "lookup", limit, window)
