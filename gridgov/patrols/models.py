"""Patrol routes and patrols."""
