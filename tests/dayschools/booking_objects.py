"""Rows for the public day-school pages in the permission matrix and the robustness tests.

Made through the services, when a URL first asks for them (and once per
test): booking opens a day before *now*, since those suites run at the real
time, under a series of their own so they sit beside other helpers' rows.

* ``open_event``: a school in Bristol a month ahead, published and taking
  bookings, with two workshops side by side in the afternoon;
* ``booking_token``: the signed link of a guest's place at that event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from dayschools import mail, services
from dayschools.models import Booking, City, Event, Region, School, Series, Workshop
from members.models import Member


def open_event() -> Event:
    """A published event a month ahead, taking bookings now, with two parallel workshops."""
    city, _ = City.objects.get_or_create(slug="bristol", defaults={"name": "Bristol", "region": Region.SOUTH})
    series, _ = Series.objects.get_or_create(
        slug="public-booking-objects", defaults={"title": "Public booking objects", "season": "Autumn 2026"}
    )
    school, _ = School.objects.get_or_create(
        series=series,
        number=1,
        defaults={
            "title": "What is capitalism?",
            "description": "A day on Capital.",
            "reading_list": "Capital",
        },
    )
    return open_school_day(
        school,
        city,
        days_ahead=30,
        venue="Bristol Friends Meeting House",
        address="1 Main Street",
        accessibility="Step-free throughout.",
        booking_opened=timezone.now() - dt.timedelta(days=1),
    )


def open_school_day(
    school: School,
    city: City,
    *,
    days_ahead: int,
    venue: str,
    address: str,
    accessibility: str,
    booking_opened: dt.datetime,
) -> Event:
    """The school's day in ``city`` at 10:00, ``days_ahead`` days from today, published and taking bookings
    since ``booking_opened``: 40 places, and two workshops of 20 side by side in the afternoon."""
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    starts = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    event = services.create_event(
        actor=None,
        school=school,
        city=city,
        venue=venue,
        address=address,
        accessibility=accessibility,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=6, minutes=30),
        capacity=40,
        booking_opens_at=booking_opened,
        booking_closes_at=starts - dt.timedelta(hours=1),
        publish=True,
    )
    afternoon = starts + dt.timedelta(hours=4)
    for title in ("Value and labour", "Crisis theory"):
        Workshop.objects.create(
            event=event,
            title=title,
            starts_at=afternoon,
            ends_at=afternoon + dt.timedelta(minutes=90),
            capacity=20,
        )
    return event


def guest_booking(event: Event) -> Booking:
    return services.book_guest(
        event=event, name="Gus Guest", email="gus.guest@example.org", how_heard="friend"
    )


def booking_objects(member: Member | None = None) -> dict[str, Callable[[], list[Any]]]:
    """The public pages' objects; with ``member``, a booking made with their address on the public
    form, and the link (for them) to claim it."""
    made: dict[str, Any] = {}

    def event() -> Event:
        if "event" not in made:
            made["event"] = open_event()
        return made["event"]

    def token() -> str:
        if "booking" not in made:
            made["booking"] = guest_booking(event())
        return mail.booking_token(made["booking"])

    def claim() -> str:
        assert member is not None
        booking = services.book_guest(event=event(), name="Typed In", email=member.user.email)
        return mail.claim_token(booking, member.pk)

    return {
        "open_event": lambda: [event().pk],
        "booking_token": lambda: [token()],
        "claim_token": lambda: [claim()],
    }
