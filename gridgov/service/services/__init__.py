"""Writers of gridgov.service (the only code that changes its rows), by responsibility:
``activities`` (activities and sign-ups), ``attendance`` (check-in and hours),
``selfservice`` (self-organised service). What they share: ``guards`` (who may act for whom,
the rows a step locks), ``inputs`` (positions and hours as sent), ``times`` (a moment as
people read it, when check-in opens)."""

from gridgov.service.services.activities import (
    activity_cancel,
    activity_publish,
    activity_update,
    signup_cancel,
    signup_create,
)
from gridgov.service.services.attendance import (
    MAX_CODE_FAILURES,
    signup_checkin_by_organiser,
    signup_checkin_on_site,
    signup_checkin_with_code,
    signup_confirm_hours,
)
from gridgov.service.services.inputs import point_from_input
from gridgov.service.services.selfservice import (
    selfservice_confirm,
    selfservice_reject,
    selfservice_submit,
)
from gridgov.service.services.times import checkin_opens, when

__all__ = [
    "MAX_CODE_FAILURES",
    "activity_cancel",
    "activity_publish",
    "activity_update",
    "checkin_opens",
    "point_from_input",
    "selfservice_confirm",
    "selfservice_reject",
    "selfservice_submit",
    "signup_cancel",
    "signup_checkin_by_organiser",
    "signup_checkin_on_site",
    "signup_checkin_with_code",
    "signup_confirm_hours",
    "signup_create",
    "when",
]
