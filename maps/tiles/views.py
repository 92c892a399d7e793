"""The tile endpoint: /tiles/<layer>/<z>/<x>/<y>.pbf (PostGIS) or .geojson (any backend).

Refusals are JSON naming the part at fault, never an HTML page or a 500: an unknown layer or
format → 404; z, x or y not a whole number in range → 400; a private layer without signing in
→ 401; a .pbf from a server without PostGIS → 404 (the .geojson tiles are there). A tile with
no features → 204 No Content.
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from geodata.tilesources import DISPLAY_CRS
from maps.tiles.bbox import is_postgis
from maps.tiles.geojson import geojson_tile
from maps.tiles.layers import LAYERS
from maps.tiles.mvt import mvt_tile
from maps.tiles.xyz import TileError, parse_tile

FORMATS = {"pbf": "application/vnd.mapbox-vector-tile", "geojson": "application/geo+json"}
# Browsers may keep a tile this long (seconds): a pan back and forth costs nothing, and an
# edit shows within a minute. Private layers only in the browser's own cache.
MAX_AGE = 60


def refusal(status: int, parameter: str | None, message: str) -> JsonResponse:
    """The API's error shape (gridgov/api/errors.py)."""
    errors = {parameter or "non_field_errors": [message]}
    return JsonResponse(
        {"detail": message, "parameter": parameter, "errors": errors},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def in_browser_language(view):
    """/tiles/ has no language prefix, so the locale middleware answers in the default
    language; a tile's words (a request's status, refusals) follow the browser instead:
    its language cookie, else Accept-Language."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override(translation.get_language_from_request(request)):
            return view(request, *args, **kwargs)

    return wrapped


@in_browser_language
def no_tile(request):
    """Anything under /tiles/ that is not <layer>/<z>/<x>/<y>.<format>."""
    return refusal(404, None, _("Tiles are at /tiles/<layer>/<z>/<x>/<y>.pbf or .geojson."))


@require_safe
@in_browser_language
def tile(request, layer: str, z: str, x: str, y: str, fmt: str):
    spec = LAYERS.get(layer)
    if spec is None:
        return refusal(
            404,
            "layer",
            _("No tile layer %(layer)s; the layers are: %(known)s.")
            % {"layer": layer[:40], "known": ", ".join(LAYERS)},
        )
    if fmt not in FORMATS:
        return refusal(
            404, "format", _("Tiles come as .pbf or .geojson, not .%(fmt)s.") % {"fmt": fmt[:10]}
        )
    try:
        z_, x_, y_ = parse_tile(z, x, y)
    except TileError as exc:
        return refusal(
            400,
            exc.parameter,
            _("%(part)s must be a whole number from 0 to %(top)s.")
            % {"part": exc.parameter, "top": exc.top},
        )
    crs = request.GET.get("crs", "wgs84")
    if crs not in DISPLAY_CRS:
        return refusal(
            400, "crs", _("crs must be one of: %(known)s.") % {"known": ", ".join(DISPLAY_CRS)}
        )
    if fmt == "pbf" and not is_postgis():
        return refusal(
            404,
            "format",
            _("Vector tiles (.pbf) need PostGIS; this server has the same tiles as .geojson."),
        )
    if spec.private and not request.user.is_authenticated:
        return refusal(401, None, _("Sign in to see this layer."))
    if fmt == "pbf":
        body = mvt_tile(spec, request.user, z_, x_, y_, crs)
        response = HttpResponse(body, content_type=FORMATS[fmt]) if body else None
    else:
        data = geojson_tile(spec, request.user, z_, x_, y_, crs)
        response = HttpResponse(data, content_type=FORMATS[fmt]) if data else None
    if response is None:
        response = HttpResponse(status=204)
    scope = "private" if spec.private else "public"
    response["Cache-Control"] = f"{scope}, max-age={MAX_AGE}"
    if spec.private:
        response["Vary"] = "Cookie, Accept-Language"
    return response
