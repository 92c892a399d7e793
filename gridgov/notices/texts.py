"""What a notice says, rendered in the active language from its kind and parameters.

It reads the kinds only (gridgov.notices.kinds), never the model: ``notice_text`` takes
anything with ``kind``, ``params`` and ``get_kind_display()`` (a Notice)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridgov.notices.kinds import NoticeKind


def _templates() -> dict[str, str]:
    return {
        NoticeKind.CASE_NEW: _("New request %(number)s in your grid: %(title)s"),
        NoticeKind.CASE_REOPENED: _("Request %(number)s was reopened: %(title)s"),
        NoticeKind.CASE_DISPATCHED: _("Request %(number)s was dispatched to you: %(title)s"),
        NoticeKind.CASE_ESCALATED: _(
            "Request %(number)s was escalated to the street office: %(title)s"
        ),
        NoticeKind.CASE_FINISHED: _("Your request %(number)s has an answer: %(status)s"),
        NoticeKind.SLA_DUE: _("Request %(number)s: the %(deadline)s deadline is at %(due)s"),
        NoticeKind.SLA_BREACHED: _(
            "Request %(number)s missed its %(deadline)s deadline (%(due)s): %(title)s"
        ),
        NoticeKind.ACTIVITY_TOMORROW: _("Activity tomorrow: %(title)s at %(start)s"),
    }


def notice_text(notice) -> str:
    template = _templates().get(notice.kind)
    if template is None:
        return notice.get_kind_display()
    params = dict(notice.params)
    if "deadline" in params:
        params["deadline"] = {
            "first_response": _("first response"),
            "resolution": _("resolution"),
        }.get(params["deadline"], params["deadline"])
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return notice.get_kind_display()
