"""Two sweeps at the same moment, each on its own database connection, write each notice once.

The claim is the unique (meeting, kind, version) NoticeDispatch row written
in the same transaction as the outbox messages: whichever sweep commits
second meets the constraint and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from awl.models import OutboundMessage
from committees import notices, services
from committees.models import Committee, Meeting, NoticeDispatch, NoticeKind
from members.models import Member
from tests.committees.conftest import frozen, london_time

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
    start = threading.Barrier(SWEEPS)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            start.wait(timeout=30)
            results.append(notices.sweep(moment))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    with frozen(moment):
        threads = [threading.Thread(target=sweep) for _ in range(SWEEPS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert not errors, errors
    assert len(results) == SWEEPS
    assert sum(result["queued"] for result in results) == len(nc_members)
    notice = OutboundMessage.objects.filter(key__startswith=f"meeting-{nc_meeting.pk}-{NoticeKind.NOTICE}-")
    assert sorted(notice.values_list("to", flat=True)) == sorted(m.user.email for m in nc_members)
    assert NoticeDispatch.objects.filter(meeting=nc_meeting, kind=NoticeKind.NOTICE).count() == 1
