"""Rows for the ballot and teller pages in the permission matrix and the robustness tests.

Those suites run at the real time, so the windows are set from *now*. Both
elections are the Control Commission's, elected by the National Committee
(the ``nc_meeting`` fixture's), on which the matrix's member Rosa sits, so
she is in their electorate; their returning officer is the account the caller names
and a teller account with no other role (``teller@example.org``) their
teller. Ann Ayres, Bob Boyd and Cat Cross, NC members too, stand. The
rows, made only when a URL asks for them:

* ``ballot_election``: voting opened a day ago and closes in two days; Ann
  was issued a paper ballot (so there is a paper 1 to enter); Rosa has not
  voted (her ballot page, her receipt page, the tellers' pages);
* ``ballot_teller``: the teller's appointment;
* ``ballot_issue_member``: Rosa, to whom a paper ballot may be issued;
* ``entry_election``: voting closed an hour ago; Ann was issued a paper
  while it was open, and nobody has entered it yet (papers are entered
  only once voting has closed), so its teller may
  enter paper 1;
* ``papers_election``: voting closed an hour ago; Ann's paper was entered
  alike by both tellers, so the returning
  officer may accept the papers;
* ``name_request``: in an election whose nominations are open, Cat asks to
  stand as "Catherine Cross", for the returning officer to decide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from committees.models import Committee, CommitteeKind
from conference.elections.models import Election, Nomination, NominationStatus, Teller
from conference.elections.services import ballots, nominations
from members.models import Member
from tests.factories import UserFactory, make_member, seat

CANDIDATES = ("Ann Ayres", "Bob Boyd", "Cat Cross")
TELLER_EMAIL = "teller@example.org"
SECOND_TELLER_EMAIL = "second.teller@example.org"
OPEN_TITLE = "Control Commission (ballot objects)"
CLOSED_TITLE = "Control Commission by-election (ballot objects)"
ENTRY_TITLE = "Control Commission casual vacancy (ballot objects)"
NAMES_TITLE = "Control Commission re-run (ballot objects)"


def _at(hours: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def nc_candidates(member: Member, nc: Committee) -> list[Member]:
    """Ann, Bob and Cat, London members sitting on the NC (made once)."""
    people = []
    for name in CANDIDATES:
        email = f"{name.split()[0].lower()}.ballots@example.org"
        person = Member.objects.filter(user__email=email).first()
        if person is None:
            person = make_member(
                member.branch, full_name=name, user=UserFactory(username=email.split("@")[0], email=email)
            )
            seat(nc, person)
        people.append(person)
    return people


def teller_account(email: str) -> Any:
    """The account with this address (made once): tellers hold no other role."""
    existing = get_user_model().objects.filter(email=email).first()
    return existing or UserFactory(username=email.split("@")[0], email=email)


def make_ballot_election(
    *,
    title: str,
    nc: Committee,
    returning_officer: Any,
    nominees: list[Member],
    opens_at: dt.datetime,
    closes_at: dt.datetime,
) -> Election:
    """The Control Commission's election by ``nc``, ``nominees`` standing (accepted), voting as given."""
    commission, _ = Committee.objects.get_or_create(
        slug="control-commission", defaults={"name": "Control Commission", "kind": CommitteeKind.OTHER}
    )
    election = Election.objects.create(
        title=title,
        committee=commission,
        electing_committee=nc,
        seats=2,
        nominations_open_at=opens_at - dt.timedelta(days=10),
        nominations_close_at=opens_at - dt.timedelta(days=2),
        voting_opens_at=opens_at,
        voting_closes_at=closes_at,
        returning_officer=returning_officer,
        term_starts_on=timezone.localdate(closes_at) + dt.timedelta(days=7),
    )
    for nominee in nominees:
        Nomination.objects.create(
            election=election,
            nominee=nominee,
            proposer=nominee,
            ballot_name=nominee.full_name,
            sort_name=nominations.sort_name_for(nominee.full_name),
            status=NominationStatus.ACCEPTED,
        )
    return election


def _with_three_candidates(
    title: str, member: Member, nc: Committee, returning_officer: Any, *, opens: int, closes: int
) -> tuple[Election, Member]:
    """An NC election whose voting opens and closes ``opens`` and ``closes`` hours from now, with the NC's
    three candidates; returns it and the first candidate (Ann)."""
    ann, bob, cat = nc_candidates(member, nc)
    election = make_ballot_election(
        title=title,
        nc=nc,
        returning_officer=returning_officer,
        nominees=[ann, bob, cat],
        opens_at=_at(opens),
        closes_at=_at(closes),
    )
    return election, ann


def ballot_election(member: Member, nc: Committee, returning_officer: Any) -> Election:
    existing = Election.objects.filter(title=OPEN_TITLE).first()
    if existing is not None:
        return existing
    election, ann = _with_three_candidates(OPEN_TITLE, member, nc, returning_officer, opens=-24, closes=48)
    ballots.appoint_teller(actor=returning_officer, election=election, user=teller_account(TELLER_EMAIL))
    ballots.issue_paper_ballot(actor=returning_officer, election=election, member=ann)
    return election


def entry_election(member: Member, nc: Committee, returning_officer: Any) -> Election:
    existing = Election.objects.filter(title=ENTRY_TITLE).first()
    if existing is not None:
        return existing
    election, ann = _with_three_candidates(ENTRY_TITLE, member, nc, returning_officer, opens=-48, closes=-1)
    ballots.appoint_teller(actor=returning_officer, election=election, user=teller_account(TELLER_EMAIL))
    with time_machine.travel(_at(-2), tick=False):  # while voting was open
        ballots.issue_paper_ballot(actor=returning_officer, election=election, member=ann)
    return election


def name_request(member: Member, nc: Committee, returning_officer: Any) -> Nomination:
    found = Nomination.objects.filter(election__title=NAMES_TITLE, nominee__full_name="Cat Cross").first()
    if found is not None:
        return found
    election, _ = _with_three_candidates(NAMES_TITLE, member, nc, returning_officer, opens=72, closes=96)
    found = Nomination.objects.get(election=election, nominee__full_name="Cat Cross")
    found.requested_ballot_name = "Catherine Cross"
    found.save(update_fields=["requested_ballot_name"])
    return found


def papers_election(member: Member, nc: Committee, returning_officer: Any) -> Election:
    existing = Election.objects.filter(title=CLOSED_TITLE).first()
    if existing is not None:
        return existing
    election, ann = _with_three_candidates(CLOSED_TITLE, member, nc, returning_officer, opens=-48, closes=-1)
    tellers = [teller_account(TELLER_EMAIL), teller_account(SECOND_TELLER_EMAIL)]
    for teller in tellers:
        ballots.appoint_teller(actor=returning_officer, election=election, user=teller)
    first, second = sorted(Nomination.objects.filter(election=election), key=lambda n: n.ballot_name)[:2]
    with time_machine.travel(_at(-2), tick=False):  # while voting was open
        ballots.issue_paper_ballot(actor=returning_officer, election=election, member=ann)
    for teller in tellers:
        ballots.enter_paper(actor=teller, election=election, paper_number=1, ranking=[second.pk, first.pk])
    return election


def ballot_objects(
    member: Member, nc: Committee, returning_officer: Any
) -> dict[str, Callable[[], list[Any]]]:
    def teller() -> list[Any]:
        election = ballot_election(member, nc, returning_officer)
        return [election.pk, Teller.objects.get(election=election, user__email=TELLER_EMAIL).pk]

    return {
        "ballot_election": lambda: [ballot_election(member, nc, returning_officer).pk],
        "ballot_teller": teller,
        "ballot_issue_member": lambda: [ballot_election(member, nc, returning_officer).pk, member.pk],
        "papers_election": lambda: [papers_election(member, nc, returning_officer).pk],
        "entry_election": lambda: [entry_election(member, nc, returning_officer).pk],
        "name_request": lambda: [name_request(member, nc, returning_officer).pk],
    }
