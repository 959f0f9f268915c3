"""The published agenda and the secretary's links on the meeting page (meeting_views)."""

from __future__ import annotations

from typing import Any

from django import template

from committees import selectors
from committees.models import Committee, Meeting

register = template.Library()


@register.simple_tag(takes_context=True)
def meeting_agenda(context: template.Context, meeting: Meeting) -> dict[str, Any]:
    """The published agenda (items with their papers, two queries) for the committee's members,
    and whether the user is its secretary."""
    user = context.get("user")
    if user is None or not user.has_perm("committees.view_committee", meeting.committee):
        return {}
    return {
        "items": selectors.agenda_items(meeting) if meeting.agenda_published_at else [],
        "manage": user.has_perm("committees.manage_meetings", meeting.committee),
    }


@register.simple_tag(takes_context=True)
def manages_meetings(context: template.Context, committee: Committee) -> bool:
    user = context.get("user")
    return user is not None and bool(user.has_perm("committees.manage_meetings", committee))
