"""Rows for the outcomes pages and the policy record in the permission matrix and the robustness tests.

A conference of its own (year 2094, slug ``outcome-objects``) that began
today, since those suites run at the real time, with two motions ruled in
order and on the order paper: the first waits for its outcome, the second
was carried on a card vote (through ``motions.record_outcome``), its text as
carried not yet published.

* ``outcome_conference``: the conference (the outcomes page);
* ``outcome_item``: ``("motion", pk)`` of the motion waiting for its outcome;
* ``carried_motion``: the carried motion (the text as carried).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from conference.business.services import motions
from conference.models import (
    Band,
    BusinessRules,
    Conference,
    ItemStatus,
    Motion,
    Outcome,
    ProposerKind,
    Ruling,
    VoteMethod,
)
from tests.factories import ConferenceFactory

SLUG = "outcome-objects"


def outcome_conference() -> Conference:
    existing = Conference.objects.filter(slug=SLUG).first()
    if existing is not None:
        return existing
    now, today = timezone.now(), timezone.localdate()
    conference = ConferenceFactory.create(
        year=2094,
        slug=SLUG,
        starts_on=today,
        registration_opens_at=now - dt.timedelta(days=60),
        registration_closes_at=now - dt.timedelta(days=10),
        eligibility_cutoff=today - dt.timedelta(days=90),
        fees={Band.WAGED: "30.00"},
    )
    BusinessRules.objects.create(
        conference=conference,
        motions_deadline=now - dt.timedelta(days=40),
        amendments_deadline=now - dt.timedelta(days=20),
    )
    for position, title in ((1, "Free school meals"), (2, "Rent controls")):
        Motion.objects.create(
            conference=conference,
            proposer_kind=ProposerKind.NC,
            status=ItemStatus.SUBMITTED,
            ruling=Ruling.IN_ORDER,
            ruled_at=now - dt.timedelta(days=15),
            position=position,
            title=title,
            text=f"Conference resolves to campaign for {title.lower()}.",
            topic="Housing",
        )
    motions.record_outcome(
        actor=None,
        item=Motion.objects.get(conference=conference, position=2),
        outcome=Outcome.CARRIED,
        method=VoteMethod.CARD,
        votes_for=120,
        votes_against=30,
    )
    return conference


def outcome_objects() -> dict[str, Callable[[], list[Any]]]:
    def motion(position: int) -> Motion:
        return Motion.objects.get(conference=outcome_conference(), position=position)

    return {
        "outcome_conference": lambda: [outcome_conference().slug],
        "outcome_item": lambda: ["motion", motion(1).pk],
        "carried_motion": lambda: [motion(2).pk],
    }
