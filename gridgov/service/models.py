"""Models of gridgov.service."""
