"""Web Mercator XYZ tile maths (the numbering Leaflet and ST_TileEnvelope use): a tile
address read from a URL, a tile's bounds in degrees, and its box grown by the MVT buffer."""

from __future__ import annotations

import math

MAX_ZOOM = 22
EXTENT = 4096  # MVT coordinate grid of one tile
BUFFER = 64  # MVT units drawn beyond the tile's edge (so strokes meet across tiles)


class TileError(ValueError):
    """A tile address that does not exist: ``parameter`` (z, x or y) is not a whole number
    from 0 to ``top``."""

    def __init__(self, parameter: str, top: int):
        super().__init__(f"{parameter} must be a whole number from 0 to {top}")
        self.parameter = parameter
        self.top = top


def parse_tile(z: str, x: str, y: str) -> tuple[int, int, int]:
    """z/x/y as integers in range, or TileError naming the first one that is not."""
    if not (z.isascii() and z.isdigit()) or len(z) > 2 or int(z) > MAX_ZOOM:
        raise TileError("z", MAX_ZOOM)
    zoom = int(z)
    top = 2**zoom - 1
    values = []
    for name, raw in (("x", x), ("y", y)):
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 8 or int(raw) > top:
            raise TileError(name, top)
        values.append(int(raw))
    return zoom, values[0], values[1]


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of an XYZ tile in degrees."""
    n = 2**z

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def tile_box(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The tile's bounds grown by the MVT buffer: features touching it are drawn."""
    w, s, e, n = tile_bounds(z, x, y)
    dx, dy = (e - w) * BUFFER / EXTENT, (n - s) * BUFFER / EXTENT
    return w - dx, s - dy, e + dx, n + dy
