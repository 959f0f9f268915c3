"""A day-school series in several cities, shared by the day-school tests.

"Capitalism and its crises" (autumn 2026): school 1 in London on Saturday
22 October and in Leeds on Saturday 29 October, 10:00 to 16:30 London time,
with two parallel workshops in the afternoon. Bookings open from 1 September
and close at 09:00 on the day. Tests travel to ``BOOKING_TIME`` (while
booking is open) unless they say otherwise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from dayschools.models import City, Event, EventStatus, Region, School, Series, Workshop
from members.models import Branch, Role
from tests.dayschools.report_objects import REPORT_TIME, Series3, build_autumn_series
from tests.factories import LONDON_TZ, CityFactory, SchoolFactory, SeriesFactory, UserFactory, make_officer
from tests.helpers.clock import london_time

BOOKING_TIME = dt.datetime(2026, 10, 1, 12, tzinfo=LONDON_TZ)


@pytest.fixture
def booking_time() -> Any:
    """Stand at 1 October 2026, midday, while booking is open."""
    with time_machine.travel(BOOKING_TIME, tick=False):
        yield BOOKING_TIME


@pytest.fixture
def cities(london: Branch, leeds: Branch) -> dict[str, City]:
    made = {
        "london": CityFactory.create(name="London", branch=london),
        "leeds": CityFactory.create(name="Leeds", region=Region.NORTH, branch=leeds),
        "sheffield": CityFactory.create(name="Sheffield", region=Region.NORTH),
        "manchester": CityFactory.create(name="Manchester", region=Region.NORTH),
    }
    return made


@pytest.fixture
def series(db: None) -> Series:
    return SeriesFactory.create(slug="crises")


@pytest.fixture
def school(series: Series) -> School:
    return SchoolFactory.create(
        series=series,
        number=1,
        description="Marx's Capital, volume one, in a day.",
        reading_list="Capital, chapter 1",
    )


def make_event(school: School, city: City, day: int, *, capacity: int = 50, month: int = 10) -> Event:
    return Event.objects.create(
        school=school,
        city=city,
        status=EventStatus.PUBLISHED,
        venue=f"{city.name} Friends Meeting House",
        address="1 Main Street",
        starts_at=london_time(2026, month, day, 10),
        ends_at=london_time(2026, month, day, 16, 30),
        capacity=capacity,
        booking_opens_at=london_time(2026, 9, 1, 9),
        booking_closes_at=london_time(2026, month, day, 9),
    )


@pytest.fixture
def london_event(school: School, cities: dict[str, City]) -> Event:
    """School 1 in London, Saturday 22 October 2026, 50 places."""
    return make_event(school, cities["london"], 22)


@pytest.fixture
def leeds_event(school: School, cities: dict[str, City]) -> Event:
    return make_event(school, cities["leeds"], 29)


@pytest.fixture
def workshops(london_event: Event) -> list[Workshop]:
    """Two parallel afternoon workshops of 20 places each."""
    return [
        Workshop.objects.create(
            event=london_event,
            title=title,
            starts_at=london_time(2026, 10, 22, 14),
            ends_at=london_time(2026, 10, 22, 15, 30),
            capacity=20,
        )
        for title in ("Value and labour", "Crisis theory")
    ]


@pytest.fixture
def dayschool_organiser(db: None) -> Any:
    """A day-school organiser: sets up series and events, reads every report."""
    return make_officer(Role.DAYSCHOOL_ORGANISER, email="dayschools@example.org")


@pytest.fixture
def door_volunteer(london_event: Event) -> Any:
    """An organiser of the London event only (no role): runs its door list."""
    user: Any = UserFactory(username="door", email="door@example.org")
    london_event.organisers.add(user)
    return user


@pytest.fixture
def autumn(member: Any, london: Any, leeds: Any, dayschool_organiser: Any) -> Series3:
    """The autumn series of the report tests (tests/dayschools/report_objects.py)."""
    return build_autumn_series(
        rosa=member, london_branch=london, leeds_branch=leeds, organiser=dayschool_organiser
    )


@pytest.fixture
def on_report_day() -> Any:
    """Stand on the day the reports are read, after the autumn series."""
    with time_machine.travel(REPORT_TIME, tick=False):
        yield REPORT_TIME
