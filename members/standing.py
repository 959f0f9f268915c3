"""The one rule for "in good standing on date D".

A member is in good standing on D when, on D,

* their status (from the dated status history) is *member*, and
* their dues are paid up to a date no more than the grace period
  (``AWL_DUES_GRACE_DAYS``) before D.

"Paid up to" is derived from payments recorded on or before D: the latest
``covers_to`` among them, or the day before dues started (admission or
reinstatement) when nothing has been paid since. Conference rights and
voting depend on this rule, so it lives here, once, as SQL; Python callers
go through ``standing_for``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)

if TYPE_CHECKING:
    from members.models import Member, MemberQuerySet


def grace_cutoff(on: dt.date) -> dt.date:
    """The earliest paid-up-to date that still counts as in good standing on ``on``."""
    return on - dt.timedelta(days=settings.AWL_DUES_GRACE_DAYS)


def annotate_standing(queryset: MemberQuerySet, on: dt.date) -> MemberQuerySet:
    from members.models import MemberStatus, Payment, StatusChange

    status_on = (
        StatusChange.objects.filter(member=OuterRef("pk"), effective_on__lte=on)
        .order_by("-effective_on", "-recorded_at", "-pk")
        .values("status")[:1]
    )
    paid_to = (
        Payment.objects.filter(member=OuterRef("pk"), paid_on__lte=on)
        .values("member")
        .annotate(latest=Max("covers_to"))
        .values("latest")[:1]
    )
    cutoff = grace_cutoff(on)
    return queryset.annotate(
        status_on=Subquery(status_on),
        paid_to_on=Subquery(paid_to, output_field=DateField()),
        good_standing=Case(
            When(
                Q(status_on=MemberStatus.MEMBER) & (Q(paid_to_on__gte=cutoff) | Q(dues_from__gt=cutoff)),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


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


# The annotations of ``annotate_standing`` that ``standing_for`` reads back.
_STANDING_COLUMNS = ("status_on", "paid_to_on", "dues_from", "good_standing")


def standing_for(member: Member, on: dt.date) -> Standing:
    """The member's standing on a date, computed by the same SQL as the lists."""
    from members.models import Member as MemberModel

    row = MemberModel.objects.filter(pk=member.pk).with_standing(on).values(*_STANDING_COLUMNS)[0]
    up_to = paid_up_to(row["paid_to_on"], row["dues_from"])
    grace_until = up_to + dt.timedelta(days=settings.AWL_DUES_GRACE_DAYS) if up_to else None
    return Standing(
        on=on,
        status=row["status_on"],
        paid_up_to=up_to,
        good_standing=bool(row["good_standing"]),
        grace_until=grace_until,
    )
