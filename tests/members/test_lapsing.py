"""The periodic sweep: warn once before the grace period ends, lapse once after it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings

from awl.models import AuditEntry, OutboundMessage
from members import services
from members.models import Branch, LapseWarning, Member, MemberStatus, StatusChange
from tests.factories import last_change, make_member, pay, reload, travel

JOINED = dt.date(2025, 1, 10)
PAID_TO = dt.date(2025, 2, 9)  # one month at £10 from the day before dues started


def last_good_day() -> dt.date:
    return PAID_TO + dt.timedelta(days=settings.AWL_DUES_GRACE_DAYS)


def first_warning_day() -> dt.date:
    """The first day on which the lapse is no more than the warning period away."""
    return last_good_day() + dt.timedelta(days=1) - dt.timedelta(days=settings.AWL_LAPSE_WARNING_DAYS)


def sweep(on: dt.date) -> dict[str, int]:
    with travel(on):
        return services.lapse_overdue_members()


@pytest.fixture
def overdue(london: Branch, dues_rates: Any) -> Member:
    member = make_member(london, joined_on=JOINED, full_name="Owen Overdue")
    pay(member, "10.00", paid_on=JOINED)
    return member


@pytest.fixture
def paid_up(london: Branch, dues_rates: Any) -> Member:
    member = make_member(london, joined_on=JOINED, full_name="Priya Paid")
    pay(member, "240.00", paid_on=JOINED)
    return member


def test_no_warning_before_the_warning_period(overdue: Member) -> None:
    assert sweep(first_warning_day() - dt.timedelta(days=1)) == {"warned": 0, "lapsed": 0}

    assert not LapseWarning.objects.exists()
    assert not OutboundMessage.objects.filter(key__contains="-lapse").exists()


def test_member_is_warned_once_however_often_the_sweep_runs(overdue: Member) -> None:
    first = sweep(first_warning_day())
    second = sweep(first_warning_day())
    later = sweep(last_good_day())

    assert (first, second, later) == (
        {"warned": 1, "lapsed": 0},
        {"warned": 0, "lapsed": 0},
        {"warned": 0, "lapsed": 0},
    )
    warning = LapseWarning.objects.get()
    assert (warning.member, warning.paid_up_to) == (overdue, PAID_TO)
    message = OutboundMessage.objects.get(key__contains="-lapse-warning-")
    assert (message.key, message.to) == (f"member-{overdue.pk}-lapse-warning-{PAID_TO}", overdue.user.email)
    assert reload(overdue).status == MemberStatus.MEMBER
    assert AuditEntry.objects.filter(action="member.lapse_warned", actor=None).count() == 1


def test_member_is_not_lapsed_on_the_last_day_of_grace(overdue: Member) -> None:
    sweep(last_good_day())

    assert reload(overdue).status == MemberStatus.MEMBER


def test_member_is_lapsed_the_day_after_grace_ends(overdue: Member) -> None:
    lapse_day = last_good_day() + dt.timedelta(days=1)

    assert sweep(lapse_day)["lapsed"] == 1

    assert reload(overdue).status == MemberStatus.LAPSED
    change = last_change(overdue)
    assert (change.status, change.effective_on, change.actor) == (MemberStatus.LAPSED, lapse_day, None)
    assert change.reason
    entry = AuditEntry.objects.get(action="member.lapsed")
    assert (entry.actor, entry.target_id) == (None, str(overdue.pk))
    assert OutboundMessage.objects.filter(
        key=f"member-{overdue.pk}-lapsed-{lapse_day}", to=overdue.user.email
    ).exists()


def test_lapsing_twice_lapses_once(overdue: Member) -> None:
    lapse_day = last_good_day() + dt.timedelta(days=1)

    sweep(lapse_day)
    again = sweep(lapse_day)
    next_day = sweep(lapse_day + dt.timedelta(days=1))

    assert again == next_day == {"warned": 0, "lapsed": 0}
    assert StatusChange.objects.filter(member=overdue, status=MemberStatus.LAPSED).count() == 1
    assert AuditEntry.objects.filter(action="member.lapsed").count() == 1
    assert OutboundMessage.objects.filter(key__contains="-lapsed-").count() == 1


def test_member_who_pays_after_the_warning_is_not_lapsed(overdue: Member) -> None:
    sweep(first_warning_day())
    pay(overdue, "60.00", paid_on=first_warning_day())

    result = sweep(last_good_day() + dt.timedelta(days=1))

    assert result == {"warned": 0, "lapsed": 0}
    assert reload(overdue).status == MemberStatus.MEMBER


def test_paid_up_member_is_left_alone(paid_up: Member, overdue: Member) -> None:
    sweep(first_warning_day())
    sweep(last_good_day() + dt.timedelta(days=1))

    assert reload(paid_up).status == MemberStatus.MEMBER
    assert not LapseWarning.objects.filter(member=paid_up).exists()
    assert not OutboundMessage.objects.filter(to=paid_up.user.email, key__contains="-lapse").exists()
    assert list(paid_up.status_changes.values_list("status", flat=True)) == ["applicant", "member"]


def test_suspended_member_is_not_lapsed_by_the_sweep(overdue: Member, national_office: Any) -> None:
    with travel(dt.date(2025, 3, 1)):
        services.change_status(
            actor=national_office,
            member=overdue,
            status=MemberStatus.SUSPENDED,
            reason="Complaint under review",
        )

    assert sweep(last_good_day() + dt.timedelta(days=1)) == {"warned": 0, "lapsed": 0}
    assert reload(overdue).status == MemberStatus.SUSPENDED
