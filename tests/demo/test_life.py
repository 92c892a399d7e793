"""Community life on the street demo: activities, self-organised service, posts, the three
lists, the points mall, dual reporting and notices — loaded through the services,
deterministic for a seed, visible on the pages, removed and rebuilt by --reset, and never
part of the district build (whose cached benchmark databases must stay as they are)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import F, Sum
from django.utils import timezone

from geodata import synth
from gridgov.cases.models import Case
from gridgov.demo import builder
from gridgov.notices.models import Notice
from gridgov.people.models import Member, ReportStatus
from gridgov.points.models import EntryKind, LedgerEntry, MallItem, Redemption
from gridgov.points.selectors import points_balance
from gridgov.points.services import points_for_hours
from gridgov.posts.models import (
    MemberResource,
    PostAction,
    PostClaim,
    ServiceListEntry,
    ServicePost,
)
from gridgov.reporting.models import CoBuildingAgreement, ReportingDeadline, UnitReport
from gridgov.reports import periods
from gridgov.service.models import Activity, ActivityStatus, SelfService, SignUp

LIFE_KEYS = (
    "activities",
    "sign_ups",
    "check_ins",
    "hours_confirmed",
    "self_services",
    "posts",
    "post_claims",
    "post_actions",
    "resources",
    "service_list",
    "mall_items",
    "redemptions",
    "unit_reports",
    "agreements",
    "notices",
)


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def photos(root: Path) -> set[Path]:
    return set(root.rglob("*.png"))


def rows(values) -> list:
    return sorted(values, key=repr)  # some columns hold None


def life() -> dict:
    """What a visitor sees of the community life, without ids or times."""
    return {
        "activities": rows(
            Activity.objects.values_list(
                "organiser_grid__code",
                "title",
                "category__code",
                "capacity",
                "places_taken",
                "status",
                "address",
            )
        ),
        "sign_ups": rows(
            SignUp.objects.values_list(
                "activity__title", "member__phone", "status", "checkin_method", "hours"
            )
        ),
        "self": rows(
            SelfService.objects.values_list(
                "member__phone", "description", "hours", "status", "reject_reason"
            )
        ),
        "posts": rows(
            ServicePost.objects.values_list("grid__code", "kind__code", "places", "claimed")
        ),
        "claims": rows(
            PostClaim.objects.values_list("post__kind__code", "member__phone", "released_on")
        ),
        "actions": PostAction.objects.count(),
        "resources": rows(MemberResource.objects.values_list("member__phone", "skill", "active")),
        "entries": rows(
            ServiceListEntry.objects.values_list(
                "member__phone", "category__code", "status", "dispatched"
            )
        ),
        "ledger": rows(
            LedgerEntry.objects.values_list("member__phone", "kind", "hours", "points", "reason")
        ),
        "mall": rows(MallItem.objects.values_list("name", "points_cost", "stock")),
        "redemptions": rows(
            Redemption.objects.values_list("member__phone", "item__name", "status")
        ),
        "reporting": rows(
            Member.objects.exclude(report_reject_reason="").values_list(
                "phone", "report_reject_reason"
            )
        ),
        "unit_reports": rows(
            UnitReport.objects.values_list("organisation__name", "community__code", "status")
        ),
        "agreements": rows(
            CoBuildingAgreement.objects.values_list("unit__name", "community__code")
        ),
        "deadlines": rows(
            ReportingDeadline.objects.values_list("year", "deadline", "community__code")
        ),
        "notices": rows(Notice.objects.values_list("user__username", "kind")),
    }


@pytest.mark.django_db
def test_same_seed_same_life_and_reset_rebuilds_it(media, django_capture_on_commit_callbacks):
    out = load("--seed", "11")
    summary = out.split("Demo district loaded")[1].splitlines()[0]
    for key in LIFE_KEYS:
        assert f" {key} " in summary, f"load_demo's summary lacks {key}"
    first, first_photos = life(), photos(media)
    assert len(first_photos) == SelfService.objects.count() > 0
    with django_capture_on_commit_callbacks(execute=True):
        out = load("--seed", "11", "--reset")
    assert out.split("Demo district loaded")[1].splitlines()[0] == summary
    assert life() == first
    now_photos = photos(media)
    assert not first_photos & now_photos, "the old photos are removed with their records"
    assert len(now_photos) == SelfService.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        load("--seed", "12", "--reset")
    other = life()
    assert other["activities"] != first["activities"]
    assert other["posts"] != first["posts"]


@pytest.mark.django_db
def test_every_service_page_shows_the_demo(client):
    load("--seed", "2026")
    now = timezone.now()
    login = {"username": "demo", "password": builder.DEMO_PASSWORD}
    assert client.post("/en/accounts/login/", login).status_code == 302

    def page(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, url
        return response.content.decode()

    upcoming = Activity.objects.filter(starts_at__gt=now, status=ActivityStatus.PUBLISHED)
    past = Activity.objects.filter(ends_at__lt=now)
    assert upcoming.count() >= 12
    assert past.count() >= 12
    assert upcoming.filter(places_taken=0).count() == 0
    assert upcoming.filter(places_taken__lt=F("capacity")).exists(), "places left"
    assert Activity.objects.filter(status=ActivityStatus.CANCELLED).exists()
    running = Activity.objects.filter(starts_at__lte=now, ends_at__gt=now)
    assert running.exists()
    assert SignUp.objects.filter(activity__in=running, checked_in_at__isnull=False).exists()
    assert upcoming.first().title in page("/en/service/activities/")
    assert past.order_by("-starts_at").first().title in page("/en/service/activities/?when=past")
    waiting = SelfService.objects.filter(status="submitted").order_by("id").first()
    assert waiting.member.name in page("/en/service/self/")

    # posts: claimed by members, places left, acted on every half month, some overdue
    posts = page("/en/posts/")
    holder = PostClaim.objects.filter(released_on__isnull=True).order_by("id").first()
    assert holder.member.name in posts
    assert holder.post.kind.name in posts
    assert ServicePost.objects.filter(claimed__lt=F("places")).exists()
    overdue = page("/en/posts/overdue/")
    assert "No holder is overdue" not in overdue
    lists = page("/en/posts/lists/")
    entry = ServiceListEntry.objects.filter(status="planned").order_by("id").first()
    assert entry.member.name in lists
    assert ServiceListEntry.objects.filter(status="done").exists()
    assert ServiceListEntry.objects.filter(dispatched=True, case__status="dispatched").exists()
    resource = MemberResource.objects.filter(active=True).order_by("id").first()
    assert resource.skill in lists

    # points: the mall, redemptions, a volunteer's ledger and stars
    assert "洗衣液" in page("/en/points/mall/")
    waiting_item = Redemption.objects.filter(status="redeemed").order_by("id").first()
    assert waiting_item.item.name in page("/en/points/staff/redemptions/")
    starred = max(
        Member.objects.filter(ledger_entries__isnull=False).distinct(),
        key=lambda m: m.ledger_entries.aggregate(h=Sum("hours"))["h"],
    )
    summary = page(f"/en/points/staff/members/{starred.pk}/")
    assert "star" in summary
    assert "0 stars" not in summary
    signup = SignUp.objects.filter(member=starred, hours__isnull=False).first()
    assert signup is not None
    assert signup.activity.title in summary

    # reporting: the year's deadline, decisions of every kind, unit reports and agreements
    year = timezone.localdate().year
    assert ReportingDeadline.objects.filter(year=year, community=None).exists()
    statuses = set(Member.objects.values_list("report_status", flat=True))
    assert {ReportStatus.CONFIRMED, ReportStatus.REGISTERED, ReportStatus.REJECTED} <= statuses
    rejected = Member.objects.exclude(report_reject_reason="").order_by("id").first()
    assert rejected.report_status == ReportStatus.REJECTED
    pending = page("/en/reporting/pending/")
    assert Member.objects.filter(report_status=ReportStatus.REGISTERED).first().name in pending
    assert set(UnitReport.objects.values_list("status", flat=True)) == {
        ReportStatus.CONFIRMED,
        ReportStatus.REGISTERED,
        ReportStatus.REJECTED,
    }
    agreement = CoBuildingAgreement.objects.order_by("id").first()
    units = page(f"/en/reporting/units/?year={year}")
    assert agreement.unit.name in units
    assert "✓" in units

    # reports: this quarter's figures per member come from the ledger
    reports = page("/en/reports/")
    year_q, q = periods.current_quarter()
    period = periods.quarter(year_q, q)
    in_quarter = LedgerEntry.objects.filter(
        occurred_on__gte=period.start, occurred_on__lte=period.end, kind=EntryKind.EARN
    )
    volunteer = Member.objects.filter(pk__in=in_quarter.values("member")).order_by("id").first()
    if volunteer is not None:  # none only in a quarter's first two days
        hours = LedgerEntry.objects.filter(
            member=volunteer,
            occurred_on__gte=period.start,
            occurred_on__lte=period.end,
        ).aggregate(h=Sum("hours"))["h"]
        row = (
            f"<td>{volunteer.name}</td><td>{volunteer.community.name}</td>"
            f"<td>{volunteer.work_unit.name if volunteer.work_unit else ''}</td>"
            f"<td>{hours.normalize():f}</td>"
        )
        assert row in reports
    assert "not qualified" in page(f"/en/reports/annual/?year={year}")

    # notices: the street office hears of the escalated requests
    assert Case.objects.filter(escalated=True).count() == 2
    notices = page("/en/notices/")
    assert Notice.objects.filter(user__username="demo", kind="case_escalated").count() == 2
    assert "escalated to the street office" in notices


@pytest.mark.django_db
def test_the_ledger_holds_exactly_the_confirmed_service(client):
    load("--seed", "4")
    confirmed = SignUp.objects.filter(hours__isnull=False).select_related("ledger_entry")
    assert confirmed.count() > 100
    for s in confirmed:
        assert s.ledger_entry.hours == s.hours
        assert s.ledger_entry.kind == EntryKind.EARN
        assert s.checked_in_at is not None
        assert s.checked_in_at <= s.activity.ends_at
    for record in SelfService.objects.select_related("ledger_entry"):
        assert (record.ledger_entry is not None) == (record.status == "confirmed")
    earned = [s.hours for s in confirmed] + [
        r.hours for r in SelfService.objects.filter(status="confirmed")
    ]
    earn = LedgerEntry.objects.filter(kind=EntryKind.EARN)
    assert earn.count() == len(earned)
    assert earn.aggregate(p=Sum("points"))["p"] == sum(points_for_hours(h) for h in earned)
    paid = Redemption.objects.aggregate(p=Sum("points"))["p"]
    refunded = Redemption.objects.filter(status="cancelled").aggregate(p=Sum("points"))["p"] or 0
    assert LedgerEntry.objects.filter(kind=EntryKind.SPEND).aggregate(p=Sum("points"))["p"] == -paid
    refunds = LedgerEntry.objects.filter(kind=EntryKind.ADJUST, source__startswith="points.")
    assert (refunds.aggregate(p=Sum("points"))["p"] or 0) == refunded
    for member in Member.objects.filter(ledger_entries__isnull=False).distinct():
        total = LedgerEntry.objects.filter(member=member).aggregate(p=Sum("points"))["p"]
        assert points_balance(member) == total >= 0
    assert not MallItem.objects.filter(stock__lt=0).exists()
    richest = max(
        Member.objects.filter(ledger_entries__isnull=False).distinct(), key=points_balance
    )
    client.post("/en/accounts/login/", {"username": "demo", "password": builder.DEMO_PASSWORD})
    page = client.get(f"/en/points/staff/members/{richest.pk}/").content.decode()
    assert f'<span class="num">{points_balance(richest)}</span>' in page


@pytest.mark.django_db
def test_the_district_build_never_runs_community_life(monkeypatch):
    """The district keeps exactly its data (bench/ caches it): a non-street scale skips the
    life builder altogether. A small district-like scale stands in for the real one."""
    assert builder.SCALES["district"] == builder.Scale(
        synth.DISTRICT, residents=1_000_000, members=20_000, units=150
    )
    called = []
    monkeypatch.setattr("gridgov.demo.life.build_life", lambda **kw: called.append(kw) or {})
    monkeypatch.setattr(
        "gridgov.demo.life_cases_patrols.build_cases_patrols", lambda **kw: called.append(kw) or {}
    )
    monkeypatch.setitem(
        builder.SCALES,
        "mini_district",
        builder.Scale(synth.STREET, residents=600, members=300, units=4),
    )
    demo = builder.build(seed=3, scale="mini_district", progress=lambda _: None)
    assert called == []
    assert not set(LIFE_KEYS) & set(demo.counts)
    assert not Activity.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert not ServicePost.objects.exists()
    assert not UnitReport.objects.exists()


@pytest.mark.django_db
def test_the_street_build_runs_community_life_once(monkeypatch):
    called = []
    monkeypatch.setattr(
        "gridgov.demo.life.build_life", lambda **kw: called.append(kw) or {"activities": 0}
    )
    demo = builder.build(seed=3, scale="street", progress=lambda _: None)
    assert called == [{"seed": 3}]
    assert demo.counts["activities"] == 0
