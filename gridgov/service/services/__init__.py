"""Writers of gridgov.service (the only code that changes its rows), by responsibility:
activities and sign-ups, attendance (check-in and hours), self-organised service."""

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
from gridgov.service.services.common import checkin_opens, point_from_input, when
from gridgov.service.services.selfservice import (
    selfservice_confirm,
    selfservice_reject,
    selfservice_submit,
)

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
