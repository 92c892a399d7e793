"""The client's address, and fixed-window counters in the shared rate-limit cache.

``client_ip`` is the one answer to "who is asking": the exact address, which django-axes
(``AXES_CLIENT_IP_CALLABLE``) and the API key use log record. ``client_key`` is what every
rate limit counts against (the finder page and the point-lookup API, the reporting
registration): the IPv4 address, or the /64 network of an IPv6 address, since one IPv6
subscriber is given a whole /64 and may send each request from another address in it. The
API key throttle counts per key (``hit``), not per client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache  # imports redis only when used

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
    by the client and ignored.

    Behind N = ``GRIDGOV_PROXY_COUNT`` reverse proxies (``GRIDGOV_BEHIND_PROXY=1``): the
    N-th entry from the right of ``X-Forwarded-For``. That is the client's address only if

    - *every one* of the N proxies appends the address it received the request from (nginx
      ``$proxy_add_x_forwarded_for``): one that replaces the header, or passes it on
      untouched, shifts the count, and the entry taken is then a proxy's (everyone is one
      client) or one the client typed (the client picks its address); and
    - clients can reach only the outermost proxy: the inner proxies and the application
      accept connections only from the proxy in front of them. A client that reaches an
      inner proxy directly sends a header of its own, which that proxy extends, so the
      N-th entry from the right is one the client typed.

    With N = 2 (a load balancer in front of nginx) the header reaching the application reads
    ``<typed by the client …>, <client>, <load balancer>`` and the answer is ``<client>``.
    Entries further left were sent by the client and are never read. A header with fewer
    than N entries (a misconfigured chain) gives its left-most entry; a header whose chosen
    entry is not an address, or no header, gives ``REMOTE_ADDR``.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if not getattr(settings, "GRIDGOV_BEHIND_PROXY", False):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if not hops:
        return remote
    count = max(1, int(getattr(settings, "GRIDGOV_PROXY_COUNT", 1)))
    return _address(hops[-min(count, len(hops))]) or remote


def client_key(request) -> str:
    """Whom a rate limit counts: the client's IPv4 address, or the /64 network of its IPv6
    address (``2001:db8:1:2::/64``), or ``unknown``. An IPv6 subscriber (a home line, a
    phone) is routed a whole /64 and its devices pick new addresses in it at will (privacy
    addresses), so per address one /64 would be unlimited; a /64 is one subscriber, like
    one IPv4 address behind its NAT. An IPv4-mapped address (``::ffff:203.0.113.7``) is the
    IPv4 address.

    django-axes keeps the exact address (``client_ip``): a lockout holds one username from
    one address and its rows are the record of who tried; see docs/OPERATIONS.md."""
    ip = client_ip(request)
    if ip is None:
        return "unknown"
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def hit(name: str, client: str, window: int) -> int:
    """Count one request of ``client`` against counter ``name``; the count in the current
    window. A fixed window: it starts with the first request and expires ``window`` seconds
    later, in the shared rate-limit cache (an atomic increment on Redis and on the database
    cache, so N workers count together)."""
    cache = caches[ALIAS]
    key = f"rl:{name}:{client}"
    if isinstance(cache, RedisCache):
        return _redis_hit(cache, key, window)
    try:  # the common case, one locked update (a database cache's add costs a table count)
        return cache.incr(key)
    except ValueError:  # the window's first request, or the last window expired
        if cache.add(key, 1, timeout=window):
            return 1
        return cache.incr(key)  # another worker started the window meanwhile


def _redis_hit(cache: RedisCache, key: str, window: int) -> int:
    """``hit`` on Redis: ``SET key 0 EX window NX`` then ``INCR``, in one MULTI/EXEC.

    Django's ``RedisCache.incr`` asks ``EXISTS`` then ``INCR``: a key that expires between
    the two is made again by ``INCR`` with no expiry, and that client stays over its limit
    for good. Here the window's key always gets its expiry with its first count, and INCR
    keeps it. A key left without expiry (TTL -1, by an older version) is given one. The
    redis package is imported by Django's backend, only when a Redis cache is used."""
    key = cache.make_and_validate_key(key)
    client = cache._cache.get_client(key, write=True)
    with client.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=window, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _set, count, ttl = pipe.execute()
    if ttl == -1:
        client.expire(key, window)
    return int(count)


def allow(request, name: str, limit: int, window: int) -> bool:
    """Count one request of the client (``client_key``) under ``name``; False once it is
    over ``limit`` in this window."""
    return hit(name, client_key(request), window) <= limit


def lookup_limits() -> tuple[int, int]:
    """(lookups, window seconds) of the public lookup limit (GRIDGOV_FINDER_RATE_*)."""
    return (
        int(getattr(settings, "GRIDGOV_FINDER_RATE_LIMIT", LOOKUP_LIMIT)),
        int(getattr(settings, "GRIDGOV_FINDER_RATE_WINDOW", LOOKUP_WINDOW)),
    )


def allow_lookup(request) -> bool:
    """One public lookup (an address or a point, on the finder page or through
    /api/v1/locate/): both count against one budget per client."""
    limit, window = lookup_limits()
    return allow(request, "lookup", limit, window)
