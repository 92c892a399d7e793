"""Spatial plumbing for GridGov: geometry, CRS, files. Knows nothing of members or branches.

The house runs maps -> gridgov -> geodata; nothing here imports from gridgov or maps.
"""
