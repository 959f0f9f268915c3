"""Rows for the on-the-day-and-after pages in the permission matrix and the robustness tests.

All on the NC of ``nc_meeting`` (the ``member`` fixture, Rosa Lund, sits on
it), made through the services so that each is a state the site can reach:

* ``approved_meeting``, held 21 days ago: its minutes approved at ``held_meeting``;
* ``held_meeting``, held 14 days ago: circulated minutes, one agenda item,
  and an action point owned by Rosa (``action_point``);
* a meeting held 7 days ago, where ``held_meeting``'s minutes can be approved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from committees import services
from committees.models import AgendaItem, AgendaSection, Meeting, MeetingStatus
from members.models import Member


def _held(meeting: Meeting, days_ago: int) -> Meeting:
    starts = timezone.now() - dt.timedelta(days=days_ago)
    return Meeting.objects.create(
        committee=meeting.committee,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=MeetingStatus.HELD,
    )


def record_objects(nc_meeting: Meeting, member: Member) -> dict[str, Callable[[], list[Any]]]:
    approved, held, _later = _held(nc_meeting, 21), _held(nc_meeting, 14), _held(nc_meeting, 7)
    item = AgendaItem.objects.create(
        meeting=held, position=10, section=AgendaSection.MOTIONS, title="Motions"
    )
    services.circulate_minutes(
        actor=None, minutes=services.draft_minutes(actor=None, meeting=held, text="Present: all.")
    )
    earlier = services.draft_minutes(actor=None, meeting=approved, text="Agreed the budget.")
    services.approve_minutes(
        actor=None, minutes=services.circulate_minutes(actor=None, minutes=earlier), at_meeting=held
    )
    point = services.add_action_point(
        actor=None,
        meeting=held,
        text="Book the hall",
        owner=member,
        due_on=timezone.localdate() + dt.timedelta(days=7),
        item=item,
    )
    return {
        "held_meeting": lambda: [held.pk],
        "approved_meeting": lambda: [approved.pk],
        "action_point": lambda: [point.pk],
    }
