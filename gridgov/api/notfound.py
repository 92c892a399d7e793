"""Paths under /api/ and /open311/ that match no route answer in the API's own format (JSON,
or Open311's error list), never Django's HTML page."""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


def _slash_redirect(request):
    """The route exists with a trailing slash: say so, as APPEND_SLASH would have."""
    if request.method in ("GET", "HEAD") and not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            return None
        if match.func not in (api_not_found, open311_not_found):
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                request.path + "/" + ("?" + query if query else "")
            )
    return None


@csrf_exempt  # a POST to no route is a 404, not a CSRF page
def api_not_found(request, rest: str = ""):
    redirect = _slash_redirect(request)
    if redirect is not None:
        return redirect
    message = _("No API resource at %(path)s; see /api/docs/.") % {"path": request.path}
    return JsonResponse(
        {"detail": message, "parameter": "path", "errors": {"path": [message]}}, status=404
    )


@csrf_exempt
def open311_not_found(request, rest: str = ""):
    message = _("No Open311 resource at %(path)s; resources end in .json or .xml.") % {
        "path": request.path
    }
    if request.path.endswith(".xml"):
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>404</code>'
            f"<description>{escape(message)}</description></error></errors>"
        )
        return HttpResponse(body, status=404, content_type="text/xml; charset=utf-8")
    return JsonResponse(
        [{"code": 404, "description": message, "parameter": "path"}], status=404, safe=False
    )
