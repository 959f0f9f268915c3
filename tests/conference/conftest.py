"""The 2027 annual conference, shared by the conference tests.

Saturday 29 and Sunday 30 May 2027 in London; registration from 10 January
to 15 May 2027; eligibility cut-off 1 March 2027. Fee bands £30 waged, £15
low-waged, £5 unwaged, £50 solidarity. Tests stand at ``REGISTERING`` (10
March 2027) unless they say otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from conference.models import Band, Conference
from members.models import Branch, DuesRate, Member, Role
from tests.factories import LONDON_TZ, ConferenceFactory, UserFactory, make_member, make_officer, pay

CUTOFF = dt.date(2027, 3, 1)
REGISTERING = dt.datetime(2027, 3, 10, 12, tzinfo=LONDON_TZ)


@pytest.fixture
def registering() -> Iterator[dt.datetime]:
    with time_machine.travel(REGISTERING, tick=False):
        yield REGISTERING


@pytest.fixture
def conference(db: None) -> Conference:
    return ConferenceFactory.create(
        year=2027,
        title="Annual conference 2027",
        starts_on=dt.date(2027, 5, 29),
        address="25 Red Lion Square",
        registration_opens_at=dt.datetime(2027, 1, 10, 9, tzinfo=LONDON_TZ),
        registration_closes_at=dt.datetime(2027, 5, 15, 23, 59, tzinfo=LONDON_TZ),
        eligibility_cutoff=CUTOFF,
        fees={Band.WAGED: "30.00", Band.LOW_WAGED: "15.00", Band.UNWAGED: "5.00", Band.SOLIDARITY: "50.00"},
    )


def the_next_conference(conference: Conference, *, a_year_on: bool = False) -> Conference:
    """The 2028 conference (27 and 28 May, Conway Hall), with ``conference``'s registration window and
    cut-off, or those moved on a year (366 days) with ``a_year_on``."""
    shift = dt.timedelta(days=366 if a_year_on else 0)
    return ConferenceFactory.create(
        year=2028,
        title="Annual conference 2028",
        starts_on=dt.date(2028, 5, 27),
        registration_opens_at=conference.registration_opens_at + shift,
        registration_closes_at=conference.registration_closes_at + shift,
        eligibility_cutoff=conference.eligibility_cutoff + shift,
    )


def paid_up_member(branch: Branch, name: str, *, joined_on: dt.date = dt.date(2026, 1, 5)) -> Member:
    """A member admitted in January 2026 who pays two years ahead at once (in good standing throughout)."""
    username = name.lower().replace(" ", ".")
    member = make_member(
        branch,
        joined_on=joined_on,
        full_name=name,
        user=UserFactory(username=username, email=f"{username}@example.org"),
    )
    pay(member, "240.00", paid_on=joined_on)
    return Member.objects.select_related("user", "branch").get(pk=member.pk)


@pytest.fixture
def delegate(london: Branch, dues_rates: dict[str, DuesRate]) -> Member:
    """Dora Delegate, London, paid up to January 2028."""
    return paid_up_member(london, "Dora Delegate")


@pytest.fixture
def cac(db: None) -> Any:
    return make_officer(Role.CAC, email="cac@example.org")
