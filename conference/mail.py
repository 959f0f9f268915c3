"""Conference e-mails, through the outbox: confirmation, change, cancellation (and, from the
pages, the practical-information reminder and documents published).

Keys make each message once: each is keyed on the registration and its
revision, which every registration, change and cancellation bumps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from icalendar import Calendar, vText
from icalendar import Event as CalendarEvent

from awl.outbox import queue_email
from conference.models import Conference, Registration


def conference_ics(conference: Conference) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//AWL//conference//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", f"conference-{conference.pk}@awl")
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", conference.starts_on)
    entry.add("dtend", conference.ends_on + dt.timedelta(days=1))  # all-day events end the day after
    entry.add("summary", conference.title)
    entry.add(
        "location", vText(", ".join(p for p in (conference.venue, conference.address, conference.city) if p))
    )
    calendar.add_component(entry)
    return calendar.to_ical().decode()


def _registration_url(conference: Conference) -> str:
    try:
        return f"{settings.SITE_URL}{reverse('conference:my_registration', args=[conference.slug])}"
    except NoReverseMatch:  # before the pages exist
        return settings.SITE_URL


def queue_registration_mail(registration: Registration, kind: str) -> None:
    """``kind``: confirmation, changed or cancelled."""
    conference = registration.conference
    context: dict[str, Any] = {
        "registration": registration,
        "conference": conference,
        "kind": kind,
        "registration_url": _registration_url(conference),
    }
    attachments = []
    if kind != "cancelled":
        attachments.append(
            {
                "filename": "conference.ics",
                "content_type": "text/calendar",
                "content": conference_ics(conference),
            }
        )
    queue_email(
        key=f"conference-{conference.pk}-registration-{registration.pk}-{kind}-r{registration.revision}",
        to=registration.email,
        template=f"conference-{kind}",
        context=context,
        attachments=attachments,
        group=f"conference:{conference.pk}",
    )
