"""Moments on the London wall clock, and standing still at one of them.

Every test that depends on the date freezes the clock with ``time-machine``, never ticking, so that a slow
machine cannot carry a test across a deadline. ``london_time`` names a moment; ``frozen`` stands still at it;
``travel`` stands still at midday on a day, clear of midnight and of the clock changes.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

LONDON_TZ = ZoneInfo("Europe/London")


def london_time(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """An aware Europe/London wall-clock moment (midday unless told)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON_TZ)


def at_noon(day: dt.date) -> dt.datetime:
    """Midday in London on ``day``: a safe moment to travel to, clear of midnight and clock changes."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=LONDON_TZ)


def frozen(moment: dt.datetime | str) -> time_machine.travel:
    """Stand still at ``moment``, an aware datetime or an ISO 8601 string (use as a context manager)."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return time_machine.travel(moment, tick=False)


def travel(day: dt.date) -> time_machine.travel:
    """Stand still at midday on ``day`` (use as a context manager)."""
    return frozen(at_noon(day))
