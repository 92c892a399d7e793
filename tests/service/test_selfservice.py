"""Self-organised service (自主服务): submitted with a photo (JPEG/PNG by contents, size
limit), counted only after community staff confirm it, or rejected with a reason."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridgov.accounts.models import AuditEntry
from gridgov.points.models import LedgerEntry
from gridgov.service import services
from gridgov.service.errors import NotAllowed, ServiceError
from gridgov.service.models import SelfService, SelfServiceStatus
from tests.service.helpers import JPEG, PLACE, refused, upload
from tests.world import IN_B4, OUTSIDE


@pytest.fixture
def submit(service_categories, people):
    def make(member=None, *, photo=None, location=PLACE, **extra):
        member = member or people.wang
        fields = {
            "description": "陪独居老人去医院复查",
            "served_on": timezone.localdate(),
            "hours": "3",
            "category": service_categories["neighbourly"],
        }
        fields.update(extra)
        return services.selfservice_submit(
            member=member,
            acting_user=member.user,
            photo=photo or upload(),
            location=location,
            **fields,
        )

    return make


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_submit_stores_the_photo_under_a_random_name(submit, media, tree):
    record = submit(photo=upload(JPEG, "我的照片.png", "image/png"))  # the contents decide
    assert record.status == SelfServiceStatus.SUBMITTED
    assert record.photo_kind == "jpeg"
    assert record.community == tree.c1
    assert record.grid_code == tree.k1.code
    files = stored_files(media)
    assert len(files) == 1
    assert files[0].suffix == ".jpg"
    assert "我的照片" not in files[0].name
    assert files[0].read_bytes().startswith(b"\xff\xd8")
    assert files[0].read_bytes() != JPEG
    assert not LedgerEntry.objects.exists()  # nothing counts before confirmation


def test_place_defaults_to_the_members_home(submit, people, tree):
    record = submit(location=None)
    assert record.building == tree.b1


def test_confirm_counts_once(submit, people):
    record = submit(hours="2.5")
    with refused(NotAllowed, "k1sec may not review service"):  # a branch cannot confirm
        services.selfservice_confirm(record=record, acting_user=people.k1_staff)
    with refused(NotAllowed, "c2sec may not review service"):
        services.selfservice_confirm(record=record, acting_user=people.c2_staff)
    record = services.selfservice_confirm(record=record, acting_user=people.c1_staff)
    assert record.status == SelfServiceStatus.CONFIRMED
    assert record.reviewed_by == people.c1_staff
    entry = LedgerEntry.objects.get(source=f"service.selfservice:{record.pk}")
    assert (entry.member, entry.hours, entry.occurred_on) == (
        people.wang,
        Decimal("2.50"),
        record.served_on,
    )
    assert record.ledger_entry == entry
    with refused(ServiceError, "This service of 王芳 was already confirmed on"):
        services.selfservice_confirm(record=record, acting_user=people.c1_staff)
    with refused(ServiceError, "already confirmed"):
        services.selfservice_reject(record=record, acting_user=people.c1_staff, reason="x")
    assert AuditEntry.objects.filter(action="selfservice.confirm").count() == 1


def test_reject_needs_a_reason_and_earns_nothing(submit, people):
    record = submit()
    with refused(ValidationError, "Say why the service of 王芳 is rejected."):
        services.selfservice_reject(record=record, acting_user=people.c1_staff, reason="")
    record = services.selfservice_reject(
        record=record, acting_user=people.c1_staff, reason="照片看不出服务内容"
    )
    assert record.status == SelfServiceStatus.REJECTED
    assert record.reject_reason == "照片看不出服务内容"
    assert not LedgerEntry.objects.exists()


def test_staff_cannot_confirm_their_own(submit, people, tree, make_user):
    people.wang.user.assignments.create(
        role="community_staff", grid=tree.c1, scope_code=tree.c1.code
    )
    record = submit()
    with refused(NotAllowed, "You cannot review your own service."):
        services.selfservice_confirm(record=record, acting_user=people.wang.user)


def test_members_submit_only_their_own(submit, people):
    with refused(NotAllowed, "li may only submit their own service"):
        services.selfservice_submit(
            member=people.wang,
            acting_user=people.li.user,
            description="x",
            served_on=timezone.localdate(),
            hours="1",
            category=None,
            photo=upload(),
        )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"GIF89a\x01\x00\x01\x00" + b"\x00" * 40, "photo.gif", "photo.gif is not a photo in"),
        (b"<html><script>alert(1)</script></html>", "photo.jpg", "photo.jpg is not a photo in"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "broken.png", "broken.png is not a photo in"),
        (b"", "empty.jpg", "Photo: empty.jpg is empty."),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(submit, media, data, name, message):
    with refused(ValidationError, message):
        submit(photo=upload(data, name, "image/jpeg"))
    assert stored_files(media) == []


def test_too_large_photo(submit, media, settings):
    settings.GRIDGOV_MAX_UPLOAD_BYTES = 1000
    with refused(ValidationError, "Photo: big.jpg is") as refusal:
        submit(photo=upload(JPEG.ljust(1100, b"\x00"), "big.jpg", "image/jpeg"))
    assert refusal.value.message_dict["photo"] == [
        "Photo: big.jpg is 1.1\xa0KB, more than the 1000\xa0bytes allowed."
    ]
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"hours": "25"}, "hours", "at most 24 \\(one day\\)"),
        ({"hours": "0"}, "hours", "more than 0"),
        ({"description": " "}, "description", "Say what you did."),
        (
            {"served_on": timezone.localdate() + dt.timedelta(days=3)},
            "served_on",
            "is in the future",
        ),
        ({"location": OUTSIDE}, "location", "lies outside every community"),
        ({"category": None}, "category", "Choose a service category."),
    ],
)
def test_bad_input_names_the_field(submit, media, extra, field, message):
    with refused(ValidationError, message) as refusal:
        submit(**extra)
    assert re.search(message, refusal.value.message_dict[field][0])
    assert stored_files(media) == []


def test_a_failure_after_storing_removes_the_photo(submit, media, monkeypatch):
    """If the row cannot be written, the stored photo is removed again."""

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SelfService, "save", broken)
    with pytest.raises(RuntimeError):
        submit()
    assert stored_files(media) == []


def test_other_community_reviews_its_own_place(submit, people, tree):
    record = submit(people.wang, location=IN_B4)  # 王芳 served in C2
    assert record.community == tree.c2
    with refused(NotAllowed, "c1sec may not review"):
        services.selfservice_confirm(record=record, acting_user=people.c1_staff)
    services.selfservice_confirm(record=record, acting_user=people.c2_staff)
