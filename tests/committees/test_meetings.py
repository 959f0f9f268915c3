"""Calling, moving and cancelling meetings; quorum and attendance."""

from __future__ import annotations

import datetime as dt

import pytest

from awl.models import AuditEntry
from committees import services
from committees.models import (
    Attendance,
    Committee,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Term,
    TermBasis,
    TermRole,
)
from committees.services import CommitteeError
from members.models import Branch, DuesRate, Member
from tests.factories import CommitteeFactory, make_member
from tests.helpers.clock import frozen, london_time

NOW = london_time(2026, 2, 2, 12)


def call(committee: Committee, actor: Member | None, starts_at: dt.datetime, **kwargs: object) -> Meeting:
    return services.call_meeting(
        actor=actor.user if actor else None,
        committee=committee,
        starts_at=starts_at,
        ends_at=kwargs.pop("ends_at", starts_at + dt.timedelta(hours=2)),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


# Calling ---------------------------------------------------------------------------------------
def test_an_extra_meeting_with_the_rules_notice_is_called(nc: Committee, secretary: Member) -> None:
    with frozen(NOW):
        meeting = call(nc, secretary, london_time(2026, 2, 16, 18, 30))
    assert meeting.kind == MeetingKind.EXTRA
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.venue == nc.default_venue
    assert AuditEntry.objects.filter(action="meeting.called", actor=secretary.user).count() == 1


def test_less_notice_than_the_rules_is_refused_unless_an_emergency(nc: Committee, secretary: Member) -> None:
    soon = london_time(2026, 2, 15, 18, 30)  # 13 days away; the NC needs 14
    with frozen(NOW):
        with pytest.raises(CommitteeError, match="14 days"):
            call(nc, secretary, soon)
        assert not Meeting.objects.exists()

        meeting = call(nc, secretary, soon, emergency=True, emergency_reason="  Strike ballot result  ")

    assert meeting.kind == MeetingKind.EMERGENCY
    assert meeting.emergency_reason == "Strike ballot result"


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_emergency_meeting_needs_a_reason(nc: Committee, secretary: Member, reason: str) -> None:
    with frozen(NOW), pytest.raises(CommitteeError, match="reason"):
        call(nc, secretary, london_time(2026, 2, 5, 18), emergency=True, emergency_reason=reason)
    assert not Meeting.objects.exists()


def test_an_emergency_meeting_with_full_notice_still_needs_a_reason(nc: Committee, secretary: Member) -> None:
    """Not a database error: the check constraint requires the reason on every emergency meeting."""
    with frozen(NOW), pytest.raises(CommitteeError, match="reason"):
        call(nc, secretary, london_time(2026, 3, 20, 18), emergency=True)
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        pytest.param(london_time(2026, 3, 2, 19), london_time(2026, 3, 2, 18), id="ends-before-start"),
        pytest.param(london_time(2026, 3, 2, 19), london_time(2026, 3, 2, 19), id="ends-as-it-starts"),
        pytest.param(london_time(2026, 3, 2, 19), london_time(2026, 3, 4, 19), id="longer-than-a-day"),
        pytest.param(london_time(2026, 1, 26, 19), london_time(2026, 1, 26, 21), id="in-the-past"),
    ],
)
def test_impossible_times_are_refused_and_nothing_is_written(
    ec: Committee, secretary: Member, starts_at: dt.datetime, ends_at: dt.datetime
) -> None:
    with frozen(NOW), pytest.raises(CommitteeError):
        call(ec, secretary, starts_at, ends_at=ends_at, emergency=True, emergency_reason="Urgent")
    assert not Meeting.objects.exists()
    assert not AuditEntry.objects.filter(action="meeting.called").exists()


def test_a_plain_member_cannot_call_move_or_cancel_meetings(
    ec: Committee, secretary: Member, plain_member: Member
) -> None:
    with frozen(NOW):
        meeting = call(ec, secretary, london_time(2026, 2, 9, 19))
        with pytest.raises(CommitteeError, match="secretary"):
            call(ec, plain_member, london_time(2026, 2, 16, 19))
        with pytest.raises(CommitteeError, match="secretary"):
            services.move_meeting(
                actor=plain_member.user,
                meeting=meeting,
                starts_at=london_time(2026, 2, 10, 19),
                ends_at=london_time(2026, 2, 10, 21),
            )
        with pytest.raises(CommitteeError, match="secretary"):
            services.cancel_meeting(actor=plain_member.user, meeting=meeting, reason="I am busy")

    meeting.refresh_from_db()
    assert Meeting.objects.count() == 1
    assert (meeting.starts_at, meeting.status, meeting.sequence) == (
        london_time(2026, 2, 9, 19),
        "scheduled",
        0,
    )


def test_the_secretary_of_one_committee_cannot_manage_another(
    nc: Committee, ec: Committee, people: dict[str, Member], nc_members: list[Member]
) -> None:
    """Ada is the NC's secretary; on a committee where she holds no secretary term she is refused."""
    other = CommitteeFactory.create(name="Trade Union Committee", slug="tuc", notice_days=7)
    services.start_term(
        actor=None,
        committee=other,
        member=people["Ada Secretary"],
        role=TermRole.MEMBER,
        starts_on=dt.date(2025, 6, 7),
        basis=TermBasis.CO_OPTED,
    )
    with frozen(NOW), pytest.raises(CommitteeError, match="secretary"):
        call(other, people["Ada Secretary"], london_time(2026, 3, 2, 19))
    assert not Meeting.objects.exists()


# Moving and cancelling -------------------------------------------------------------------------
def test_moving_a_meeting_bumps_its_sequence_and_time_version(ec: Committee, secretary: Member) -> None:
    with frozen(NOW):
        meeting = call(ec, secretary, london_time(2026, 2, 9, 19))
        moved = services.move_meeting(
            actor=secretary.user,
            meeting=meeting,
            starts_at=london_time(2026, 2, 10, 19),
            ends_at=london_time(2026, 2, 10, 21),
        )
        assert (moved.sequence, moved.time_version) == (1, 1)
        moved = services.move_meeting(
            actor=secretary.user,
            meeting=meeting,
            starts_at=moved.starts_at,
            ends_at=moved.ends_at,
            venue="Room 2",
        )
        assert (moved.sequence, moved.time_version, moved.venue) == (2, 2, "Room 2")
        # The same time and place again is not a move.
        same = services.move_meeting(
            actor=secretary.user,
            meeting=meeting,
            starts_at=moved.starts_at,
            ends_at=moved.ends_at,
            venue="Room 2",
        )

    meeting.refresh_from_db()
    assert (same.sequence, meeting.sequence, meeting.time_version) == (2, 2, 2)
    assert meeting.starts_at == london_time(2026, 2, 10, 19)
    assert AuditEntry.objects.filter(action="meeting.moved").count() == 2


def test_a_meeting_cannot_be_moved_to_end_before_it_starts(ec: Committee, secretary: Member) -> None:
    with frozen(NOW):
        meeting = call(ec, secretary, london_time(2026, 2, 9, 19))
        with pytest.raises(CommitteeError, match="end after it starts"):
            services.move_meeting(
                actor=secretary.user,
                meeting=meeting,
                starts_at=london_time(2026, 2, 10, 19),
                ends_at=london_time(2026, 2, 10, 18),
            )
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence, meeting.time_version) == (london_time(2026, 2, 9, 19), 0, 0)


def test_cancelling_needs_a_reason_and_bumps_the_sequence(ec: Committee, secretary: Member) -> None:
    with frozen(NOW):
        meeting = call(ec, secretary, london_time(2026, 2, 9, 19))
        with pytest.raises(CommitteeError, match="reason"):
            services.cancel_meeting(actor=secretary.user, meeting=meeting, reason="  ")
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.SCHEDULED

        cancelled = services.cancel_meeting(actor=secretary.user, meeting=meeting, reason="Venue flooded")
        assert (cancelled.status, cancelled.cancel_reason, cancelled.sequence) == (
            "cancelled",
            "Venue flooded",
            1,
        )
        assert cancelled.cancelled_at == NOW

        with pytest.raises(CommitteeError):
            services.cancel_meeting(actor=secretary.user, meeting=meeting, reason="Again")
        with pytest.raises(CommitteeError):
            services.move_meeting(
                actor=secretary.user,
                meeting=meeting,
                starts_at=london_time(2026, 2, 10, 19),
                ends_at=london_time(2026, 2, 10, 21),
            )


def test_a_meeting_is_held_only_once_it_has_started(ec: Committee, secretary: Member) -> None:
    with frozen(NOW):
        meeting = call(ec, secretary, london_time(2026, 2, 9, 19))
        with pytest.raises(CommitteeError, match="before it starts"):
            services.mark_held(actor=secretary.user, meeting=meeting)
    with frozen(london_time(2026, 2, 9, 19, 5)):
        held = services.mark_held(actor=secretary.user, meeting=meeting)
    assert held.status == MeetingStatus.HELD


# Quorum and attendance -------------------------------------------------------------------------
def test_quorum_is_the_larger_of_the_minimum_and_the_fraction_of_current_members(
    nc: Committee,
    ec: Committee,
    nc_members: list[Member],
    ec_members: list[Member],
    london: Branch,
    dues_rates: dict[str, DuesRate],
) -> None:
    day = dt.date(2026, 3, 1)
    # NC: 8 members; max(5, ceil(0.5 * 8) = 4) = 5.  EC: 4 members; max(3, 2) = 3.
    assert services.quorum(nc, day) == 5
    assert services.quorum(ec, day) == 3

    newcomers = [
        make_member(london, joined_on=dt.date(2025, 1, 10), full_name=f"New Member {n}") for n in range(5)
    ]
    for newcomer in newcomers[:3]:
        services.start_term(
            actor=None,
            committee=nc,
            member=newcomer,
            role=TermRole.MEMBER,
            starts_on=dt.date(2026, 3, 1),
            basis=TermBasis.BY_ELECTION,
        )
    # 11 members from 1 March: ceil(5.5) = 6 beats the minimum; the day before, still 8.
    assert services.quorum(nc, dt.date(2026, 2, 28)) == 5
    assert services.quorum(nc, day) == 6

    for newcomer in newcomers[3:]:
        services.start_term(
            actor=None,
            committee=nc,
            member=newcomer,
            role=TermRole.MEMBER,
            starts_on=dt.date(2026, 4, 1),
            basis=TermBasis.CO_OPTED,
        )
    assert services.quorum(nc, dt.date(2026, 4, 1)) == 7  # 13 members: ceil(6.5)

    # Two resign on 15 April: their last day is in office, the next day they are gone.
    for leaver in nc_members[-2:]:
        term = Term.objects.get(committee=nc, member=leaver)
        services.end_term(actor=None, term=term, ends_on=dt.date(2026, 4, 15), reason="resigned")
    assert len(services.current_members(nc, dt.date(2026, 4, 15))) == 13
    assert services.quorum(nc, dt.date(2026, 4, 15)) == 7
    assert len(services.current_members(nc, dt.date(2026, 4, 16))) == 11
    assert services.quorum(nc, dt.date(2026, 4, 16)) == 6


def test_a_member_with_two_roles_counts_once(
    ec: Committee, ec_members: list[Member], secretary: Member
) -> None:
    services.start_term(
        actor=None,
        committee=ec,
        member=secretary,
        role=TermRole.CHAIR,
        starts_on=dt.date(2025, 6, 7),
        basis=TermBasis.ELECTED_BY_COMMITTEE,
    )
    assert len(services.current_members(ec, dt.date(2026, 3, 1))) == 4


def test_a_member_cannot_hold_the_same_role_twice_at_once(ec: Committee, ec_members: list[Member]) -> None:
    with pytest.raises(CommitteeError, match="already holds"):
        services.start_term(
            actor=None,
            committee=ec,
            member=ec_members[1],
            role=TermRole.MEMBER,
            starts_on=dt.date(2026, 1, 1),
            basis=TermBasis.ELECTED_BY_COMMITTEE,
        )


def test_is_quorate_counts_those_recorded_present(
    ec: Committee, ec_members: list[Member], secretary: Member
) -> None:
    with frozen(NOW):
        meeting = call(ec, secretary, london_time(2026, 2, 9, 19))
    with frozen(london_time(2026, 2, 9, 19, 10)):
        services.record_attendance(actor=secretary.user, meeting=meeting, member=ec_members[0], present=True)
        services.record_attendance(actor=secretary.user, meeting=meeting, member=ec_members[1], present=True)
        services.record_attendance(actor=secretary.user, meeting=meeting, member=ec_members[2], present=False)
        assert not services.is_quorate(meeting)  # 2 present; quorum 3

        # Recording the same person twice is one row, and the second record wins.
        services.record_attendance(actor=secretary.user, meeting=meeting, member=ec_members[2], present=True)
        services.record_attendance(actor=secretary.user, meeting=meeting, member=ec_members[2], present=True)
        assert Attendance.objects.filter(meeting=meeting, member=ec_members[2]).count() == 1
        assert Attendance.objects.filter(meeting=meeting).count() == 3
        assert services.is_quorate(meeting)

        services.record_attendance(actor=secretary.user, meeting=meeting, member=ec_members[0], present=False)
        assert not services.is_quorate(meeting)


def test_attendance_is_only_recorded_for_the_committees_members(
    ec: Committee, ec_members: list[Member], secretary: Member, people: dict[str, Member]
) -> None:
    with frozen(NOW):
        meeting = call(ec, secretary, london_time(2026, 2, 9, 19))
    not_on_ec = people["Hal Burke"]  # on the NC only
    with frozen(london_time(2026, 2, 9, 19, 10)), pytest.raises(CommitteeError, match="not a member"):
        services.record_attendance(actor=secretary.user, meeting=meeting, member=not_on_ec, present=True)
    assert not Attendance.objects.exists()
