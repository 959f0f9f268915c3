"""The day schools in the personal-data registry: bookings and the follow-up notes about them.

A person's bookings are those on their member record, and those without a
member made with one of their addresses (a guest, or a member who booked
without logging in). Erasure keeps each booking as a count (attendance by
city and over time) without the name, address or phone; the notes branch
organisers wrote about the person go. Retention anonymises guests' bookings
and deletes follow-up notes when they are old enough; the review lists
guests not seen for ``AWL_RETENTION_DAYS``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from awl.personal_data import (
    Erasure,
    Holding,
    Person,
    RetentionRule,
    ReviewCandidate,
    register_holding,
    register_retention,
    register_review,
)
from dayschools.models import Booking, Event, FollowUp

# What a guest's booking is called once retention has anonymised it.
GUEST = "Guest"


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def bookings_of(person: Person) -> QuerySet[Booking]:
    """The person's bookings: on their member record, or made without one with one of their addresses."""
    query = Q(pk__in=[])
    if person.member_id is not None:
        query |= Q(member_id=person.member_id)
    if person.emails:
        query |= Q(member__isnull=True) & Q(email_lower__in=sorted(person.emails))
    return Booking.objects.annotate(email_lower=Lower("email")).filter(query)


def export(person: Person) -> dict[str, Any]:
    bookings = list(
        bookings_of(person)
        .select_related("event__school__series", "event__city")
        .prefetch_related("workshops", "follow_ups")
        .order_by("event__starts_at", "pk")
    )
    return {
        "bookings": [
            {
                "event": f"{b.event.school.series.title}, school {b.event.school.number}: "
                f"{b.event.school.title} ({b.event.city.name})",
                "date": _iso(b.event.starts_at),
                "status": b.status,
                "name": b.name,
                "email": b.email,
                "phone": b.phone,
                "how_heard": b.how_heard,
                "consent_to_contact": b.consent_to_contact,
                "code": b.code,
                "walk_in": b.walk_in,
                "booked_at": _iso(b.created_at),
                "cancelled_at": _iso(b.cancelled_at),
                "checked_in_at": _iso(b.checked_in_at),
                "workshops": [w.title for w in b.workshops.all()],
            }
            for b in bookings
        ],
        "follow_ups": [
            {"event": str(b.event), "at": f.at.isoformat(), "note": f.note}
            for b in bookings
            for f in sorted(b.follow_ups.all(), key=lambda f: (f.at, f.pk))
        ],
    }


def erase(erasure: Erasure) -> None:
    person = erasure.person
    bookings = bookings_of(person)
    pks = list(bookings.values_list("pk", flat=True))
    for pk in pks:
        erasure.target("dayschools.booking", pk)
    erasure.count("day-school follow-ups", FollowUp.objects.filter(booking_id__in=pks).delete()[0])
    erasure.count(
        "day-school bookings",
        Booking.objects.filter(pk__in=pks).update(
            name=erasure.placeholder, email="", phone="", how_heard="", consent_to_contact=False
        ),
    )
    if person.user_id is not None:
        # The person no longer runs any event (their account is anonymised by the membership holding).
        Event.organisers.through.objects.filter(user_id=person.user_id).delete()


register_holding(
    Holding(
        name="dayschools",
        covers={
            "dayschools.Booking": "kept as a count (attendance by city); name replaced, "
            "address, phone and how they heard emptied",
            "dayschools.FollowUp": "the notes about the person's bookings are deleted",
            "dayschools.Event": "the person is taken off the organisers of events",
        },
        export=export,
        erase=erase,
    )
)


# Retention ---------------------------------------------------------------------------------------
def anonymise_guest_bookings(now: dt.datetime, days: int) -> int:
    """Guests' bookings for events that ended more than ``days`` ago lose name, address and phone."""
    return (
        Booking.objects.filter(member__isnull=True, event__ends_at__lt=now - dt.timedelta(days=days))
        .exclude(name=GUEST, email="", phone="")
        .update(name=GUEST, email="", phone="")
    )


def delete_follow_up_notes(now: dt.datetime, days: int) -> int:
    """Follow-up notes older than ``days`` are deleted."""
    _deleted, by_model = FollowUp.objects.filter(at__lt=now - dt.timedelta(days=days)).delete()
    return by_model.get(FollowUp._meta.label, 0)


register_retention(
    RetentionRule(
        key="dayschools.guest_bookings",
        label="Guests' day-school bookings: name, e-mail and phone, after the event",
        days=lambda: settings.AWL_RETAIN_GUEST_BOOKINGS_DAYS,
        run=anonymise_guest_bookings,
    )
)
register_retention(
    RetentionRule(
        key="dayschools.follow_up_notes",
        label="Branch organisers' follow-up notes on day-school guests",
        days=lambda: settings.AWL_RETAIN_FOLLOW_UP_DAYS,
        run=delete_follow_up_notes,
    )
)


# Retention review ----------------------------------------------------------------------------------
def review(today: dt.date) -> list[ReviewCandidate]:
    """Guests (addresses that booked without a member record) whose latest day school is long past."""
    cutoff = today - dt.timedelta(days=settings.AWL_RETENTION_DAYS)
    latest = (
        Booking.objects.filter(member__isnull=True)
        .exclude(email="")
        .annotate(email_lower=Lower("email"))
        .select_related("event")
        .order_by("email_lower", "-event__starts_at", "-pk")
        .distinct("email_lower")
    )
    candidates = []
    for booking in latest:
        last = timezone.localtime(booking.event.starts_at).date()
        if last >= cutoff:
            continue
        email = booking.email_lower
        candidates.append(
            ReviewCandidate(
                key=f"guest:{email}",
                kind="guest",
                label=booking.name,
                why=f"last booked {last:%Y-%m-%d}",
                last_active=last,
                detail_url=reverse("members:person_data") + "?" + urlencode({"email": email}),
            )
        )
    return sorted(candidates, key=lambda c: (c.label.lower(), c.key))


register_review(review)
