"""Meetings generated from a committee's recurrence rule, across the clocks changing."""

from __future__ import annotations

import datetime as dt
from datetime import UTC

import pytest
from django.utils import timezone

from awl.models import AuditEntry
from committees import services
from committees.models import Committee, Meeting
from committees.services import CommitteeError
from members.models import Member
from tests.helpers.clock import frozen, london_time

START = london_time(2026, 1, 5, 12)  # Monday 5 January 2026, midday, winter time
HORIZON = dt.date(2027, 1, 4)
# 2026: the clocks go forward on 29 March and back on 25 October.
SUMMER = (dt.date(2026, 3, 29), dt.date(2026, 10, 25))


def in_summer(moment: dt.datetime) -> bool:
    return SUMMER[0] <= timezone.localtime(moment).date() < SUMMER[1]


def schedule(committee: Committee, secretary: Member) -> dict[str, list[Meeting] | list[dt.datetime]]:
    with frozen(START):
        return services.schedule_meetings(actor=secretary.user, committee=committee, until=HORIZON)


def created_starts(result: dict[str, list[Meeting] | list[dt.datetime]]) -> list[dt.datetime]:
    return [meeting.starts_at for meeting in result["created"] if isinstance(meeting, Meeting)]


def test_a_year_of_ec_meetings_stays_at_19_00_london_across_both_clock_changes(
    ec: Committee, secretary: Member
) -> None:
    result = schedule(ec, secretary)

    meetings = list(Meeting.objects.filter(committee=ec))
    # Every Monday from 12 January 2026 to 4 January 2027; 5 January is too soon.
    assert len(meetings) == len(result["created"]) == 52
    assert all(timezone.localtime(m.starts_at).weekday() == 0 for m in meetings)
    assert {timezone.localtime(m.starts_at).time() for m in meetings} == {dt.time(19, 0)}
    winter = [m for m in meetings if not in_summer(m.starts_at)]
    summer = [m for m in meetings if in_summer(m.starts_at)]
    assert winter and summer
    assert {m.starts_at.astimezone(UTC).hour for m in winter} == {19}
    assert {m.starts_at.astimezone(UTC).hour for m in summer} == {18}
    # Both sides of each change, explicitly.
    by_day = {timezone.localtime(m.starts_at).date(): m for m in meetings}
    assert by_day[dt.date(2026, 3, 23)].starts_at.astimezone(UTC).hour == 19
    assert by_day[dt.date(2026, 3, 30)].starts_at.astimezone(UTC).hour == 18
    assert by_day[dt.date(2026, 10, 19)].starts_at.astimezone(UTC).hour == 18
    assert by_day[dt.date(2026, 10, 26)].starts_at.astimezone(UTC).hour == 19
    assert all(m.ends_at - m.starts_at == dt.timedelta(minutes=90) for m in meetings)
    assert all(m.occurrence == m.starts_at for m in meetings)


def test_a_year_of_nc_meetings_stays_at_11_00_london_every_sixth_saturday(
    nc: Committee, secretary: Member
) -> None:
    schedule(nc, secretary)

    days = [timezone.localtime(m.starts_at) for m in Meeting.objects.filter(committee=nc)]
    assert [d.date() for d in days] == [
        dt.date(2026, 2, 21),
        dt.date(2026, 4, 4),
        dt.date(2026, 5, 16),
        dt.date(2026, 6, 27),
        dt.date(2026, 8, 8),
        dt.date(2026, 9, 19),
        dt.date(2026, 10, 31),
        dt.date(2026, 12, 12),
    ]
    assert {d.time() for d in days} == {dt.time(11, 0)}
    utc_hours = {d.date(): d.astimezone(UTC).hour for d in days}
    assert utc_hours[dt.date(2026, 2, 21)] == 11
    assert utc_hours[dt.date(2026, 4, 4)] == 10
    assert utc_hours[dt.date(2026, 9, 19)] == 10
    assert utc_hours[dt.date(2026, 10, 31)] == 11


def test_rerunning_schedule_meetings_creates_nothing_new(
    ec: Committee, nc: Committee, secretary: Member
) -> None:
    schedule(ec, secretary)
    schedule(nc, secretary)
    before = set(Meeting.objects.values_list("pk", "starts_at"))

    again_ec = schedule(ec, secretary)
    again_nc = schedule(nc, secretary)
    with frozen(START + dt.timedelta(days=20)):
        later = services.schedule_meetings(actor=secretary.user, committee=ec, until=HORIZON)

    assert again_ec["created"] == again_nc["created"] == later["created"] == []
    assert set(Meeting.objects.values_list("pk", "starts_at")) == before


def test_occurrences_inside_the_notice_period_are_reported_too_soon_and_not_created(
    ec: Committee, nc: Committee, secretary: Member
) -> None:
    ec_result = schedule(ec, secretary)
    nc_result = schedule(nc, secretary)

    # EC: 19:00 today is within its 3 days' notice; NC: Saturday 10 January within its 14.
    assert ec_result["too_soon"] == [london_time(2026, 1, 5, 19)]
    assert nc_result["too_soon"] == [london_time(2026, 1, 10, 11)]
    assert not Meeting.objects.filter(
        starts_at__in=[london_time(2026, 1, 5, 19), london_time(2026, 1, 10, 11)]
    )


def test_the_schedule_moves_the_notice_boundary_with_the_clock(ec: Committee, secretary: Member) -> None:
    """On Friday 9 January, Monday 12th at 19:00 is 3 days 7 hours away: just enough notice."""
    with frozen(london_time(2026, 1, 9, 12)):
        result = services.schedule_meetings(actor=secretary.user, committee=ec, until=dt.date(2026, 1, 20))
    assert created_starts(result) == [london_time(2026, 1, 12, 19), london_time(2026, 1, 19, 19)]
    assert result["too_soon"] == []
    with frozen(london_time(2026, 1, 10, 12)):
        result = services.schedule_meetings(actor=secretary.user, committee=ec, until=dt.date(2026, 1, 27))
    assert created_starts(result) == [london_time(2026, 1, 26, 19)]


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param("FREQ=NOPE", id="not-a-rule"),
        pytest.param("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", id="never-occurs"),
    ],
)
def test_a_bad_cycle_rule_is_refused_and_nothing_is_written(
    ec: Committee, secretary: Member, rule: str
) -> None:
    ec.cycle_rule = rule
    ec.save(update_fields=["cycle_rule"])
    audit_before = AuditEntry.objects.count()

    with pytest.raises(CommitteeError):
        schedule(ec, secretary)

    assert not Meeting.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_a_committee_without_a_cycle_cannot_be_scheduled(ec: Committee, secretary: Member) -> None:
    ec.cycle_rule = ""
    ec.save(update_fields=["cycle_rule"])
    with pytest.raises(CommitteeError, match="no meeting cycle"):
        schedule(ec, secretary)
    assert not Meeting.objects.exists()


def test_only_the_secretary_schedules_meetings(ec: Committee, plain_member: Member) -> None:
    with frozen(START), pytest.raises(CommitteeError, match="secretary"):
        services.schedule_meetings(actor=plain_member.user, committee=ec, until=HORIZON)
    assert not Meeting.objects.exists()
