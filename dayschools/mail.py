"""Day-school e-mails, through the outbox: confirmation, promotion from the waiting list, reminders.

Each message is keyed on the booking (and, for reminders, the event's date),
so a retried service or a sweep run twice queues it once. Every message
carries the booking's short code, as text and as a QR code the door list can
scan, the signed link to see or cancel the booking, and the event as an
``.ics``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from awl import ical
from awl.codes import qr_png_data_uri
from awl.models import OutboundMessage
from awl.outbox import queue_email
from dayschools.models import ACTIVE, Booking, BookingStatus, Event, EventStatus
from members.models import Member

CANCEL_SALT = "dayschools.cancel"
CLAIM_SALT = "dayschools.claim"


def booking_token(booking: Booking) -> str:
    """The signed token in a booking's link: whoever holds it may see and cancel that booking only."""
    return signing.dumps({"b": booking.pk, "c": booking.code}, salt=CANCEL_SALT)


def read_booking_token(token: str) -> tuple[int, str]:
    """The (booking, code) a link was made for; raises signing.BadSignature when tampered with."""
    data = signing.loads(token, salt=CANCEL_SALT, max_age=dt.timedelta(days=400))
    if not isinstance(data, dict) or not isinstance(data.get("b"), int) or not isinstance(data.get("c"), str):
        raise signing.BadSignature("Malformed booking link.")
    return data["b"], data["c"]


CLAIM_FIELDS = (("b", int), ("c", str), ("m", int))


def claim_token(booking: Booking, member_id: int) -> str:
    """The signed token of the link with which a member adds a booking made with their address to
    their record; it is sent only to that address."""
    return signing.dumps({"b": booking.pk, "c": booking.code, "m": member_id}, salt=CLAIM_SALT)


def read_claim_token(token: str) -> tuple[int, str, int]:
    """The (booking, code, member) a claim link was made for; raises BadSignature when tampered with."""
    data = signing.loads(token, salt=CLAIM_SALT, max_age=dt.timedelta(days=400))
    if not isinstance(data, dict) or not all(isinstance(data.get(k), t) for k, t in CLAIM_FIELDS):
        raise signing.BadSignature("Malformed link.")
    return data["b"], data["c"], data["m"]


def event_ics(event: Event) -> str:
    cancelled = event.status == EventStatus.CANCELLED
    entry = ical.event(
        uid=f"dayschool-event-{event.pk}@awl",
        start=event.starts_at,
        end=event.ends_at,
        summary=f"Day school: {event.school.title}",
        location=f"{event.venue}, {event.address}".strip(", "),
        cancelled=cancelled,
        sequence=1 if cancelled else 0,
    )
    return ical.calendar([entry], product="dayschools", cancel=cancelled).decode()


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
        "qr_data_uri": qr_png_data_uri(booking.code),
        "waiting": booking.status == BookingStatus.WAITING,
        "waiting_number": event.bookings.filter(
            status=BookingStatus.WAITING, position__lte=booking.position
        ).count(),
    }


def _queue(
    booking: Booking, kind: str, key: str = "", extra: dict[str, Any] | None = None, template: str = ""
) -> bool:
    """Queue one message about ``booking``; False when it has no address or was queued before."""
    if not booking.email:
        return False
    message = queue_email(
        key=key or f"dayschool-booking-{booking.pk}-{kind}",
        to=booking.email,
        template=template or f"dayschool-{kind}",
        context={**_context(booking), "kind": kind, **(extra or {})},
        attachments=[
            {
                "filename": "dayschool.ics",
                "content_type": "text/calendar",
                "content": event_ics(booking.event),
            }
        ],
        group=f"dayschool-event:{booking.event_id}",
    )
    return message is not None


def queue_confirmation(booking: Booking, claimant: Member | None = None) -> None:
    """The booking's details; when its address is a member's (``claimant``), the link to claim it."""
    extra: dict[str, Any] = {}
    if claimant is not None:
        link = reverse("dayschools:booking_claim", args=[claim_token(booking, claimant.pk)])
        extra["claim_url"] = f"{settings.SITE_URL}{link}"
    _queue(booking, "confirmation", extra=extra)


def queue_already_booked(booking: Booking) -> None:
    """Someone used the public form again with the address of ``booking``: its holder is told, with its link.

    One message per attempt (the public form's answer never says which case it was)."""
    _queue(booking, "already-booked", key=f"dayschool-booking-{booking.pk}-again-{secrets.token_hex(8)}")


def queue_promotion(booking: Booking) -> None:
    _queue(booking, "promoted")


def queue_event_cancelled(booking: Booking) -> None:
    """The event will not take place: everyone with a place or on the waiting list is told, once."""
    _queue(booking, "cancelled")


# Reminders ----------------------------------------------------------------------------------------
REMINDER_AHEAD = dt.timedelta(days=1)


def queue_reminders(now: dt.datetime | None = None) -> dict[str, int]:
    """Queue the day-before reminder to everyone with a place or on the waiting list; safe to run twice.

    An event is due once it starts within ``REMINDER_AHEAD`` (and has not yet
    started). Each reminder is keyed on the booking and the event's start, so
    a sweep run again queues nothing new, and an event moved to another day
    is reminded afresh. Bookings taken within the day before are left out:
    their confirmation came minutes ago.
    """
    now = now or timezone.now()
    due = (
        Booking.objects.filter(
            status__in=ACTIVE,
            walk_in=False,
            event__status=EventStatus.PUBLISHED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + REMINDER_AHEAD,
            created_at__lt=F("event__starts_at") - REMINDER_AHEAD,
        )
        .exclude(email="")
        .select_related("event__school", "event__city")
        .order_by("event_id", "position")
    )
    bookings = list(due)
    keys = {booking.pk: _reminder_key(booking) for booking in bookings}
    sent = set(OutboundMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    queued = 0
    for booking in bookings:
        if keys[booking.pk] in sent:
            continue
        with transaction.atomic():
            queued += _queue(booking, "reminder", key=keys[booking.pk])
    return {"due": len(bookings), "queued": queued}


def _reminder_key(booking: Booking) -> str:
    return f"dayschool-booking-{booking.pk}-reminder-{booking.event.starts_at:%Y%m%dT%H%M%z}"
