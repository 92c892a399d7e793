"""No models. The module exists so that ``migrate`` sends this app its post_migrate signal,
on which the rate-limit cache table is created (apps.py)."""
