"""Rows for the members', setup, entitlement and payments pages in the permission matrix and the
robustness tests.

Made when a URL first asks for them (once per test), through the services,
at the real time those suites run at: two conferences far enough ahead that
other helpers' rows do not meet them (their years are of their own), each
taking registrations now with an eligibility cut-off yesterday (so the
entitlement snapshot may be taken, and the member, who paid five days ago,
is in good standing on it).

* ``open_conference``: the member (Rosa Lund) is not registered;
* ``registered_conference``: Rosa registered (waged, £30, nothing paid yet),
  so it lists her as owing; ``own_registration`` is her registration.
* ``delegates_conference``: a conference voting by branch delegates, its
  snapshot taken: London (Rosa and Della Delegate, both in good standing) is
  entitled to 2 + 2 ÷ 10 = 2 delegates and has chosen Della, so Rosa can
  still be chosen; ``london_delegates`` is London's page there and
  ``london_delegate`` Della's row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from conference.models import Band, Conference, Delegate, FeeBand, Registration, VotingBasis
from conference.registration import services
from members.models import Member, Role
from tests.factories import UserFactory, make_member, make_officer, pay

# Years of their own, so these conferences never meet another part's rows.
OPEN_YEAR_AHEAD = 20
REGISTERED_YEAR_AHEAD = 21
DELEGATES_YEAR_AHEAD = 22
FEES = {Band.WAGED: "30.00", Band.LOW_WAGED: "15.00", Band.UNWAGED: "5.00", Band.SOLIDARITY: "50.00"}


def conference_taking_registrations(year: int, *, title: str = "") -> Conference:
    """A two-day conference in London 60 days ahead, registration open from yesterday for 50 days."""
    today = timezone.localdate()
    now = timezone.now()
    conference, created = Conference.objects.get_or_create(
        year=year,
        defaults={
            "title": title or f"Annual conference {year}",
            "slug": str(year),
            "starts_on": today + dt.timedelta(days=60),
            "ends_on": today + dt.timedelta(days=61),
            "venue": "Conway Hall",
            "address": "25 Red Lion Square",
            "city": "London",
            "registration_opens_at": now - dt.timedelta(days=1),
            "registration_closes_at": now + dt.timedelta(days=50),
            "eligibility_cutoff": today - dt.timedelta(days=1),
        },
    )
    if created:
        for band, amount in FEES.items():
            FeeBand.objects.create(conference=conference, band=band, amount=Decimal(amount))
    return conference


def register_objects(member: Member) -> dict[str, Callable[[], list[Any]]]:
    made: dict[str, Any] = {}

    def open_conference() -> Conference:
        if "open" not in made:
            made["open"] = conference_taking_registrations(timezone.localdate().year + OPEN_YEAR_AHEAD)
        return made["open"]

    def registration() -> Registration:
        if "registration" not in made:
            conference = conference_taking_registrations(timezone.localdate().year + REGISTERED_YEAR_AHEAD)
            made["registration"] = services.register(
                member=member, conference=conference, fee_band=Band.WAGED, dietary_needs="Vegan"
            )
        return made["registration"]

    def delegate() -> Delegate:
        if "delegate" not in made:
            conference = conference_taking_registrations(timezone.localdate().year + DELEGATES_YEAR_AHEAD)
            conference.voting_basis = VotingBasis.DELEGATES
            conference.delegate_base = 2
            conference.save(update_fields=["voting_basis", "delegate_base"])
            today = timezone.localdate()
            della = make_member(
                member.branch,
                joined_on=today - dt.timedelta(days=200),
                user=UserFactory(username="della", email="della@example.org"),
                full_name="Della Delegate",
            )
            pay(della, "130.00", paid_on=today - dt.timedelta(days=5))
            cac = make_officer(Role.CAC, email="delegates.cac@example.org")
            services.take_snapshot(actor=cac, conference=conference)
            made["delegate"] = services.choose_delegate(
                actor=cac, conference=conference, branch=member.branch, member=della
            )
        return made["delegate"]

    return {
        "delegates_conference": lambda: [delegate().conference.slug],
        "london_delegates": lambda: [delegate().conference.slug, delegate().branch_id],
        "london_delegate": lambda: [delegate().conference.slug, delegate().branch_id, delegate().pk],
        "open_conference": lambda: [open_conference().slug],
        "registered_conference": lambda: [registration().conference.slug],
        "own_registration": lambda: [registration().pk],
    }
