"""Elections to count: a builder for the result tests; rows for the permission matrix and robustness tests.

``make_election`` builds an election by a committee whose voting closed an
hour ago, with accepted candidates and ballots cast (rankings given as
indices into the nominees), as the nomination and ballot pages would leave
it. The matrix's rows (made only when a URL asks for them), both elections
by the National Committee, on which the matrix's member Rosa sits, so she
is in their electorate, with national office as returning officer:

* ``counted_election``: the Standing Orders Committee's election (2 seats),
  counted from ballots cast off this system (three papers issued), counted
  once, not confirmed (the count page, the import form);
* ``unconfirmed_count``: that count (its confirm page);
* ``declared_election``: the Appeals Committee's election (2 seats),
  counted and confirmed (the result page, the ballots file);
* ``declared_count``: its confirmed count (the count sheet and its CSV).

``BLT_FOR_COUNTED`` is a BLT file the counted election would import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.utils import timezone

from committees.models import Committee
from committees.services import current_members
from conference.elections.models import (
    Ballot,
    BallotSource,
    Election,
    ElectionCount,
    Nomination,
    NominationStatus,
    VotedBy,
    VoterRecord,
    new_receipt_code,
)
from conference.elections.services import results
from members.models import Member
from tests.factories import UserFactory, make_member, seat

CANDIDATE_NAMES = ("Ada Adams", "Ben Brown", "Cai Carter")
BLT_FOR_COUNTED = '3 2\n2 1 2 0\n1 3 0\n0\n"Ada Adams"\n"Ben Brown"\n"Cai Carter"\n"Recount"\n'


def make_election(
    *,
    title: str,
    committee: Committee,
    electing_committee: Committee,
    returning_officer: Any,
    nominees: Sequence[Member],
    rankings: Sequence[Sequence[int]],
    seats: int,
    closes_at: dt.datetime | None = None,
) -> Election:
    """An election by ``electing_committee`` with ``nominees`` standing and ``rankings`` cast online."""
    closes_at = closes_at or timezone.now() - dt.timedelta(hours=1)
    today = timezone.localdate()
    election = Election.objects.create(
        title=title,
        committee=committee,
        electing_committee=electing_committee,
        seats=seats,
        nominations_open_at=closes_at - dt.timedelta(days=10),
        nominations_close_at=closes_at - dt.timedelta(days=8),
        voting_opens_at=closes_at - dt.timedelta(days=5),
        voting_closes_at=closes_at,
        returning_officer=returning_officer,
        term_starts_on=today + dt.timedelta(days=1),
        term_ends_on=today + dt.timedelta(days=730),
    )
    nominations = [
        Nomination.objects.create(
            election=election,
            nominee=nominee,
            proposer=nominee,
            ballot_name=nominee.full_name,
            status=NominationStatus.ACCEPTED,
        )
        for nominee in nominees
    ]
    for ranking in rankings:
        Ballot.objects.create(
            election=election,
            preferences=[nominations[i].pk for i in ranking],
            source=BallotSource.ONLINE,
            receipt=new_receipt_code(),
        )
    # Every ballot has its voter: the totals must add up (results.totals_refusal) for a count.
    for voter in electorate_of(electing_committee, nominees[0].branch, len(rankings)):
        VoterRecord.objects.create(election=election, member=voter, method=VotedBy.ONLINE)
    return election


def electorate_of(committee: Committee, branch: Any, size: int) -> list[Member]:
    """``size`` members sitting on ``committee``: those already on it, then new ones seated (made once)."""
    people = list(current_members(committee).order_by("pk"))
    number = 0
    while len(people) < size:
        number += 1
        email = f"voter{number}.{committee.slug}@example.org"
        if Member.objects.filter(user__email=email).exists():
            continue
        user = UserFactory(username=email.split("@")[0], email=email)
        person = make_member(branch, full_name=f"Voter {number} {committee.slug}", user=user)
        seat(committee, person)
        people.append(person)
    return people[:size]


def counted_off_system(election: Election, papers_issued: int) -> Election:
    """Declare ``election`` counted from ballots cast off this system, ``papers_issued`` paper ballots
    issued (to members of its electorate who have not voted)."""
    Election.objects.filter(pk=election.pk).update(counted_off_system=True)
    election.refresh_from_db()
    committee = election.electing_committee
    assert committee is not None
    voted = set(VoterRecord.objects.filter(election=election).values_list("member_id", flat=True))
    branch = Member.objects.filter(pk__in=voted).first() or Member.objects.filter(user__isnull=False).first()
    assert branch is not None
    people = electorate_of(committee, branch.branch, len(voted) + papers_issued)
    for person in [p for p in people if p.pk not in voted][:papers_issued]:
        VoterRecord.objects.create(election=election, member=person, method=VotedBy.PAPER)
    return election


def candidate_members(branch: Any, committee: Committee) -> list[Member]:
    """Ada, Ben and Cai: members sitting on ``committee`` (made once)."""
    people = []
    for name in CANDIDATE_NAMES:
        email = f"{name.split()[0].lower()}.results@example.org"
        person = Member.objects.filter(user__email=email).first()
        if person is None:
            user = UserFactory(username=email.split("@")[0], email=email)
            person = make_member(branch, full_name=name, user=user)
            seat(committee, person)
        people.append(person)
    return people


def _committee(name: str, slug: str) -> Committee:
    committee, _ = Committee.objects.get_or_create(slug=slug, defaults={"name": name, "kind": "national"})
    return committee


def _for_two_seats(
    title: str,
    committee: Committee,
    member: Member,
    nc: Committee,
    returning_officer: Any,
    *,
    rankings: list[list[int]],
) -> Election:
    """An election by ``nc`` of two to ``committee`` from Ada, Ben and Cai, closed with the ballots
    ``rankings`` (indexes into the three)."""
    return make_election(
        title=title,
        committee=committee,
        electing_committee=nc,
        returning_officer=returning_officer,
        nominees=candidate_members(member.branch, nc),
        rankings=rankings,
        seats=2,
    )


def counted_election(member: Member, nc: Committee, returning_officer: Any) -> Election:
    existing = Election.objects.filter(title="Standing Orders Committee 2094").first()
    if existing is not None:
        return existing
    election = _for_two_seats(
        "Standing Orders Committee 2094",
        _committee("Standing Orders Committee", "soc-results"),
        member,
        nc,
        returning_officer,
        rankings=[[0, 1], [0, 1], [0, 2], [1], [2, 1], [1, 0]],
    )
    # Declared counted off this system with three papers issued, so the import form takes BLT_FOR_COUNTED.
    counted_off_system(election, 3)
    results.run_count(actor=returning_officer, election=election, seed=7)
    return election


def declared_election(member: Member, nc: Committee, returning_officer: Any) -> Election:
    existing = Election.objects.filter(title="Appeals Committee 2094").first()
    if existing is not None:
        return existing
    election = _for_two_seats(
        "Appeals Committee 2094",
        _committee("Appeals Committee", "appeals-results"),
        member,
        nc,
        returning_officer,
        rankings=[[0, 1], [0, 2], [1, 0], [1], [2, 0], [0]],
    )
    count = results.run_count(actor=returning_officer, election=election, seed=11)
    return results.confirm_result(actor=returning_officer, election=election, count=count)


def result_objects(
    member: Member, nc: Committee, returning_officer: Any
) -> dict[str, Callable[[], list[Any]]]:
    def latest(election: Election) -> ElectionCount:
        count = results.latest_count(election)
        assert count is not None
        return count

    return {
        "counted_election": lambda: [counted_election(member, nc, returning_officer).pk],
        "unconfirmed_count": lambda: [latest(counted_election(member, nc, returning_officer)).pk],
        "declared_election": lambda: [declared_election(member, nc, returning_officer).pk],
        "declared_count": lambda: [latest(declared_election(member, nc, returning_officer)).pk],
    }


def register_conference_voters(conference: Any, election: Election, *, besides: Member) -> None:
    """Everyone with a voter record in ``election`` (but ``besides``) registered for ``conference`` and
    entitled by the CAC's exception: the stored flag alone gives no vote, the conference's rule does."""
    from conference.models import EligibilityException, Registration

    for voter in Member.objects.filter(pk__in=election.voter_records.values("member_id")).exclude(
        pk=besides.pk
    ):
        Registration.objects.create(
            conference=conference,
            member=voter,
            name=voter.full_name,
            email=voter.user.email,
            fee_band="waged",
            entitled=True,
        )
        EligibilityException.objects.create(
            conference=conference, member=voter, reason="Voted in this test: entitled"
        )
