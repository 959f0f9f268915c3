"""iCalendar files, built once for every app: meetings, day schools and the conference use these.

Every event has a stable UID, so a moved or cancelled event updates the one a
calendar already holds; a higher SEQUENCE and STATUS:CANCELLED say what changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event, vDuration, vText


def event(
    *,
    uid: str,
    start: dt.datetime | dt.date,
    end: dt.datetime | dt.date,
    summary: str,
    location: str = "",
    url: str = "",
    cancelled: bool = False,
    sequence: int = 0,
) -> Event:
    entry = Event()
    entry.add("uid", uid)
    entry.add("sequence", sequence)
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", start)
    entry.add("dtend", end)
    entry.add("summary", summary)
    if location:
        entry.add("location", vText(location))
    if url:
        entry.add("url", url)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return entry


def calendar(
    events: Iterable[Event],
    *,
    product: str,
    cancel: bool = False,
    name: str = "",
    refresh: dt.timedelta | None = None,
) -> bytes:
    """A calendar of ``events``; ``refresh`` tells a subscribed feed's reader how often to look again."""
    made = Calendar()
    made.add("prodid", f"-//AWL//{product}//EN")
    made.add("version", "2.0")
    made.add("method", "CANCEL" if cancel else "PUBLISH")
    if name:
        made.add("x-wr-calname", name)
    if refresh is not None:
        made.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        made.add("x-published-ttl", vDuration(refresh))
    for entry in events:
        made.add_component(entry)
    return made.to_ical()
