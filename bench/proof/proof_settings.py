"""Production settings (gridgov.settings, read from the environment as deployed), unchanged.

The load proof lifts the public lookup limit through the environment, as a deployment
would: proof.py sets GRIDGOV_FINDER_RATE_LIMIT, which gridgov/settings.py reads (every
locust user comes from 127.0.0.1, one client, so the default 30 lookups a minute would
answer 429 to the whole load test). The counters are not per process: they live in the
shared rate-limit cache, by default the database table gridgov_ratelimit made by migrate
(CACHES["ratelimit"], docs/OPERATIONS.md), so under the proof every lookup, and any
API-key request, also writes its counter row in the database being measured.

Used only by bench/proof (DJANGO_SETTINGS_MODULE=proof_settings, PYTHONPATH=bench/proof).
"""

from gridgov.settings import *  # noqa: F403
