"""The street demo's activities (published, signed up, checked in, hours confirmed into the
ledger) and self-organised service, written through gridgov.service's services on the demo
clock (gridgov.demo.clock), so that every rule about time holds as it would have then."""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.demo import life_words as words
from gridgov.demo.clock import at, local
from gridgov.demo.life_context import Community
from gridgov.grids.models import Grid
from gridgov.service.models import Activity, ServiceCategory, SignUp
from gridgov.service.services import (
    activity_cancel,
    activity_publish,
    selfservice_confirm,
    selfservice_reject,
    selfservice_submit,
    signup_cancel,
    signup_checkin_by_organiser,
    signup_checkin_on_site,
    signup_checkin_with_code,
    signup_confirm_hours,
    signup_create,
)

PAST, UPCOMING = 4, 3  # activities per community


def _png() -> bytes:
    """The smallest valid PNG (one pixel): self-organised service needs a photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\x4c\xaf\x50"))
        + chunk(b"IEND", b"")
    )


PHOTO = _png()


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A moment in [start, end). One draw whatever the span: ``randrange`` draws a varying
    number of times depending on the span, and spans ending at "now" differ between two
    loads, so the same seed would drift into different data."""
    seconds = max(int((end - start).total_seconds()), 1)
    return start + dt.timedelta(seconds=int(rng.random() * seconds))


class ActivityBuilder:
    def __init__(self, rng: random.Random, now: dt.datetime):
        self.rng, self.now = rng, now
        self.today = timezone.localtime(now).date()
        self.categories = {c.code: c for c in ServiceCategory.objects.filter(active=True)}
        self.codes = sorted(set(words.ACTIVITIES) & set(self.categories))
        self.counts = dict.fromkeys(
            ("activities", "sign_ups", "check_ins", "hours_confirmed", "self_services"), 0
        )

    # --- one activity --------------------------------------------------------------------
    def publish(
        self,
        c: Community,
        *,
        starts_at: dt.datetime,
        hours: float,
        capacity: int,
        published_at: dt.datetime,
    ) -> Activity:
        rng = self.rng
        grid: Grid = c.grid if not c.compounds or rng.random() < 0.4 else rng.choice(c.compounds)
        building = rng.choice(c.buildings_in[grid.pk])
        code = rng.choice(self.codes)
        titles, description = words.ACTIVITIES[code]
        place = words.PLACES[0] if grid.level == 1 else rng.choice(words.PLACES[1:])
        with at(published_at):
            activity = activity_publish(
                acting_user=None,
                organiser_grid=grid,
                title=rng.choice(titles),
                category=self.categories[code],
                location=building.point,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(hours=hours),
                capacity=capacity,
                description=description,
                address=f"{grid.name}{place}",
            )
        self.counts["activities"] += 1
        return activity

    def sign_up(
        self, activity: Activity, people: list, start: dt.datetime, end: dt.datetime
    ) -> list[SignUp]:
        times = sorted(_between(self.rng, start, end) for _ in people)
        out = []
        for member, moment in zip(people, times, strict=True):
            with at(moment):
                out.append(signup_create(activity=activity, member=member, acting_user=None))
        self.counts["sign_ups"] += len(out)
        return out

    def check_in(self, signup: SignUp, moment: dt.datetime) -> SignUp:
        rng, place = self.rng, signup.activity.location
        roll = rng.random()
        with at(moment):
            if roll < 0.6:  # the phone's position, some tens of metres from the place
                here = Point(
                    place.x + rng.uniform(-6e-4, 6e-4),
                    place.y + rng.uniform(-6e-4, 6e-4),
                    srid=4326,
                )
                signup = signup_checkin_on_site(signup=signup, location=here, acting_user=None)
            elif roll < 0.85:
                signup = signup_checkin_with_code(
                    signup=signup, acting_user=None, code=signup.activity.checkin_code
                )
            else:
                signup = signup_checkin_by_organiser(signup=signup, acting_user=None)
        self.counts["check_ins"] += 1
        return signup

    def attendees(self, c: Community, n: int, core_share: float) -> list:
        core = [m for m in c.core if self.rng.random() < core_share]
        others = [m for m in c.members if m not in core]
        return (core + self.rng.sample(others, max(n - len(core), 0)))[:n]

    # --- per community -------------------------------------------------------------------
    def past(self, c: Community) -> None:
        rng = self.rng
        for days in sorted(rng.sample(range(2, 46), PAST), reverse=True):
            hour = rng.choice([9, 14, 19])
            starts_at = local(self.today - dt.timedelta(days=days), hour, rng.choice([0, 30]))
            hours = rng.choice([2, 2.5, 3, 3.5])
            published = starts_at - dt.timedelta(days=rng.randint(3, 10), hours=rng.randint(0, 8))
            activity = self.publish(
                c,
                starts_at=starts_at,
                hours=hours,
                capacity=rng.randint(12, 20),
                published_at=published,
            )
            people = self.attendees(c, rng.randint(5, 9), core_share=0.85)
            signups = self.sign_up(
                activity,
                people,
                published + dt.timedelta(hours=1),
                starts_at - dt.timedelta(hours=2),
            )
            if len(signups) > 6 and rng.random() < 0.3:  # someone could not come after all
                with at(starts_at - dt.timedelta(minutes=90)):
                    signup_cancel(signup=signups.pop(), acting_user=None)
            for s in signups:
                if rng.random() < 0.1:
                    continue  # signed up, did not come
                s = self.check_in(s, starts_at - dt.timedelta(minutes=rng.randint(0, 45)))
                given = activity.length_hours - (Decimal("0.5") if rng.random() < 0.1 else 0)
                with at(activity.ends_at + dt.timedelta(minutes=rng.randint(10, 180))):
                    signup_confirm_hours(signup=s, hours=given, acting_user=None)
                self.counts["hours_confirmed"] += 1

    def upcoming(self, c: Community, *, first: bool, cancel_one: bool) -> None:
        rng = self.rng
        days = sorted(rng.sample(range(2, 22), UPCOMING - 1) + [1 if first else rng.randint(2, 7)])
        for i, day in enumerate(days):
            starts_at = local(self.today + dt.timedelta(days=day), rng.choice([9, 14, 19]))
            published = self.now - dt.timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 8))
            capacity = rng.choice([6, 8, 10]) if i == 1 else rng.choice([10, 15, 20, 30])
            activity = self.publish(
                c,
                starts_at=starts_at,
                hours=rng.choice([2, 3]),
                capacity=capacity,
                published_at=published,
            )
            taken = capacity if i == 1 else min(int(capacity * rng.uniform(0.3, 0.8)), 8)
            self.sign_up(
                activity,
                self.attendees(c, taken, core_share=0.5),
                published + dt.timedelta(hours=1),
                self.now - dt.timedelta(minutes=30),
            )
            if cancel_one and i == len(days) - 1:
                with at(self.now - dt.timedelta(hours=rng.randint(2, 20))):
                    activity_cancel(
                        activity=activity,
                        acting_user=None,
                        reason="天气预报有强降雨，活动取消，另行通知",
                    )

    def ongoing(self, c: Community) -> None:
        """One activity under way at the moment of loading: some have checked in."""
        rng = self.rng
        local_now = timezone.localtime(self.now)
        starts_at = local_now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
        published = self.now - dt.timedelta(days=4)
        activity = self.publish(
            c, starts_at=starts_at, hours=3, capacity=15, published_at=published
        )
        signups = self.sign_up(
            activity,
            self.attendees(c, 8, core_share=0.6),
            published + dt.timedelta(hours=1),
            starts_at - dt.timedelta(hours=2),
        )
        for s in signups[:5]:
            self.check_in(s, _between(rng, starts_at - dt.timedelta(minutes=30), self.now))

    def self_service(self, c: Community) -> None:
        """Self-organised service of regular volunteers: confirmed, waiting, rejected."""
        rng = self.rng
        for i, member in enumerate(c.core[:3]):
            code, description = rng.choice(words.SELF_SERVICE)
            served = self.today - dt.timedelta(
                days=(rng.randint(6, 25), rng.randint(1, 4), rng.randint(8, 15))[i]
            )
            with at(
                local(served, 20, rng.randint(0, 59))
                if i != 1
                else self.now - dt.timedelta(hours=rng.randint(1, 20))
            ):
                record = selfservice_submit(
                    member=member,
                    acting_user=None,
                    description=description,
                    served_on=served,
                    hours=rng.choice(["1.5", "2", "3", "4"]),
                    category=self.categories[code],
                    photo=SimpleUploadedFile("service.png", PHOTO, content_type="image/png"),
                )
            self.counts["self_services"] += 1
            decided = local(served + dt.timedelta(days=2), 10, rng.randint(0, 59))
            if i == 0:
                with at(decided):
                    selfservice_confirm(record=record, acting_user=None)
                self.counts["hours_confirmed"] += 1
            elif i == 2:
                with at(decided):
                    selfservice_reject(
                        record=record, acting_user=None, reason=rng.choice(words.REJECT_REASONS)
                    )


def build_activities(
    rng: random.Random, now: dt.datetime, communities: list[Community]
) -> dict[str, int]:
    b = ActivityBuilder(rng, now)
    for i, c in enumerate(communities):
        b.past(c)
        b.upcoming(c, first=i == 0, cancel_one=i == 1)
        if i in (0, 2):
            b.ongoing(c)
        b.self_service(c)
    return b.counts
