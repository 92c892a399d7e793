"""The street demo's dual reporting (双报到) for the current year: the deadline, decisions on
members waiting for confirmation (confirmed in time or late, rejected with a reason, some
left waiting), unit organisations' reports (confirmed, waiting, rejected) and co-building
agreements, through gridgov.reporting's services on the demo clock."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Count
from django.utils import timezone

from gridgov.demo import life_words as words
from gridgov.demo.clock import at, local
from gridgov.demo.life_context import Community
from gridgov.people.models import Member, OrgKind, PartyOrganisation, ReportStatus
from gridgov.reporting.services import (
    agreement_sign,
    deadline_set,
    report_confirm,
    report_reject,
    unit_report_confirm,
    unit_report_record,
    unit_report_reject,
)

UNIT_REPORTS = 8


def build_reporting(
    rng: random.Random, now: dt.datetime, communities: list[Community]
) -> dict[str, int]:
    today = timezone.localtime(now).date()
    year = today.year
    counts = dict.fromkeys(
        ("deadlines", "reports_confirmed", "reports_rejected", "unit_reports", "agreements"), 0
    )
    with at(min(now, local(dt.date(year, 1, 6), 9))):
        deadline_set(
            year=year, deadline=dt.date(year, 3, 31), acting_user=None, note=words.DEADLINE_NOTE
        )
        deadline_set(
            year=year,
            deadline=dt.date(year, 4, 30),
            acting_user=None,
            community=communities[-1].grid,
            note=words.DEADLINE_NOTE + "（延至4月底）",
        )
    counts["deadlines"] += 2

    # members waiting for the community: about half decided, the rest stay in the queue
    for c in communities:
        waiting = list(
            Member.objects.filter(community=c.grid, report_status=ReportStatus.REGISTERED).order_by(
                "id"
            )
        )
        for member in rng.sample(waiting, len(waiting) // 2):
            if rng.random() < 0.7:
                # a paper registration from spring (in time) or one of the last weeks (late)
                day = (
                    dt.date(year, 3, rng.randint(1, 28))
                    if rng.random() < 0.5
                    else today - dt.timedelta(days=rng.randint(3, 40))
                )
                day = min(day, today)
                with at(now - dt.timedelta(hours=rng.randint(1, 48))):
                    report_confirm(member=member, acting_user=None, reported_on=day)
                counts["reports_confirmed"] += 1
            else:
                with at(now - dt.timedelta(hours=rng.randint(1, 48))):
                    report_reject(
                        member=member, acting_user=None, reason=rng.choice(words.MEMBER_REJECT)
                    )
                counts["reports_rejected"] += 1

    # unit organisations report to the community where most of their members live
    ids = [c.grid.pk for c in communities]
    orgs = list(
        PartyOrganisation.objects.filter(kind=OrgKind.UNIT_ORG)
        .select_related("unit")
        .order_by("id")[:UNIT_REPORTS]
    )
    for i, org in enumerate(orgs):
        home = (
            Member.objects.filter(unit_organisation=org, community_id__in=ids)
            .values("community")
            .annotate(n=Count("id"))
            .order_by("-n", "community")
            .first()
        )
        if home is None:
            continue
        community = next(c.grid for c in communities if c.grid.pk == home["community"])
        reported = max(today - dt.timedelta(days=rng.randint(30, 300)), dt.date(year, 1, 2))
        with at(local(reported, 15)):
            report = unit_report_record(
                organisation=org,
                community=community,
                reported_on=reported,
                acting_user=None,
                contact_name=rng.choice(words.UNIT_CONTACTS),
                contact_phone="0757-8" + "".join(str(rng.randrange(10)) for _ in range(6)),
                note=rng.choice(words.UNIT_NOTES),
            )
        counts["unit_reports"] += 1
        decided = min(local(reported + dt.timedelta(days=2), 10), now)
        if i < 5:
            with at(decided):
                unit_report_confirm(report=report, acting_user=None)
            with at(decided):
                agreement_sign(
                    unit=org.unit,
                    community=community,
                    signed_on=reported,
                    valid_until=reported + dt.timedelta(days=3 * 365),
                    commitments=words.AGREEMENT,
                    acting_user=None,
                )
            counts["agreements"] += 1
        elif i == UNIT_REPORTS - 1:
            with at(decided):
                unit_report_reject(report=report, acting_user=None, reason=words.UNIT_REJECT)
    return counts
