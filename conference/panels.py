"""The conference's contribution to the dashboard: the coming conference, for a member."""

from __future__ import annotations

from django.http import HttpRequest

from awl.panels import Panel, register_panel
from conference.models import RegistrationStatus
from conference.registration import selectors, services


@register_panel
def coming_conference_panel(request: HttpRequest) -> Panel | None:
    """Registered or not, entitled to vote or not (and why), with the way on; a few queries."""
    member = selectors.own_member(request.user)
    if member is None:
        return None
    conference = selectors.coming_conference()
    if conference is None:
        return None
    registration = selectors.own_registration(member, conference)
    registered = registration is not None and registration.status == RegistrationStatus.REGISTERED
    return Panel(
        title=conference.title,
        template="conference/register_panel.html",
        context={
            "coming_conference": conference,
            "conference_registration": selectors.as_decided_now(registration) if registered else None,
            "conference_verdict": None if registered else services.eligibility(conference, member),
            "conference_open": selectors.registration_is_open(conference),
        },
        order=20,
    )
