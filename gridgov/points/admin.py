"""Admin of gridgov.points."""
