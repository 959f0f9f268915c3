"""seed_demo adds the demo day schools through demo.registry, and --force clears them first.

The demo must look like real use (a series in six cities, past schools with
bookings, check-ins, walk-ins and cancellations, a coming school open for
booking) and hold the same invariants as rows the booking services write.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from dayschools.models import Booking, BookingStatus, City, Event, EventStatus, FollowUp, School, Series
from demo import dayschools as demo
from demo.members import LOGINS

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ORGANISER = "dayschools@awl.example"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def figures() -> list[tuple[str, int, str, int, int, int, int]]:
    """Per event: city, school number, status, and its confirmed, waiting, cancelled, checked-in counts."""
    rows = Event.objects.annotate(
        n_confirmed=Count("bookings", filter=Q(bookings__status=BookingStatus.CONFIRMED)),
        n_waiting=Count("bookings", filter=Q(bookings__status=BookingStatus.WAITING)),
        n_cancelled=Count("bookings", filter=Q(bookings__status=BookingStatus.CANCELLED)),
        n_in=Count("bookings", filter=Q(bookings__checked_in_at__isnull=False)),
    ).order_by("starts_at")
    return [
        (e.city.slug, e.school.number, e.status, e.n_confirmed, e.n_waiting, e.n_cancelled, e.n_in)
        for e in rows.select_related("city", "school")
    ]


def test_seed_demo_twice_with_force_gives_the_same_series_again() -> None:
    seed()
    first = figures()
    seed("--force")
    seed("--force")

    assert figures() == first
    assert Series.objects.count() == 1
    assert City.objects.count() == 6
    assert ORGANISER in {login.email for login in LOGINS}


def test_the_demo_series_is_held_in_six_cities_with_past_schools_and_one_open_for_booking() -> None:
    seed()
    now = timezone.now()

    assert {(c.name, c.region) for c in City.objects.all()} == {
        ("London", "london"),
        ("Leeds", "north"),
        ("Sheffield", "north"),
        ("Manchester", "north"),
        ("Liverpool", "north"),
        ("Glasgow", "scotland"),
    }
    assert City.objects.get(slug="glasgow").branch is None
    series = Series.objects.get()
    assert series.title == "Capitalism and its crises"
    schools = list(School.objects.filter(series=series).order_by("number"))
    assert len(schools) == 4
    for school in schools:
        events = list(school.events.select_related("city"))
        assert 3 <= len(events) <= 5
        days = [timezone.localtime(e.starts_at).date() for e in events]
        assert len(set(days)) == len(days), "each city on its own Saturday"
        assert {day.weekday() for day in days} == {5}
    past, coming = schools[:3], schools[3]
    assert all(e.ends_at < now for s in past for e in s.events.all())
    open_now = list(coming.events.all())
    assert all(
        e.status == EventStatus.PUBLISHED and e.booking_opens_at <= now < e.booking_closes_at
        for e in open_now
    )
    assert not Booking.objects.filter(event__school=coming, checked_in_at__isnull=False).exists()
    assert Booking.objects.filter(event__school=coming, status=BookingStatus.CONFIRMED).count() > 30


def test_the_past_schools_have_real_looking_figures() -> None:
    seed()
    past = Booking.objects.filter(event__ends_at__lt=timezone.now())

    assert past.filter(walk_in=True).count() > 10
    assert past.filter(status=BookingStatus.CANCELLED).count() > 10
    assert past.filter(member__isnull=False).count() > 50
    assert past.filter(member__isnull=True, walk_in=False).count() > 100
    assert past.filter(status=BookingStatus.CONFIRMED, checked_in_at__isnull=True).exists()  # no-shows
    assert past.filter(status=BookingStatus.WAITING).exists()  # a full London school
    assert past.filter(promoted_at__isnull=False).exists()
    assert FollowUp.objects.exists()
    # Some guests came back to a later school in their city.
    returning = (
        past.filter(member__isnull=True)
        .exclude(email="")
        .values("email")
        .annotate(n=Count("event", distinct=True))
        .filter(n__gt=1)
    )
    assert returning.exists()
    # The first school was biggest in London.
    attended = {
        e.city.slug: e.bookings.filter(checked_in_at__isnull=False).count()
        for e in Event.objects.filter(school__number=1).select_related("city")
    }
    assert max(attended, key=lambda slug: attended[slug]) == "london"


def test_the_demo_rows_keep_the_booking_invariants() -> None:
    seed()
    for event in Event.objects.prefetch_related("bookings", "workshops__bookings"):
        bookings = sorted(event.bookings.all(), key=lambda b: b.position)
        booked = [b for b in bookings if not b.walk_in]
        assert [b.position for b in bookings] == list(range(1, len(bookings) + 1))
        assert event.next_position == len(bookings) + 1
        assert event.confirmed == sum(1 for b in booked if b.status == BookingStatus.CONFIRMED)
        assert event.confirmed <= event.capacity
        # Places went in the order taken, and the waiting list was promoted in order.
        waiting = [b.position for b in booked if b.status == BookingStatus.WAITING]
        placed = [b.position for b in booked if b.status == BookingStatus.CONFIRMED]
        assert not waiting or max(placed) < min(waiting)
        assert not waiting or event.confirmed == event.capacity
        assert all(b.status == BookingStatus.CONFIRMED for b in bookings if b.checked_in_at)
        assert [b.created_at for b in booked] == sorted(b.created_at for b in booked)
        for workshop in event.workshops.all():
            holders = list(workshop.bookings.all())
            assert workshop.confirmed == len(holders) <= workshop.capacity
            assert all(b.status == BookingStatus.CONFIRMED for b in holders)


def test_the_demo_organiser_organises_every_event_and_branch_organisers_their_citys() -> None:
    seed()
    organiser = get_user_model().objects.get(email=ORGANISER)
    leeds_organiser = get_user_model().objects.get(email="leeds.organiser@awl.example")

    for event in Event.objects.select_related("city"):
        assert organiser.has_perm("dayschools.manage_event", event)
        assert event.organisers.filter(pk=organiser.pk).exists()
    leeds_events = set(Event.objects.filter(city__slug="leeds"))
    assert set(leeds_organiser.dayschool_events.all()) == leeds_events


@pytest.mark.parametrize(
    ("today", "past_until", "first_coming"),
    [
        (dt.date(2026, 11, 30), dt.date(2026, 11, 28), dt.date(2026, 12, 19)),
        (dt.date(2027, 1, 10), dt.date(2027, 1, 9), dt.date(2027, 1, 30)),
        (dt.date(2026, 7, 4), dt.date(2026, 6, 27), dt.date(2026, 7, 18)),  # on a Saturday
    ],
)
def test_the_past_schools_end_on_the_saturday_before_today_and_the_coming_one_is_a_fortnight_ahead(
    today: dt.date, past_until: dt.date, first_coming: dt.date
) -> None:
    dates = demo.school_dates(today)
    assert dates[2] + dt.timedelta(weeks=2) == past_until  # the third school's last city
    assert dates[3] == first_coming
    assert dates == sorted(dates)
