"""The refusal pages that Django's own handlers do not render with the request.

Django renders a CSRF failure without the request's context (no user, no navigation); this
view renders ``403_csrf.html`` like every other page, in the site's chrome and language
(settings.CSRF_FAILURE_VIEW).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form-expired page: nothing was saved; go back, reload, send again."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)
