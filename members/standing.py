"""The one rule for "in good standing on date D".

A member is in good standing on D when, on D,

* their status (from the dated status history) is *member*, and
* their dues are paid up to a date no more than the grace period
  (``AWL_DUES_GRACE_DAYS``) before D.

"Paid up to" is derived from payments recorded on or before D: the latest
``covers_to`` among them, or the day before dues started (admission or
reinstatement) when nothing has been paid since. Conference rights and
voting depend on this rule, so it is written once, as SQL, in
``MemberQuerySet.with_standing`` (members/models.py), which the lists filter
by; Python callers go through ``standing_for``, which reads the same SQL
back for one member. This module builds on the models and the models know
nothing of it, so the two do not import each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from members.models import Member


@dataclass(frozen=True)
class Standing:
    on: dt.date
    status: str | None
    paid_up_to: dt.date | None
    good_standing: bool
    grace_until: dt.date | None


def paid_up_to(paid_to: dt.date | None, dues_from: dt.date | None) -> dt.date | None:
    """Combine the latest payment's cover with the start of dues."""
    start = dues_from - dt.timedelta(days=1) if dues_from else None
    candidates = [d for d in (paid_to, start) if d is not None]
    return max(candidates) if candidates else None


# The annotations of ``MemberQuerySet.with_standing`` that ``standing_for`` reads back.
_STANDING_COLUMNS = ("status_on", "paid_to_on", "dues_from", "good_standing")


def standing_for(member: Member, on: dt.date) -> Standing:
    """The member's standing on a date, computed by the same SQL as the lists."""
    row = Member.objects.filter(pk=member.pk).with_standing(on).values(*_STANDING_COLUMNS)[0]
    up_to = paid_up_to(row["paid_to_on"], row["dues_from"])
    grace_until = up_to + dt.timedelta(days=settings.AWL_DUES_GRACE_DAYS) if up_to else None
    return Standing(
        on=on,
        status=row["status_on"],
        paid_up_to=up_to,
        good_standing=bool(row["good_standing"]),
        grace_until=grace_until,
    )
