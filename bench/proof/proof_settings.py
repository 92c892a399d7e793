"""Production settings (gridgov.settings, read from the environment as deployed) plus the one
knob the load proof must lift and gridgov/settings.py does not read from the environment:
the public finder's per-client lookup limit (maps/finder.py). Every locust user comes from
127.0.0.1, so the default 30 lookups a minute would answer 429 to the whole load test.

Used only by bench/proof (DJANGO_SETTINGS_MODULE=proof_settings, PYTHONPATH=bench/proof).
"""

import os

from gridgov.settings import *  # noqa: F403

GRIDGOV_FINDER_RATE_LIMIT = int(os.environ.get("GRIDGOV_FINDER_RATE_LIMIT", "30"))
