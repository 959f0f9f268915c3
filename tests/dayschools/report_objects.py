"""Rows for the attendance reports: the hand-computed autumn series, and objects for the shared tests.

``build_autumn_series`` makes a series whose every figure is worked out by
hand in tests/dayschools/test_reports.py. Bookings go through the services,
at the times a person would make them (booking on 1 October, cancelling on
2 October, checking in at 10:30 on the day), so the fixture is a state the
application can reach. The reports are read on ``REPORT_TIME``, 20 December
2026, when schools 1 to 3 have been held except school 3 in Sheffield
(9 January 2027).

Events (10:00 to 16:30 London time):

===========  ==========  ============  ========  ===========================
school       city        date          places    state on 20 December
===========  ==========  ============  ========  ===========================
1            London      Thu 22 Oct    50        held
1            Sheffield   Sat 24 Oct    50        held
2            London      Sat 21 Nov    3         held (one on the waiting list)
2            Leeds       Sun 22 Nov    50        held
2            Manchester  Sun 22 Nov    50        cancelled
3            London      Sat 12 Dec    50        held
3            Leeds       Sun 13 Dec    50        held
3            Sheffield   Sat 9 Jan 27  50        to come
===========  ==========  ============  ========  ===========================

Members: Rosa Lund (the ``member`` fixture), Ben Ashby, Cara Diaz. Everyone
else is a guest or a walk-in (see each event's list in ``build_autumn_series``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import time_machine
from django.utils import timezone

from dayschools import services
from dayschools.models import Booking, City, Event, EventStatus, Region, School, Series
from members.models import Branch, Member
from tests.factories import LONDON_TZ, SchoolFactory, SeriesFactory, UserFactory, make_member
from tests.helpers.clock import london_time

REPORT_TIME = dt.datetime(2026, 12, 20, 12, tzinfo=LONDON_TZ)
BOOKED_ON = dt.datetime(2026, 10, 1, 12, tzinfo=LONDON_TZ)
CANCELLED_ON = dt.datetime(2026, 10, 2, 12, tzinfo=LONDON_TZ)


def make_event(
    school: School,
    city: City,
    day: dt.date,
    *,
    capacity: int = 50,
    status: str = EventStatus.PUBLISHED,
    opens_at: dt.datetime | None = None,
) -> Event:
    return Event.objects.create(
        school=school,
        city=city,
        status=status,
        venue=f"{city.name} Friends Meeting House",
        starts_at=london_time(day.year, day.month, day.day, 10),
        ends_at=london_time(day.year, day.month, day.day, 16, 30),
        capacity=capacity,
        booking_opens_at=opens_at or london_time(2026, 9, 1, 9),
        booking_closes_at=london_time(day.year, day.month, day.day, 9),
    )


@dataclass
class Series3:
    """The autumn series: its schools, events by key (``"1L"``: school 1 in London) and people."""

    series: Series
    schools: list[School]
    cities: dict[str, City]
    events: dict[str, Event]
    members: dict[str, Member]
    bookings: dict[tuple[str, str], Booking] = field(default_factory=dict)


class _Door:
    """Books, cancels and checks in through the services, each at the time it would happen."""

    def __init__(self, organiser: Any, built: Series3) -> None:
        self.organiser = organiser
        self.built = built

    def member(self, key: str, who: str) -> Booking:
        with time_machine.travel(BOOKED_ON, tick=False):
            booking = services.book_member(member=self.built.members[who], event=self.built.events[key])
        self.built.bookings[(key, who)] = booking
        return booking

    def guest(self, key: str, name: str, email: str, *, consent: bool = True) -> Booking:
        with time_machine.travel(BOOKED_ON, tick=False):
            booking = services.book_guest(
                event=self.built.events[key], name=name, email=email, consent_to_contact=consent
            )
        self.built.bookings[(key, name.split()[0])] = booking
        return booking

    def _on_the_day(self, key: str) -> time_machine.travel:
        event = self.built.events[key]
        return time_machine.travel(event.starts_at + dt.timedelta(minutes=30), tick=False)

    def check_in(self, key: str, *whos: str) -> None:
        with self._on_the_day(key):
            for who in whos:
                services.check_in(actor=self.organiser, booking=self.built.bookings[(key, who)])

    def cancel(self, key: str, who: str) -> None:
        with time_machine.travel(CANCELLED_ON, tick=False):
            services.cancel_booking(booking=self.built.bookings[(key, who)])

    def walk_in(self, key: str, name: str, email: str = "", *, consent: bool = False) -> None:
        with self._on_the_day(key):
            booking = services.add_walk_in(
                actor=self.organiser,
                event=self.built.events[key],
                name=name,
                email=email,
                consent_to_contact=consent,
            )
        self.built.bookings[(key, name.split()[0])] = booking


def autumn_cities(london_branch: Branch, leeds_branch: Branch | None) -> dict[str, City]:
    def city(name: str, region: str, branch: Branch | None) -> City:
        made, _ = City.objects.get_or_create(
            slug=name.lower(), defaults={"name": name, "region": region, "branch": branch}
        )
        return made

    return {
        "london": city("London", Region.LONDON, london_branch),
        "leeds": city("Leeds", Region.NORTH, leeds_branch),
        "sheffield": city("Sheffield", Region.NORTH, None),
        "manchester": city("Manchester", Region.NORTH, None),
    }


def build_autumn_series(
    *, rosa: Member, london_branch: Branch, leeds_branch: Branch, organiser: Any
) -> Series3:
    """The hand-computed series (see the module's docstring and test_reports.py)."""
    cities = autumn_cities(london_branch, leeds_branch)
    series = SeriesFactory.create(slug="autumn")
    schools = [
        SchoolFactory.create(series=series, number=n, title=title)
        for n, title in [(1, "What is capitalism?"), (2, "Why crises?"), (3, "What is socialism?")]
    ]
    events = {
        "1L": make_event(schools[0], cities["london"], dt.date(2026, 10, 22)),
        "1S": make_event(schools[0], cities["sheffield"], dt.date(2026, 10, 24)),
        "2L": make_event(schools[1], cities["london"], dt.date(2026, 11, 21), capacity=3),
        "2D": make_event(schools[1], cities["leeds"], dt.date(2026, 11, 22)),
        "2M": make_event(
            schools[1], cities["manchester"], dt.date(2026, 11, 22), status=EventStatus.CANCELLED
        ),
        "3L": make_event(schools[2], cities["london"], dt.date(2026, 12, 12)),
        "3D": make_event(schools[2], cities["leeds"], dt.date(2026, 12, 13)),
        "3S": make_event(schools[2], cities["sheffield"], dt.date(2027, 1, 9)),
    }
    members = {
        "Rosa": rosa,
        "Ben": make_member(
            leeds_branch,
            joined_on=dt.date(2025, 5, 1),
            user=UserFactory(username="ben", email="ben@example.org"),
            full_name="Ben Ashby",
        ),
        "Cara": make_member(
            london_branch,
            joined_on=dt.date(2025, 5, 1),
            user=UserFactory(username="cara", email="cara@example.org"),
            full_name="Cara Diaz",
        ),
    }
    built = Series3(series=series, schools=schools, cities=cities, events=events, members=members)
    door = _Door(organiser, built)

    # School 1, London: Rosa (member) and Dan come; Eve books and does not come; Fay cancels;
    # Gus walks in and gives his e-mail.
    door.member("1L", "Rosa")
    door.guest("1L", "Dan Okoro", "dan@example.org")
    door.guest("1L", "Eve Park", "Eve@Example.org")
    door.guest("1L", "Fay Quist", "fay@example.org", consent=False)
    door.cancel("1L", "Fay")
    door.check_in("1L", "Rosa", "Dan")
    door.walk_in("1L", "Gus Reid", "gus@example.org", consent=True)

    # School 1, Sheffield: Ben (member) comes; Hal walks in without an e-mail address.
    door.member("1S", "Ben")
    door.check_in("1S", "Ben")
    door.walk_in("1S", "Hal Stone")

    # School 2, London (3 places): Rosa, Dan and Eve (in lower case now) fill it and come; Cara
    # (member) waits; Gus walks in again (his address in capitals), Ida walks in for the first time.
    door.member("2L", "Rosa")
    door.guest("2L", "Dan Okoro", "dan@example.org")
    door.guest("2L", "Eve Park", "eve@example.org")
    door.member("2L", "Cara")
    door.check_in("2L", "Rosa", "Dan", "Eve")
    door.walk_in("2L", "Gus Reid", "GUS@example.org", consent=True)
    door.walk_in("2L", "Ida Tran", "ida@example.org", consent=True)

    # School 2, Leeds: Ben, Jon and Dan come; Kim cancels; Lee does not come; Max walks in (may be
    # contacted), Ned walks in (may not).
    door.member("2D", "Ben")
    door.guest("2D", "Jon Umar", "jon@example.org")
    door.guest("2D", "Kim Vance", "kim@example.org")
    door.guest("2D", "Dan Okoro", "dan@example.org")
    door.guest("2D", "Lee Wong", "lee@example.org")
    door.cancel("2D", "Kim")
    door.check_in("2D", "Ben", "Jon", "Dan")
    door.walk_in("2D", "Max Young", "max@example.org", consent=True)
    door.walk_in("2D", "Ned Zane", "ned@example.org", consent=False)

    # School 3, London: Rosa, Cara, Dan, Pat, Quinn and Ray (who may not be contacted) all come.
    for who in ("Rosa", "Cara"):
        door.member("3L", who)
    door.guest("3L", "Dan Okoro", "dan@example.org")
    door.guest("3L", "Pat Abel", "pat@example.org")
    door.guest("3L", "Quinn Bell", "quinn@example.org")
    door.guest("3L", "Ray Cole", "ray@example.org", consent=False)
    door.check_in("3L", "Rosa", "Cara", "Dan", "Pat", "Quinn", "Ray")

    # School 3, Leeds: Ben, Jon and Tia (who may not be contacted) come; Sam walks in, no e-mail.
    door.member("3D", "Ben")
    door.guest("3D", "Jon Umar", "jon@example.org")
    door.guest("3D", "Tia Dunn", "tia@example.org", consent=False)
    door.check_in("3D", "Ben", "Jon", "Tia")
    door.walk_in("3D", "Sam Ford", "")

    # School 3, Sheffield (to come): Uma has booked.
    door.guest("3S", "Uma Gale", "uma@example.org")
    return built


# Objects for the permission matrix and the robustness test ---------------------------------------
def report_objects(london_branch: Branch, organiser: Any) -> dict[str, Callable[[], list[Any]]]:
    """``report_series``: a series with a London event held last month; ``report_event``: that event;
    ``follow_up_booking``: a non-member who came to it and may be contacted (London branch's list)."""

    @cache
    def held() -> Booking:
        london_city = autumn_cities(london_branch, None)["london"]
        series = SeriesFactory.create(title="Report series", slug="report-series")
        school = SchoolFactory.create(series=series, number=1)
        day = timezone.localdate() - dt.timedelta(days=30)
        opens_at = london_time(day.year, day.month, day.day, 9) - dt.timedelta(days=60)
        event = make_event(school, london_city, day, opens_at=opens_at)
        with time_machine.travel(event.starts_at - dt.timedelta(days=7)):
            booking = services.book_guest(
                event=event, name="Dee Guest", email="dee.guest@example.org", consent_to_contact=True
            )
        with time_machine.travel(event.starts_at + dt.timedelta(minutes=5)):
            services.check_in(actor=organiser, booking=booking)
        return booking

    return {
        "report_series": lambda: [held().event.school.series.slug],
        "report_event": lambda: [held().event_id],
        "follow_up_booking": lambda: [held().pk],
    }
