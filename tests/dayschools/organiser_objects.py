"""Rows for the organisers' pages and the door list in the permission matrix and the robustness tests.

Made through the services (booking opens a day before *now*, since those
suites run at the real time), under a series of their own so they sit
beside other helpers' rows; cities are shared by slug:

* ``organise_series`` / ``organise_school``: the series and its first school;
* ``organise_event``: that school in London a month ahead, published, with an
  empty workshop (``organise_workshop``), a guest with a place, one checked in
  and one who cancelled, so the door list shows both buttons;
* ``organise_draft_event``: the series' second school in Leeds, still a draft.
  London is then the only city holding the first school, so it can be copied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from dayschools import services
from dayschools.models import City, Event, Region, School, Workshop
from members.models import Branch
from tests.factories import SchoolFactory, SeriesFactory


def _city(name: str, region: str, branch: Branch | None = None) -> City:
    city, _ = City.objects.get_or_create(
        slug=name.lower(), defaults={"name": name, "region": region, "branch": branch}
    )
    return city


def _event(school: School, city: City, *, days: int, publish: bool) -> Event:
    day = timezone.localdate() + dt.timedelta(days=days)
    starts = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    return services.create_event(
        actor=None,
        school=school,
        city=city,
        venue=f"{city.name} Friends Meeting House",
        address="1 Main Street",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=6, minutes=30),
        capacity=40,
        booking_opens_at=timezone.now() - dt.timedelta(days=1),
        booking_closes_at=starts,
        publish=publish,
    )


def organiser_objects(london: Branch) -> dict[str, Callable[[], list[Any]]]:
    series = SeriesFactory.create(title="Organisers' objects", slug="organise-objects")
    first = SchoolFactory.create(series=series, number=1)
    second = SchoolFactory.create(series=series, number=2, title="Crises")
    event = _event(first, _city("London", Region.LONDON, london), days=30, publish=True)
    draft = _event(second, _city("Leeds", Region.NORTH), days=37, publish=False)
    workshop = Workshop.objects.create(
        event=event,
        title="Value and labour",
        starts_at=event.starts_at + dt.timedelta(hours=4),
        ends_at=event.starts_at + dt.timedelta(hours=5, minutes=30),
        capacity=20,
    )
    services.book_guest(event=event, name="Gale Guest", email="gale.guest@example.org")
    arrived = services.book_guest(event=event, name="Ari Arrived", email="ari.arrived@example.org")
    services.check_in(actor=None, booking=arrived)
    gone = services.book_guest(event=event, name="Cass Cancelled", email="cass.cancelled@example.org")
    services.cancel_booking(booking=gone)
    return {
        "organise_series": lambda: [series.pk],
        "organise_school": lambda: [first.pk],
        "organise_event": lambda: [event.pk],
        "organise_draft_event": lambda: [draft.pk],
        "organise_workshop": lambda: [workshop.pk],
    }
