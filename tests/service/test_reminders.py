"""An activity tomorrow: every member signed up (with a login) is reminded, once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gridgov.notices.models import Notice
from gridgov.notices.reminders import activity_reminders
from gridgov.service import services


def test_members_signed_up_are_reminded_the_day_before_once(client, publish, people):
    tomorrow_10 = timezone.localtime().replace(
        hour=10, minute=0, second=0, microsecond=0
    ) + dt.timedelta(days=1)
    activity = publish("社区义诊", starts_in=tomorrow_10 - timezone.now())
    later = publish("月底清洁", starts_in=dt.timedelta(days=5))
    for member in (people.wang, people.li):
        services.signup_create(activity=activity, member=member, acting_user=member.user)
    services.signup_create(activity=later, member=people.wang, acting_user=people.wang.user)
    services.signup_cancel(
        signup=activity.signups.get(member=people.li), acting_user=people.li.user
    )

    assert activity_reminders() == 1  # Li cancelled; the other activity is days away
    assert activity_reminders() == 0  # a second sweep repeats nothing
    client.force_login(people.wang.user)
    page = client.get("/en/notices/").content.decode()
    assert "Activity tomorrow: 社区义诊 at " in page
    assert not Notice.objects.filter(user=people.li.user).exists()
