"""Small helpers for the tests of the on-the-day-and-after pages (record_views)."""

from __future__ import annotations

import datetime as dt

from committees import services
from committees.models import Committee, Meeting
from members.models import Member
from tests.helpers.clock import frozen


def call(committee: Committee, secretary: Member, starts_at: dt.datetime) -> Meeting:
    """A meeting called by the secretary with the committee's notice (as if ten days before + notice)."""
    with frozen(starts_at - dt.timedelta(days=committee.notice_days + 10)):
        return services.call_meeting(
            actor=secretary.user,
            committee=committee,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=2),
        )


def hold(meeting: Meeting, secretary: Member) -> Meeting:
    with frozen(meeting.starts_at + dt.timedelta(minutes=5)):
        return services.mark_held(actor=secretary.user, meeting=meeting)
