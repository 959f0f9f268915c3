"""Two elections in spring 2027 and the people in them, for the nomination and election-page tests.

Built through the services at ``SETTING_UP`` (1 February 2027) on the
conference tests' 2027 conference (29-30 May, cut-off 1 March):

* the National Committee (elected at conference) and the Executive
  Committee (elected by the NC); Ann, Bob and Cat sit on the NC, paid up;
* ``nc_election``: the NC's 20 seats at the conference: nominations
  1 March 09:00 to 30 April 17:00, voting 29 May 09:00 to 30 May 16:00,
  terms from 30 May; Ann, Bob, Cat and Dora Delegate registered (entitled);
* ``ec_election``: the EC's 5 seats by the NC: nominations 1 to 20 March,
  voting 10 April 10:00 to 13:00, terms from 11 April; 100-word statements;
* Una Unpaid, a member who never paid (not in good standing), Alex, an
  applicant (not a member), and Rita, the returning officer of both (an
  account with no role).

Tests stand at ``NOMINATING`` (10 March 2027, both taking nominations),
``BETWEEN`` (25 March: the EC's nominations closed, voting not yet open),
``VOTING`` (10 April, 11:00: the EC's voting open) or ``AFTER`` (12 April).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from committees.models import Committee, CommitteeKind
from committees.services import start_term
from conference.elections.models import Election, Nomination
from conference.elections.services import nominations
from conference.models import Band, Conference
from conference.registration import services
from members.models import Branch, DuesRate, Member
from tests.conference.conftest import REGISTERING, paid_up_member
from tests.factories import LONDON_TZ, CommitteeFactory, UserFactory, make_application, make_member
from tests.helpers.clock import london_time

SETTING_UP = dt.datetime(2027, 2, 1, 12, tzinfo=LONDON_TZ)
NOMINATING = REGISTERING  # 10 March 2027, noon
BETWEEN = dt.datetime(2027, 3, 25, 12, tzinfo=LONDON_TZ)
VOTING = dt.datetime(2027, 4, 10, 11, tzinfo=LONDON_TZ)
AFTER = dt.datetime(2027, 4, 12, 12, tzinfo=LONDON_TZ)


def in_2027(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A London wall-clock moment in 2027, the year of the conference these elections are held at."""
    return london_time(2027, month, day, hour, minute)


@dataclass
class World:
    conference: Conference
    nc: Committee
    ec: Committee
    ann: Member
    bob: Member
    cat: Member
    dora: Member
    una: Member
    alex: Member
    ro: Any
    nc_election: Election
    ec_election: Election


def _details(
    title: str,
    committee: Committee,
    electorate: tuple[Conference | None, Committee | None],
    seats: int,
    closings: tuple[dt.datetime, dt.datetime, dt.datetime],
    word_limit: int,
    ro: Any,
    term: tuple[dt.date, dt.date | None],
) -> dict[str, Any]:
    """An election's set-up fields: nominations open on 1 March 2027 at 09:00; ``electorate`` is
    (conference, electing committee); ``closings`` are when nominations close, voting opens and voting
    closes; ``term`` is when the term starts and ends."""
    conference, electing_committee = electorate
    nominations_close_at, voting_opens_at, voting_closes_at = closings
    term_starts_on, term_ends_on = term
    return {
        "title": title,
        "committee": committee,
        "conference": conference,
        "electing_committee": electing_committee,
        "present_only": False,
        "seats": seats,
        "nominations_open_at": in_2027(3, 1, 9),
        "nominations_close_at": nominations_close_at,
        "voting_opens_at": voting_opens_at,
        "voting_closes_at": voting_closes_at,
        "statement_word_limit": word_limit,
        "self_nomination": True,
        "returning_officer": ro,
        "term_starts_on": term_starts_on,
        "term_ends_on": term_ends_on,
    }


def nc_details(at_conference: Conference, nc: Committee, ro: Any, **changes: Any) -> dict[str, Any]:
    closings = (in_2027(4, 30, 17), in_2027(5, 29, 9), in_2027(5, 30, 16))
    term = (dt.date(2027, 5, 30), None)
    return (
        _details("National Committee 2027", nc, (at_conference, None), 20, closings, 250, ro, term) | changes
    )


def ec_details(nc: Committee, ec: Committee, ro: Any, **changes: Any) -> dict[str, Any]:
    closings = (in_2027(3, 20, 17), in_2027(4, 10, 10), in_2027(4, 10, 13))
    term = (dt.date(2027, 4, 11), dt.date(2028, 5, 29))
    return _details("Executive Committee 2027", ec, (None, nc), 5, closings, 100, ro, term) | changes


def build(conference: Conference, london: Branch, delegate: Member) -> World:
    nc = CommitteeFactory.create(name="National Committee", slug="nc", kind=CommitteeKind.NATIONAL)
    ec = CommitteeFactory.create(
        name="Executive Committee", slug="ec", kind=CommitteeKind.EXECUTIVE, elected_by=nc
    )
    ann, bob, cat = (paid_up_member(london, name) for name in ("Ann Able", "Bob Baker", "Cat Cole"))
    for person in (ann, bob, cat):
        start_term(
            actor=None,
            committee=nc,
            member=person,
            role="member",
            starts_on=dt.date(2026, 6, 1),
            basis="conference",
        )
    una = make_member(
        london,
        joined_on=dt.date(2026, 1, 5),
        full_name="Una Unpaid",
        user=UserFactory(username="una", email="una@example.org"),
    )
    alex = make_application(london, user=UserFactory(username="alex", email="alex@example.org")).member
    ro = UserFactory(username="rita", email="rita.returning@example.org")
    with time_machine.travel(SETTING_UP, tick=False):
        nc_election = nominations.create_election(actor=None, fields=nc_details(conference, nc, ro))
        ec_election = nominations.create_election(actor=None, fields=ec_details(nc, ec, ro))
    with time_machine.travel(REGISTERING, tick=False):
        for person in (ann, bob, cat, delegate):
            services.register(member=person, conference=conference, fee_band=Band.WAGED)
    return World(conference, nc, ec, ann, bob, cat, delegate, una, alex, ro, nc_election, ec_election)


def nominate(
    world: World, election: Election, nominee: Member, proposer: Member, seconder: Member
) -> Nomination:
    """A nomination made at ``NOMINATING``."""
    with time_machine.travel(NOMINATING, tick=False):
        return nominations.nominate(
            actor=proposer.user, election=election, nominee=nominee, seconder=seconder
        )


def candidate(election: Election, nominee: Member, statement: str = "I will organise.") -> Nomination:
    """``nominee`` nominates themself and accepts, at ``NOMINATING``."""
    with time_machine.travel(NOMINATING, tick=False):
        made = nominations.nominate(actor=nominee.user, election=election, nominee=nominee)
        return nominations.accept_nomination(
            token=made.token, statement=statement, ballot_name=nominee.full_name
        )


@pytest.fixture
def world(conference: Conference, london: Branch, dues_rates: dict[str, DuesRate], delegate: Member) -> World:
    """The world of the election tests, built on the 2027 conference (import it with ``as world``)."""
    return build(conference, london, delegate)


@pytest.fixture
def nominating() -> Iterator[dt.datetime]:
    """Stand in the nominating window."""
    with time_machine.travel(NOMINATING, tick=False):
        yield NOMINATING
