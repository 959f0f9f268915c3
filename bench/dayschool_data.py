"""Day-school data for ``booking_rush`` and ``attendance_report``: ``python -m bench.dayschool_data``.

Run by ``bench.run`` on the bench database after ``seed_demo``. It makes:

* eight cities, each linked to the branch of the same name where there is
  one (seed_demo's five), in four regions;
* a past series of eight schools held as 60 events (the first school in
  four cities, the other seven in all eight) with 100,000 bookings between
  them, in the state the services leave them: per event a run of positions
  from 1, ``confirmed`` up to capacity and the rest waiting, some cancelled
  (their place taken by the next on the list), walk-ins, check-ins for most
  confirmed places, members and non-members, people who come to several
  schools (so first-timers are a minority, as they would be);
* one published event of 100 places, open for booking now, for the rush.

Plain rows for speed (the bookings through PostgreSQL's COPY, a few
seconds), like ``bench/topup.py``; the ``confirmed`` and ``next_position``
counters agree with the rows, so the services work on them afterwards. The
result is one JSON object on stdout: the rush event's primary key and
capacity, the series' slug and primary key, the city slugs and the number
of bookings; progress goes to stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from typing import Any

import django

from awl.codes import CODE_ALPHABET

SEED = 2026
EVENT_COUNT = 60
BOOKING_COUNT = 100_000
MEMBER_COUNT = 2_000
GUEST_COUNT = 20_000
CAPACITY = 1_450
RUSH_CAPACITY = 100
SERIES_SLUG = "bench-political-economy"
RUSH_SERIES_SLUG = "bench-rush"


@dataclass(frozen=True)
class CitySpec:
    name: str
    slug: str
    region: str


CITIES = [
    CitySpec("London", "london", "london"),
    CitySpec("Manchester", "manchester", "north"),
    CitySpec("Leeds", "leeds", "north"),
    CitySpec("Sheffield", "sheffield", "north"),
    CitySpec("Liverpool", "liverpool", "north"),
    CitySpec("Birmingham", "birmingham", "midlands"),
    CitySpec("Glasgow", "glasgow", "scotland"),
    CitySpec("Cardiff", "cardiff", "wales"),
]
SCHOOLS = [
    "Wages, prices and profit",
    "The working day",
    "Housing and rent",
    "Unions and the law",
    "Care work",
    "Climate and jobs",
    "Migration and labour",
    "Organising the unorganised",
]
FIRST_SCHOOL_CITIES = 4  # the first school was held in four cities: 4 + 7 x 8 = 60 events


def log(message: str) -> None:
    print(f"bench: dayschool data: {message}", file=sys.stderr, flush=True)


def code(index: int) -> str:
    """A distinct booking code per row (random codes could collide once in a few hundred runs)."""
    letters = []
    for _ in range(8):
        index, digit = divmod(index, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[digit])
    return "".join(reversed(letters))


def split(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` near-equal whole shares."""
    share, extra = divmod(total, parts)
    return [share + (1 if i < extra else 0) for i in range(parts)]


def create_people(branches: list[Any], joined: dt.date) -> tuple[list[tuple[int, str, str]], list[Any]]:
    """Bench members (users and members in the cities' branches); returns (pk, name, e-mail) per member."""
    from tests.helpers.bulk import add_members

    members = add_members(
        branches,
        MEMBER_COUNT,
        username="dsbench{i:05d}",
        email="dsmember{i:05d}@dayschools.bench.awl.example",
        full_name="Day-school Member {i:05d}",
        joined=joined,
    )
    users = [member.user for member in members]
    return [(m.pk, m.full_name, m.user.email) for m in members], users


def create_cities() -> list[Any]:
    from dayschools.models import City
    from members.models import Branch

    branches = {b.slug: b for b in Branch.objects.all()}
    cities = []
    for spec in CITIES:
        city, _ = City.objects.get_or_create(
            slug=spec.slug,
            defaults={"name": spec.name, "region": spec.region, "branch": branches.get(spec.slug)},
        )
        cities.append(city)
    return cities


def create_series(cities: list[Any], now: dt.datetime) -> list[Any]:
    """The past series: eight schools a month apart, the last a fortnight ago; 60 events."""
    from dayschools.models import Event, EventStatus, School, Series

    series = Series.objects.create(
        title="Bench: Political economy for organisers", slug=SERIES_SLUG, season="2025-2026"
    )
    schools = School.objects.bulk_create(
        School(series=series, number=n, title=title, description=f"School {n} of the bench series.")
        for n, title in enumerate(SCHOOLS, start=1)
    )
    events = []
    for school in schools:
        held_in = cities[:FIRST_SCHOOL_CITIES] if school.number == 1 else cities
        day = now - dt.timedelta(days=14 + 30 * (len(SCHOOLS) - school.number))
        for offset, city in enumerate(held_in):
            starts = (day + dt.timedelta(days=7 * (offset % 2))).replace(
                hour=10, minute=0, second=0, microsecond=0
            )
            events.append(
                Event(
                    school=school,
                    city=city,
                    status=EventStatus.PUBLISHED,
                    venue=f"{city.name} Trades Hall",
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=6),
                    capacity=CAPACITY,
                    booking_opens_at=starts - dt.timedelta(days=42),
                    booking_closes_at=starts - dt.timedelta(hours=12),
                )
            )
    assert len(events) == EVENT_COUNT  # noqa: S101  (the figures above make exactly 60)
    return Event.objects.bulk_create(events)


def booking_rows(
    events: list[Any], members: list[tuple[int, str, str]], rng: random.Random
) -> tuple[list[tuple[Any, ...]], dict[int, tuple[int, int]]]:
    """Every booking as a COPY row, and per event its (confirmed, next position) counters."""
    guests = [(None, f"Guest Person {i:05d}", f"guest{i:05d}@example.org") for i in range(GUEST_COUNT)]
    people = members + guests
    how_heard = ["friend", "social", "stall", "paper", "event", "other"]
    rows: list[tuple[Any, ...]] = []
    counters: dict[int, tuple[int, int]] = {}
    for event, count in zip(events, split(BOOKING_COUNT, len(events)), strict=True):
        walk_ins = rng.randint(20, 80)
        chosen = rng.sample(people, count)
        booked = chosen[: count - walk_ins]
        # Bookings in arrival order; a cancellation frees a place the next on the waiting list takes.
        cancelled = set(rng.sample(range(len(booked)), k=len(booked) // 10))
        places = event.capacity
        confirmed = 0
        opened = event.booking_opens_at
        window = (event.booking_closes_at - opened).total_seconds()
        for position, (member_pk, name, email) in enumerate(booked, start=1):
            created = opened + dt.timedelta(seconds=window * position / (len(booked) + 1))
            status = "cancelled" if position - 1 in cancelled else "waiting"
            if status == "waiting" and confirmed < places:
                status = "confirmed"
                confirmed += 1
            checked_in = None
            if status == "confirmed" and rng.random() < 0.8:
                checked_in = event.starts_at + dt.timedelta(minutes=rng.randint(-30, 60))
            rows.append(
                (
                    event.pk, member_pk, name, email, "",
                    "member" if member_pk else rng.choice(how_heard),
                    member_pk is not None or rng.random() < 0.6,
                    status, position, code(len(rows)), False, created, None,
                    created + dt.timedelta(days=3) if status == "cancelled" else None,
                    checked_in,
                )
            )  # fmt: skip
        for position, (member_pk, name, email) in enumerate(chosen[len(booked) :], start=len(booked) + 1):
            arrived = event.starts_at + dt.timedelta(minutes=rng.randint(-20, 40))
            rows.append(
                (
                    event.pk, member_pk, name, email, "", "", False,
                    "confirmed", position, code(len(rows)), True, arrived, None, None, arrived,
                )
            )  # fmt: skip
        counters[event.pk] = (confirmed, count + 1)
    return rows, counters


BOOKING_COLUMNS = [
    "event_id", "member_id", "name", "email", "phone", "how_heard", "consent_to_contact",
    "status", "position", "code", "walk_in", "created_at", "promoted_at", "cancelled_at", "checked_in_at",
]  # fmt: skip


def copy_bookings(rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    from dayschools.models import Booking

    table = Booking._meta.db_table
    statement = f"COPY {table} ({', '.join(BOOKING_COLUMNS)}) FROM STDIN"  # our own constant names
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


def create_rush_event(city: Any, now: dt.datetime) -> Any:
    """One published event of 100 places in a month's time, booking open from an hour ago."""
    from dayschools.models import Event, EventStatus, School, Series

    series = Series.objects.create(title="Bench: The rush", slug=RUSH_SERIES_SLUG, season="2027")
    school = School.objects.create(series=series, number=1, title="A popular school")
    starts = (now + dt.timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0)
    return Event.objects.create(
        school=school,
        city=city,
        status=EventStatus.PUBLISHED,
        venue="Conway Hall",
        address="25 Red Lion Square, London WC1R 4RL",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=6),
        capacity=RUSH_CAPACITY,
        booking_opens_at=now - dt.timedelta(hours=1),
        booking_closes_at=starts - dt.timedelta(days=1),
    )


def create_all() -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from dayschools.models import Event
    from members.models import Branch

    rng = random.Random(SEED)  # noqa: S311  (made-up data, the same every run)
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        cities = create_cities()
        branches = [c.branch for c in cities if c.branch is not None] or [
            Branch.objects.create(name="Bench day schools", slug="bench-dayschools", city="London")
        ]
        members, _ = create_people(branches, (now - dt.timedelta(days=800)).date())
        events = create_series(cities, now)
        rows, counters = booking_rows(events, members, rng)
        log(f"{len(rows)} bookings for {len(events)} events in {len(cities)} cities: copying")
        copy_bookings(rows)
        for event in events:
            event.confirmed, event.next_position = counters[event.pk]
        Event.objects.bulk_update(events, ["confirmed", "next_position"])
        rush = create_rush_event(cities[0], now)
    log(f"done in {time.perf_counter() - started:.1f} s")
    return {
        "rush_event": rush.pk,
        "rush_capacity": rush.capacity,
        "series": SERIES_SLUG,
        "series_pk": events[0].school.series_id,
        "cities": [c.slug for c in cities],
        "bookings": len(rows),
    }


def main() -> int:
    # The settings log to stdout, and stdout is for the result alone: swap before they are read.
    result_stream, sys.stdout = sys.stdout, sys.stderr
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awl.settings")
    django.setup()
    print(json.dumps(create_all()), file=result_stream, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
