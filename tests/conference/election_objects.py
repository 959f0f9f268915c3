"""Rows for the election and nomination pages in the permission matrix and the robustness tests.

Those suites run at the real time, so every window is set from *now*. The
matrix's member, Rosa, sits on the National Committee (the ``nc_meeting``
fixture's); three more NC members stand or second here: Nina Nominee, Sam
Second and Tom Token. The rows, made through the services and only when a
URL asks for them:

* ``election_setup``: no row for the URL (it takes no argument), but a
  conference two months ahead of its own (year 2097, slug
  ``election-objects``), which the set-up form offers first;
* ``ec_election``: the Executive Committee's election by the NC, taking
  nominations now (opened a day ago, closing in ten days, voting from day
  twelve to day fourteen), its returning officer an account with no role;
  Rosa is in its electorate, so nominates (Nina, seconded by Sam, in the
  robustness baseline), and the national office sees it; to anyone else it
  is a 404;
* ``coming_election``: the NC's election at that conference, nominations
  opening in five days, so every detail may still change (the national
  office's edit form; Rosa, a member, may see it but not change it);
* ``nomination_token``: the link of Tom's nomination (by Sam, seconded by
  Nina), awaiting his answer;
* ``own_nomination``: Rosa's self-nomination, accepted, with a statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from committees.models import Committee, CommitteeKind
from conference.elections.models import Election, Nomination
from conference.elections.services import nominations
from conference.models import Conference
from members.models import Member
from tests.conference.programme_objects import programme_conference
from tests.factories import UserFactory, make_member, seat

SLUG = "election-objects"
YEAR = 2097
NOMINEE_EMAIL = "nina.nominee@example.org"
SECONDER_EMAIL = "sam.second@example.org"
TOKEN_NOMINEE_EMAIL = "tom.token@example.org"
RETURNING_OFFICER_EMAIL = "returning.officer@example.org"


def _at(days: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def nc_member(member: Member, nc: Committee, email: str) -> Member:
    """A London member sitting on the NC (made once)."""
    existing = Member.objects.filter(user__email=email).select_related("user").first()
    if existing is not None:
        return existing
    name = email.split("@")[0].replace(".", " ").title()
    person = make_member(
        member.branch, full_name=name, user=UserFactory(username=email.split("@")[0], email=email)
    )
    seat(nc, person)
    return Member.objects.select_related("user").get(pk=person.pk)


def nc_secretary(member: Member, nc: Committee) -> Any:
    """The account of Sid Secretary, a London member sitting on the NC as its secretary (made once): who
    appoints the returning officer of an election the NC holds."""
    from committees.models import TermRole
    from committees.services import start_term
    from tests.factories import ROLES_FROM

    email = "nc.secretary@example.org"
    existing = Member.objects.filter(user__email=email).select_related("user").first()
    if existing is not None:
        return existing.user
    secretary = make_member(member.branch, full_name="Sid Secretary", user=UserFactory.create(email=email))
    start_term(
        actor=None,
        committee=nc,
        member=secretary,
        role=TermRole.SECRETARY,
        starts_on=ROLES_FROM,
        basis="conference",
    )
    return secretary.user


def returning_officer() -> Any:
    from django.contrib.auth import get_user_model

    existing = get_user_model().objects.filter(email=RETURNING_OFFICER_EMAIL).first()
    return existing or UserFactory(username="returning.officer", email=RETURNING_OFFICER_EMAIL)


def election_conference() -> Conference:
    return programme_conference(SLUG, YEAR)


def _set_up(
    title: str,
    committee: Committee,
    electorate: dict[str, Any],
    *,
    seats: int,
    hours: tuple[float, float, float, float],
    word_limit: int,
    term_starts_on: dt.date,
) -> Election:
    """An election set up through the service, self-nomination allowed, its windows ``hours`` from now
    (nominations open, nominations close, voting opens, voting closes); ``electorate`` says who elects:
    ``{"conference": ...}`` or ``{"electing_committee": ...}``."""
    nominations_open, nominations_close, voting_opens, voting_closes = hours
    return nominations.create_election(
        actor=None,
        fields={
            "title": title,
            "committee": committee,
            **electorate,
            "seats": seats,
            "nominations_open_at": _at(nominations_open),
            "nominations_close_at": _at(nominations_close),
            "voting_opens_at": _at(voting_opens),
            "voting_closes_at": _at(voting_closes),
            "statement_word_limit": word_limit,
            "self_nomination": True,
            "returning_officer": returning_officer(),
            "term_starts_on": term_starts_on,
            "term_ends_on": None,
        },
    )


def ec_election(member: Member, nc: Committee) -> Election:
    existing = Election.objects.filter(title="Executive Committee (election objects)").first()
    if existing is not None:
        return existing
    for email in (NOMINEE_EMAIL, SECONDER_EMAIL, TOKEN_NOMINEE_EMAIL):
        nc_member(member, nc, email)
    ec, _ = Committee.objects.get_or_create(
        slug="ec-elections",
        defaults={"name": "Executive Committee", "kind": CommitteeKind.EXECUTIVE, "elected_by": nc},
    )
    election = _set_up(
        "Executive Committee (election objects)",
        ec,
        {"electing_committee": nc},
        seats=3,
        hours=(10, 20, 22, 24),
        word_limit=100,
        term_starts_on=timezone.localdate(_at(25)),
    )
    # Opened a day ago: the set-up service takes windows to come, so the opening is moved back.
    Election.objects.filter(pk=election.pk).update(
        nominations_open_at=_at(-1),
        nominations_close_at=_at(10),
        voting_opens_at=_at(12),
        voting_closes_at=_at(14),
        term_starts_on=timezone.localdate(_at(15)),
    )
    election.refresh_from_db()
    return election


def coming_election(nc: Committee) -> Election:
    existing = Election.objects.filter(title="National Committee (election objects)").first()
    if existing is not None:
        return existing
    conference = election_conference()
    return _set_up(
        "National Committee (election objects)",
        nc,
        {"conference": conference},
        seats=20,
        hours=(5, 40, 60, 60.3),
        word_limit=250,
        term_starts_on=conference.ends_on,
    )


def token_nomination(member: Member, nc: Committee) -> Nomination:
    election = ec_election(member, nc)
    tom = nc_member(member, nc, TOKEN_NOMINEE_EMAIL)
    existing = Nomination.objects.filter(election=election, nominee=tom).first()
    if existing is not None:
        return existing
    sam = nc_member(member, nc, SECONDER_EMAIL)
    return nominations.nominate(
        actor=sam.user, election=election, nominee=tom, seconder=nc_member(member, nc, NOMINEE_EMAIL)
    )


def own_nomination(member: Member, nc: Committee) -> Nomination:
    election = ec_election(member, nc)
    existing = Nomination.objects.filter(election=election, nominee=member).first()
    if existing is not None:
        return existing
    nomination = nominations.nominate(actor=member.user, election=election, nominee=member)
    return nominations.accept_nomination(
        token=nomination.token, statement="Organise the unorganised.", ballot_name=member.full_name
    )


def election_setup() -> list[Any]:
    """Nothing for the URL, which takes no argument; the conference the set-up form offers first."""
    election_conference()
    return []


def election_objects(member: Member, nc: Committee) -> dict[str, Callable[[], list[Any]]]:
    return {
        "election_setup": election_setup,
        "ec_election": lambda: [ec_election(member, nc).pk],
        "coming_election": lambda: [coming_election(nc).pk],
        "nomination_token": lambda: [token_nomination(member, nc).token],
        "own_nomination": lambda: [own_nomination(member, nc).pk],
    }
