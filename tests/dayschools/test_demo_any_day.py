"""Whatever day the demo is seeded, its coming day school is open for booking and the demo member can book.

``seed_demo`` runs with the clock frozen on each of the conference demo's
``SEEDING_DAYS`` (the seasons, both clock changes, 29 February, either
side of a demo conference), in the Christmas holidays (no school then), and
just after midnight in London.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from dayschools import services
from dayschools.models import BookingStatus, Event, EventStatus, School
from members.models import Member
from tests.conference.test_demo import SEEDING_DAYS

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

MEMBER = "member@awl.example"


MOMENTS = [
    *(f"{day}T12:00:00+00:00" for day in [*SEEDING_DAYS, "2026-12-20"]),
    "2027-07-01T23:30:00+00:00",  # just after midnight in London
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_the_coming_school_is_open_for_booking_and_the_demo_member_books_a_place(moment: str) -> None:
    with time_machine.travel(dt.datetime.fromisoformat(moment), tick=False):
        call_command("seed_demo", stdout=StringIO())
        now = timezone.now()
        coming = School.objects.order_by("number").last()
        assert coming is not None
        events = list(coming.events.order_by("starts_at"))
        member = Member.objects.select_related("user").get(user__email=MEMBER)

        assert events and all(
            e.status == EventStatus.PUBLISHED and e.booking_opens_at <= now < e.booking_closes_at
            for e in events
        )
        with_room = [
            e
            for e in events
            if e.confirmed < e.capacity
            and not e.bookings.filter(member=member).exclude(status=BookingStatus.CANCELLED).exists()
        ]
        assert with_room, "no coming event the demo member could book a place at"

        booking = services.book_member(member=member, event=with_room[0])

        assert booking.status == BookingStatus.CONFIRMED
        assert Event.objects.get(pk=with_room[0].pk).confirmed == with_room[0].confirmed + 1
