"""What the meeting page shows on the day and after: apologies, live quorum, links (record_views)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from committees import selectors, services
from committees.models import Apology, Meeting, MeetingStatus

register = template.Library()


@register.inclusion_tag("committees/attendance_on_the_day.html", takes_context=True)
def on_the_day(context: template.Context, meeting: Meeting) -> dict[str, Any]:
    """Apologies for a member of the committee; the quorum, live on the day, for those who see it."""
    user = context["user"]
    committee = meeting.committee
    day = selectors.meeting_day(meeting)
    today = timezone.localdate()
    member = selectors.member_on_committee(user, committee, day)
    sees = user.has_perm("committees.view_committee", committee)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    show_quorum = sees and not cancelled and (day == today or meeting.status == MeetingStatus.HELD)
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "meeting": meeting,
        "member_of_committee": member is not None,
        "apology": Apology.objects.filter(meeting=meeting, member=member).first() if member else None,
        "still_to_come": not services.apologies_refused(meeting),
        "quorum": selectors.quorum_state(meeting) if show_quorum else None,
        "live": show_quorum and day == today,
        "can_record": not services.attendance_refused(meeting)
        and user.has_perm("committees.manage_meetings", committee),
        "minutes_visible": sees and meeting.status == MeetingStatus.HELD,
    }
