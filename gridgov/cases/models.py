"""Residents' requests (cases)."""
