"""The signed-in user's notices: newest first, unread marked; opening one marks it read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gridgov.notices.models import Notice
from gridgov.notices.services import notice_read, notices_read_all
from gridgov.notices.texts import notice_text


@login_required
def notice_list(request):
    page = Paginator(Notice.objects.filter(user=request.user), 30).get_page(request.GET.get("page"))
    rows = [(n, notice_text(n)) for n in page]
    return render(request, "notices/list.html", {"page": page, "rows": rows})


@login_required
@require_POST
def notice_open(request, pk: int):
    notice = get_object_or_404(Notice, pk=pk, user=request.user)
    notice_read(notice=notice)
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None):
        return redirect(notice.url)
    return redirect("notices:list")


@login_required
@require_POST
def notice_read_all(request):
    notices_read_all(user=request.user)
    return redirect("notices:list")
