"""Who the client is, and how often it may ask: the one client address of the project
(``client_ip``, trusted-proxy aware), fixed-window counters in their own cache
(``CACHES["ratelimit"]``, shared by every worker process), and the public lookup limit
shared by the finder page and the point-lookup API. Imports nothing of the other apps:
maps/, the API, reporting and django-axes ask it (docs/OPERATIONS.md, "Proxies and rate
limits")."""
