"""Admin of gridgov.service."""
