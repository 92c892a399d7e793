"""Importing grid boundaries from a file: check every feature, then write all or nothing.

Three steps, one module each:
- ``read``: open the file through geodata.io, pick the fields, every feature a row (or a
  reason it is refused);
- ``plan``: parents, codes, nesting and overlap checked against the stored grids; what
  would be created, updated or left unchanged;
- ``apply``: the writes, their audit rows and the re-location of people, in one
  transaction, one import at a time.

Callers (the import_grids command, tests) need only what is named here.
"""

from gridgov.grids.importing.apply import ImportResult, grids_import
from gridgov.grids.importing.plan import LEVELS
from gridgov.grids.importing.read import ImportFailed

__all__ = ["LEVELS", "ImportFailed", "ImportResult", "grids_import"]
