"""Rows for the CAC's business pages, the CAC report and the order paper, in the permission matrix, the
robustness tests, the query-count tests and the bench.

``business_conference`` is a conference of its own (slug ``business-objects``)
with its business rules, two motions ruled in order and on the order paper,
an amendment to the first, and one motion not yet ruled; nothing published,
so only the CAC (and the national office) reads the order paper:

* ``business_conference``: the conference (its slug);
* ``business_motion`` / ``business_amendment``: ``("motion", pk)`` / ``("amendment", pk)`` for ``rule``.

``bulk_business`` makes a conference's business in a few queries, for the
large-data tests and the bench.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from conference.models import (
    Amendment,
    AmendmentKind,
    BusinessRules,
    Conference,
    ItemStatus,
    Motion,
    ProposerKind,
    Ruling,
)
from tests.conference.programme_objects import programme_conference

SLUG = "business-objects"


def bulk_business(conference: Conference, motions: int, amendments: int, *, text: str = "") -> list[Motion]:
    """``motions`` motions ruled in order and placed, and ``amendments`` amendments spread over them.

    Every seventh amendment is ruled out of order and every third accepted by its mover. ``text`` is every
    motion's text (the bench gives a long one, to weigh the order paper like a real one).
    """
    now = timezone.now()
    BusinessRules.objects.get_or_create(
        conference=conference,
        defaults={"motions_deadline": now, "amendments_deadline": now + dt.timedelta(days=1)},
    )
    made = Motion.objects.bulk_create(
        Motion(
            conference=conference,
            proposer_kind=ProposerKind.NC,
            status=ItemStatus.SUBMITTED,
            ruling=Ruling.IN_ORDER,
            position=n,
            title=f"Motion number {n:03d}",
            text=text or f"Conference notes item {n}.\nConference resolves to act on it.",
            topic="Housing" if n % 2 else "Work",
        )
        for n in range(1, motions + 1)
    )
    Amendment.objects.bulk_create(
        Amendment(
            motion=made[n % motions],
            proposer_kind=ProposerKind.NC,
            status=ItemStatus.SUBMITTED,
            ruling=Ruling.IN_ORDER if (n + 1) % 7 else Ruling.OUT_OF_ORDER,
            ruling_reason="" if (n + 1) % 7 else "Outside the conference's competence.",
            accepted=None if n % 3 else True,
            position=n // motions + 1,
            kind=AmendmentKind.INSERT,
            line_from=n % 2 + 1,
            insert_text=f"Conference adds amendment {n}.",
        )
        for n in range(amendments)
    )
    return made


def business_conference() -> Conference:
    conference = programme_conference(SLUG, 2096)
    if not Motion.objects.filter(conference=conference).exists():
        bulk_business(conference, 2, 1)
        Motion.objects.create(
            conference=conference,
            proposer_kind=ProposerKind.EC,
            status=ItemStatus.SUBMITTED,
            title="Not yet ruled",
            text="Conference resolves.",
        )
    return conference


def business_objects() -> dict[str, Callable[[], list[Any]]]:
    def motion() -> list[Any]:
        return ["motion", Motion.objects.filter(conference=business_conference()).order_by("pk").first().pk]  # type: ignore[union-attr]

    def amendment() -> list[Any]:
        return ["amendment", Amendment.objects.filter(motion__conference=business_conference()).first().pk]  # type: ignore[union-attr]

    return {
        "business_conference": lambda: [business_conference().slug],
        "business_motion": motion,
        "business_amendment": amendment,
    }
