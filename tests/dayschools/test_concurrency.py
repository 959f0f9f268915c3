"""A rush of parallel bookings on PostgreSQL: places and the waiting list hold, in arrival order.

200 guests book an event of 50 places at once, each in a thread of its own
with its own database connection, released together by a barrier. At most
``CONNECTIONS`` of them talk to PostgreSQL at a time (the server allows 100
connections, shared with other test runs), so the rush reaches the event's
row lock 20 at a time, which is what the lock is for.

The control (``test_without_the_lock_the_rush_is_refused_by_the_constraints``)
runs the same rush with ``services._lock_event`` replaced by a plain read of
the event's row: the booking path then decides "place or waiting list" and
takes its queue position from a row it read before writing, as code without
the lock would. A second barrier inside the replacement makes each group of
contenders read the row before any of them writes (the interleaving the lock
exists to prevent), so the race shows every time rather than most times. The
database's constraints still hold the line (one booking per queue position,
``confirmed <= capacity``), so nothing wrong is stored, but the contenders
that collided are refused: bookings lost that the locked path takes. That is
what the lock adds, and the locked test shows it never refuses anyone.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from awl.models import OutboundMessage
from dayschools import services
from dayschools.models import Booking, BookingStatus, Event
from tests.helpers import concurrency as harness
from tests.helpers.concurrency import WAIT, Outcome

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 200
PLACES = 50
CONNECTIONS = 20


def in_parallel(count: int, work: Callable[[int], Booking]) -> list[Outcome]:
    """The harness's threads, refused by the day schools' error, at most CONNECTIONS at a time."""
    return harness.in_parallel(count, work, refused=services.DaySchoolError, at_most=CONNECTIONS)


def rush(event: Event) -> list[Outcome]:
    return in_parallel(
        ATTEMPTS,
        lambda n: services.book_guest(event=event, name=f"Guest {n:03d}", email=f"guest{n:03d}@example.org"),
    )


@pytest.fixture
def rush_event(london_event: Event, booking_time: Any, monkeypatch: pytest.MonkeyPatch) -> Event:
    london_event.capacity = PLACES
    london_event.save(update_fields=["capacity"])
    # The confirmations are queued in the outbox as usual; sending them is another test's business.
    monkeypatch.setattr("awl.outbox.enqueue_send", lambda message_id: None)
    return london_event


def test_200_parallel_bookings_for_50_places_give_50_places_and_150_waiting_in_order(
    rush_event: Event,
) -> None:
    outcomes = rush(rush_event)

    assert [o.error for o in outcomes if o.error] == []
    assert [o.refusal for o in outcomes if o.refusal] == []
    bookings = list(Booking.objects.filter(event=rush_event).order_by("position"))
    assert len(bookings) == ATTEMPTS
    assert [b.position for b in bookings] == list(range(1, ATTEMPTS + 1))  # unique and contiguous
    assert Counter(b.status for b in bookings) == {"confirmed": PLACES, "waiting": ATTEMPTS - PLACES}
    # Arrival order: the first 50 through the lock have the places, everyone after them waits.
    assert {b.position for b in bookings if b.status == BookingStatus.CONFIRMED} == set(range(1, PLACES + 1))
    rush_event.refresh_from_db()
    assert (rush_event.confirmed, rush_event.next_position) == (PLACES, ATTEMPTS + 1)
    assert OutboundMessage.objects.filter(key__endswith="-confirmation").count() == ATTEMPTS

    # A cancellation promotes exactly one: the first on the waiting list.
    services.cancel_booking(booking=bookings[9])

    assert promoted_positions(rush_event) == [PLACES + 1]
    assert statuses(rush_event) == {"confirmed": PLACES, "waiting": ATTEMPTS - PLACES - 1, "cancelled": 1}
    assert OutboundMessage.objects.filter(key__endswith="-promoted").count() == 1

    # Nine cancellations at once promote nine, the next nine in the queue.
    leaving = [b for b in bookings[:PLACES] if b.position != 10][:9]
    outcomes = in_parallel(len(leaving), lambda n: services.cancel_booking(booking=leaving[n]))

    assert [o.error or o.refusal for o in outcomes if o.error or o.refusal] == []
    assert promoted_positions(rush_event) == list(range(PLACES + 1, PLACES + 11))
    assert statuses(rush_event) == {"confirmed": PLACES, "waiting": ATTEMPTS - PLACES - 10, "cancelled": 10}
    rush_event.refresh_from_db()
    assert rush_event.confirmed == PLACES


def promoted_positions(event: Event) -> list[int]:
    return sorted(
        Booking.objects.filter(event=event, promoted_at__isnull=False).values_list("position", flat=True)
    )


def statuses(event: Event) -> Counter[str]:
    return Counter(Booking.objects.filter(event=event).values_list("status", flat=True))


def test_without_the_lock_the_rush_is_refused_by_the_constraints(
    rush_event: Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: the same rush through a booking path that reads the event's row without locking it."""
    race = threading.Barrier(CONNECTIONS)

    def read_without_lock(event: Event | int) -> Event:
        pk = event.pk if isinstance(event, Event) else event
        row = Event.objects.select_related("school", "city").get(pk=pk)  # no SELECT ... FOR UPDATE
        race.wait(timeout=WAIT)  # every contender has read the row before any of them writes
        return row

    monkeypatch.setattr(services, "_lock_event", read_without_lock)

    outcomes = rush(rush_event)

    assert [o.error for o in outcomes if o.error] == []
    refused = [o for o in outcomes if o.refusal]
    taken = [o for o in outcomes if o.result]
    # Contenders that read the same row asked for the same queue position; the constraint refused all
    # but one of each group. Nothing wrong is stored, but bookings the locked path takes were lost.
    assert len(refused) >= ATTEMPTS // 2
    assert {o.refusal for o in refused} == {"That booking could not be taken; please try again."}
    positions = list(Booking.objects.filter(event=rush_event).values_list("position", flat=True))
    assert len(positions) == len(set(positions)) == len(taken) < ATTEMPTS
    rush_event.refresh_from_db()
    assert rush_event.confirmed <= PLACES
