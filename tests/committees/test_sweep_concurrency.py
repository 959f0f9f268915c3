"""Two sweeps at the same moment, each on its own database connection, write each notice once.

The claim is the unique (meeting, kind, version) NoticeDispatch row written
in the same transaction as the outbox messages: whichever sweep commits
second meets the constraint and writes nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from awl.models import OutboundMessage
from committees import notices, services
from committees.models import Committee, Meeting, NoticeDispatch, NoticeKind
from members.models import Member
from tests.helpers.clock import frozen, london_time
from tests.helpers.concurrency import errors, in_parallel

SWEEPS = 4


@pytest.fixture
def nc_meeting(nc: Committee, nc_members: list[Member], secretary: Member) -> Meeting:
    with frozen(london_time(2026, 1, 5)):
        services.schedule_meetings(actor=secretary.user, committee=nc, until=dt.date(2026, 2, 28))
    return Meeting.objects.get(committee=nc)


@pytest.mark.django_db(transaction=True)
def test_parallel_sweeps_at_the_same_moment_queue_each_notice_once(
    nc_meeting: Meeting, nc_members: list[Member]
) -> None:
    moment = london_time(2026, 2, 7, 11)  # the notice falls due
    with frozen(moment):
        outcomes = in_parallel(SWEEPS, lambda n: notices.sweep(moment))

    assert errors(outcomes) == []
    results = [outcome.result for outcome in outcomes]
    assert len(results) == SWEEPS
    assert sum(result["queued"] for result in results) == len(nc_members)
    notice = OutboundMessage.objects.filter(key__startswith=f"meeting-{nc_meeting.pk}-{NoticeKind.NOTICE}-")
    assert sorted(notice.values_list("to", flat=True)) == sorted(m.user.email for m in nc_members)
    assert NoticeDispatch.objects.filter(meeting=nc_meeting, kind=NoticeKind.NOTICE).count() == 1
