"""Day-school e-mails, through the outbox: confirmation, promotion from the waiting list, reminders.

Each message is keyed on the booking (and, for reminders, the event's date),
so a retried service or a sweep run twice queues it once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, vText
from icalendar import Event as CalendarEvent

from awl.outbox import queue_email
from dayschools.models import Booking, BookingStatus, Event

CANCEL_SALT = "dayschools.cancel"


def booking_token(booking: Booking) -> str:
    """The signed token in a booking's link: whoever holds it may see and cancel that booking only."""
    return signing.dumps({"b": booking.pk, "c": booking.code}, salt=CANCEL_SALT)


def read_booking_token(token: str) -> tuple[int, str]:
    """The (booking, code) a link was made for; raises signing.BadSignature when tampered with."""
    data = signing.loads(token, salt=CANCEL_SALT, max_age=dt.timedelta(days=400))
    if not isinstance(data, dict) or not isinstance(data.get("b"), int) or not isinstance(data.get("c"), str):
        raise signing.BadSignature("Malformed booking link.")
    return data["b"], data["c"]


def event_ics(event: Event) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//AWL//dayschools//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = CalendarEvent()
    entry.add("uid", f"dayschool-event-{event.pk}@awl")
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", f"Day school: {event.school.title}")
    entry.add("location", vText(f"{event.venue}, {event.address}".strip(", ")))
    calendar.add_component(entry)
    return calendar.to_ical().decode()


def _context(booking: Booking) -> dict[str, Any]:
    event = booking.event
    link = reverse("dayschools:booking_link", args=[booking_token(booking)])
    return {
        "booking": booking,
        "event": event,
        "school": event.school,
        "city": event.city,
        "starts_local": timezone.localtime(event.starts_at),
        "ends_local": timezone.localtime(event.ends_at),
        "workshops": list(booking.workshops.all()),
        "booking_url": f"{settings.SITE_URL}{link}",
        "waiting": booking.status == BookingStatus.WAITING,
        "waiting_number": event.bookings.filter(
            status=BookingStatus.WAITING, position__lte=booking.position
        ).count(),
    }


def _queue(booking: Booking, kind: str, key_suffix: str = "") -> None:
    if not booking.email:
        return
    queue_email(
        key=f"dayschool-booking-{booking.pk}-{kind}{key_suffix}",
        to=booking.email,
        template=f"dayschool-{kind}",
        context={**_context(booking), "kind": kind},
        attachments=[
            {
                "filename": "dayschool.ics",
                "content_type": "text/calendar",
                "content": event_ics(booking.event),
            }
        ],
        group=f"dayschool-event:{booking.event_id}",
    )


def queue_confirmation(booking: Booking) -> None:
    _queue(booking, "confirmation")


def queue_promotion(booking: Booking) -> None:
    _queue(booking, "promoted")
