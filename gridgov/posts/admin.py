"""Admin of gridgov.posts."""
