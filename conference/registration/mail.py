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

from awl import ical
from awl.outbox import queue_email
from conference.models import Conference, Registration


def conference_ics(conference: Conference) -> str:
    entry = ical.event(
        uid=f"conference-{conference.pk}@awl",
        start=conference.starts_on,
        end=conference.ends_on + dt.timedelta(days=1),  # all-day events end the day after
        summary=conference.title,
        location=", ".join(p for p in (conference.venue, conference.address, conference.city) if p),
    )
    return ical.calendar([entry], product="conference").decode()


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
