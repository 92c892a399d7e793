"""Models of gridgov.posts."""
