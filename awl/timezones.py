"""London wall-clock times, and the one rule for the two nights a year they are not one moment each.

Everything is stored in UTC and typed and shown as London reads it
(``settings.TIME_ZONE``, Europe/London). Twice a year a wall-clock time does
not name exactly one moment, and every form and service reads it the same
way:

- **The clocks go back** (the last Sunday of October, 02:00 BST becomes
  01:00 GMT): the hour from 01:00 to 02:00 happens twice. A time in it is
  **taken at its first reading, in British Summer Time**: 01:30 on
  31 October 2027 is 00:30 UTC, not 01:30 UTC. The first reading is the one
  a meeting or a deadline set in summer would have meant, and it is never
  later than the person could have expected.
- **The clocks go forward** (the last Sunday of March, 01:00 GMT becomes
  02:00 BST): the hour from 01:00 to 02:00 does not happen. A time in it is
  **refused**, with an error that names it ("01:30 does not exist in London
  on 28 March 2027: the clocks go forward."), rather than moved an hour
  either way behind the person's back.

``london_moment`` (a date and a time, as the meeting, event and session
forms take them) and ``london_datetime`` (one date-and-time, as
``awl.forms.LondonDateTimeField`` reads it) both apply the rule. The one
moment that cannot be typed is the second reading (01:30 GMT, from a stored
time or an import): it is shown as 01:30 like the first, so a form that shows
it reads it back, when saved, as the first: an hour earlier.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError


def london_zone() -> ZoneInfo:
    """The zone every wall-clock time is read in (Europe/London unless the settings say otherwise)."""
    return ZoneInfo(settings.TIME_ZONE)


def london_datetime(local: dt.datetime) -> dt.datetime:
    """The aware moment a naive London wall-clock date and time name, by the rule above.

    An aware ``local`` already names its moment and is returned as it is.
    Raises ``ValidationError`` (code ``skipped``) for a time the clocks skip.
    The moment is in London's zone, as Django's own fields give it; compare it
    with moments in other zones by ``<``, ``>`` or subtraction, since a time in
    the repeated hour is never ``==`` one in another zone (PEP 495).
    """
    if local.tzinfo is not None and local.utcoffset() is not None:
        return local
    zone = london_zone()
    # fold=0 is the first reading of a repeated time; for a skipped time it is the reading
    # before the change, which does not survive the round trip through UTC.
    moment = local.replace(tzinfo=zone, fold=0)
    if moment.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise ValidationError(
            f"{local:%H:%M} does not exist in London on {local:%-d %B %Y}: the clocks go forward.",
            code="skipped",
        )
    return moment


def london_moment(day: dt.date, time: dt.time) -> dt.datetime:
    """The aware moment a date and a wall-clock time in London name, by the rule above."""
    return london_datetime(dt.datetime.combine(day, time.replace(tzinfo=None)))
