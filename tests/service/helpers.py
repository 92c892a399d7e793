"""A refusal writes nothing: rows and the audit trail are the same before and after."""

from contextlib import contextmanager

import pytest

from gridgov.accounts.models import AuditEntry
from gridgov.points.models import LedgerEntry
from gridgov.service.models import Activity, SelfService, SignUp


def state():
    return (
        list(Activity.objects.order_by("pk").values()),
        list(SignUp.objects.order_by("pk").values()),
        list(SelfService.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
        LedgerEntry.objects.count(),
    )


@contextmanager
def refused(exc, match):
    before = state()
    with pytest.raises(exc, match=match):
        yield
    assert state() == before
