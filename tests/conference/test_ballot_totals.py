"""Ballot totals that add up, or no result (issue 14, item 2).

No count and no declaration unless the ballot papers = online voter records
+ accepted paper ballots (+ the imported papers, in an election declared,
before voting opened, as counted from ballots cast off this system, capped by
the papers issued), and voter records <= the electorate. Every import and
every recount is kept and shown with the result.

The election is the Executive Committee's by the National Committee (Rosa,
and Ada, Ben, Cai and Dee who stand), as in ``test_results``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from committees.models import Committee
from conference.elections.models import (
    Ballot,
    BallotImport,
    BallotSource,
    Election,
    ElectionCount,
    VotedBy,
    VoterRecord,
)
from conference.elections.services import ballots, results
from conference.elections.services.elections import ElectionError
from members.models import Member, Role
from tests.conference.result_objects import counted_off_system, electorate_of, make_election
from tests.factories import CommitteeFactory, UserFactory, make_member, make_officer, national_committee, seat

NAMES = ("Ada Adams", "Ben Brown", "Cai Carter", "Dee Doyle")
CANDIDATES = '"Ada Adams"\n"Ben Brown"\n"Cai Carter"\n"Dee Doyle"\n"Paper count"\n'


@pytest.fixture
def nc(member: Member) -> Committee:
    return national_committee(member)


@pytest.fixture
def ec(db: None) -> Committee:
    return CommitteeFactory.create(name="Executive Committee", slug="ec", kind="executive")


@pytest.fixture
def standing(member: Member, nc: Committee) -> list[Member]:
    people = []
    for name in NAMES:
        first = name.split()[0].lower()
        person = make_member(
            member.branch,
            full_name=name,
            user=UserFactory.create(username=first, email=f"{first}@example.org"),
        )
        seat(nc, person)
        people.append(person)
    return people


@pytest.fixture
def returning_officer(db: None) -> Any:
    return UserFactory.create(username="ro", email="ro@example.org")


def _election(
    nc: Committee, ec: Committee, standing: list[Member], ro: Any, rankings: list[list[int]], **kw: Any
) -> Election:
    return make_election(
        title="Executive Committee 2027",
        committee=ec,
        electing_committee=nc,
        returning_officer=ro,
        nominees=standing,
        rankings=rankings,
        seats=2,
        **kw,
    )


def _blt(papers: int) -> str:
    return f"4 2\n{papers} 1 2 0\n0\n{CANDIDATES}"


# The attack: 509 papers from 8 voters -------------------------------------------------------------------
def test_a_20_member_electorate_with_8_voters_is_never_counted_as_509_ballot_papers(
    nc: Committee, ec: Committee, standing: list[Member], returning_officer: Any, member: Member
) -> None:
    """Failed on 25054e9: the RO imported a BLT file of 501 papers after voting closed, and the count read
    509 ballot papers from 8 voters and was confirmed."""
    electorate_of(nc, member.branch, 20)
    election = _election(nc, ec, standing, returning_officer, [[0, 1]] * 8)

    with pytest.raises(ElectionError, match="not declared, before voting opened"):
        results.import_blt(actor=returning_officer, election=election, text=_blt(501))
    # However the papers got in, they are not counted.
    ada, ben = (n.pk for n in election.nominations.order_by("ballot_name")[:2])
    Ballot.objects.bulk_create(
        Ballot(election=election, preferences=[ada, ben], source=BallotSource.PAPER) for _ in range(501)
    )
    with pytest.raises(ElectionError) as refused:
        results.run_count(actor=returning_officer, election=election, seed=1)

    assert str(refused.value) == (
        "There are 509 ballot papers but 8 online voter records + 0 accepted paper ballots = 8: "
        "the totals do not add up, so there is no count and no result."
    )
    assert not ElectionCount.objects.filter(election=election).exists()


def test_a_count_is_not_confirmed_when_the_totals_stopped_adding_up_after_it(
    nc: Committee, ec: Committee, standing: list[Member], returning_officer: Any
) -> None:
    """Failed on 25054e9: confirming checked only that the ballots had not changed since the count."""
    election = _election(nc, ec, standing, returning_officer, [[0, 1], [1, 2], [2], [3, 0]])
    count = results.run_count(actor=returning_officer, election=election, seed=1)
    VoterRecord.objects.filter(election=election).order_by("pk").first().delete()  # type: ignore[union-attr]

    with pytest.raises(ElectionError, match="There are 4 ballot papers but 3 online voter records"):
        results.confirm_result(actor=returning_officer, election=election, count=count)
    election.refresh_from_db()
    assert election.confirmed_at is None


def test_more_voter_records_than_the_electorate_gives_no_count(
    nc: Committee, ec: Committee, standing: list[Member], returning_officer: Any, london: Any
) -> None:
    """Failed on 25054e9: nothing compared who voted with who could."""
    election = _election(nc, ec, standing, returning_officer, [[0], [1], [2], [3], [0, 1]])
    outsider = make_member(
        london, full_name="Not On NC", user=UserFactory.create(username="x", email="x@example.org")
    )
    VoterRecord.objects.create(election=election, member=outsider, method=VotedBy.ONLINE)
    first = election.nominations.order_by("pk").values_list("pk", flat=True)[0]
    Ballot.objects.create(election=election, preferences=[first], source=BallotSource.ONLINE, receipt="R1")

    with pytest.raises(
        ElectionError, match="6 members are recorded as having voted but the electorate has 5"
    ):
        results.run_count(actor=returning_officer, election=election, seed=1)


# Counted off this system ---------------------------------------------------------------------------------
def test_only_the_returning_officer_declares_an_election_counted_off_system_and_only_before_voting_opens(
    nc: Committee, ec: Committee, standing: list[Member], returning_officer: Any, national_office: Any
) -> None:
    closes = timezone.now() + dt.timedelta(days=10)
    election = _election(nc, ec, standing, returning_officer, [], closes_at=closes)
    with time_machine.travel(election.voting_opens_at - dt.timedelta(hours=1), tick=False):
        with pytest.raises(ElectionError, match="returning officer"):
            results.declare_counted_off_system(actor=national_office, election=election, off_system=True)
        results.declare_counted_off_system(actor=returning_officer, election=election, off_system=True)
    with (
        time_machine.travel(election.voting_opens_at, tick=False),
        pytest.raises(ElectionError, match="Voting has opened"),
    ):
        results.declare_counted_off_system(actor=returning_officer, election=election, off_system=False)
    election.refresh_from_db()
    assert election.counted_off_system


def test_an_import_with_more_papers_than_were_issued_is_refused_naming_both(
    nc: Committee, ec: Committee, standing: list[Member], returning_officer: Any
) -> None:
    election = counted_off_system(_election(nc, ec, standing, returning_officer, []), 3)

    with pytest.raises(ElectionError) as refused:
        results.import_blt(actor=returning_officer, election=election, text=_blt(5))

    assert str(refused.value) == (
        "The file holds 5 ballot papers but only 3 ballot papers were recorded as issued: "
        "nothing was imported."
    )
    assert not Ballot.objects.filter(election=election).exists() and not BallotImport.objects.exists()
    assert results.import_blt(actor=returning_officer, election=election, text=_blt(3)) == 3


def test_every_import_and_recount_is_kept_and_shown_with_the_result(
    client: Client,
    nc: Committee,
    ec: Committee,
    standing: list[Member],
    returning_officer: Any,
    member: Member,
) -> None:
    """Failed on 25054e9: a second import deleted the first's ballots and only the audit trail (which
    no elector reads) kept its hash; the result page showed neither the import nor the recount."""
    election = counted_off_system(_election(nc, ec, standing, returning_officer, []), 4)
    results.import_blt(actor=returning_officer, election=election, text=_blt(4))
    with pytest.raises(ElectionError, match="Say why"):
        results.import_blt(actor=returning_officer, election=election, text=_blt(3), replace=True)
    results.import_blt(
        actor=returning_officer, election=election, text=_blt(3), replace=True, reason="one paper was spoilt"
    )
    first = results.run_count(actor=returning_officer, election=election, seed=1)
    with pytest.raises(ElectionError, match="say why you are counting again"):
        results.run_count(actor=returning_officer, election=election, seed=2)
    second = results.run_count(actor=returning_officer, election=election, seed=2, reason="a candidate asked")
    results.confirm_result(actor=returning_officer, election=election, count=second)

    kept = list(BallotImport.objects.filter(election=election).order_by("pk"))
    assert [(i.papers, i.replaced_reason) for i in kept] == [(4, "one paper was spoilt"), (3, "")]
    assert kept[0].replaced_by == kept[1] and kept[1].replaced_by is None
    assert (first.ballots, second.ballots) == (3, 3)
    client.force_login(member.user)
    page = client.get(reverse("conference:result_detail", args=[election.pk])).content.decode()
    assert "Count 2 of 2" in page and "Count 1 of 2" in page
    assert "replaced because a candidate asked" in page
    assert "Import 1 of 2" in page and "replaced because one paper was spoilt" in page
    assert kept[0].sha256 in page and kept[1].sha256 in page


# The property: the declared total is the voters', and only the RO moves it ---------------------------------
class _Rollback(Exception):
    pass


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    online=st.integers(min_value=0, max_value=4),
    paper=st.integers(min_value=0, max_value=3),
    spoilt=st.integers(min_value=0, max_value=1),
    mode=st.sampled_from(["online", "paper", "mixed"]),
    seed=st.integers(min_value=0, max_value=10**6),
)
def test_the_declared_count_is_the_voter_records_plus_accepted_papers_and_nobody_else_moves_it(
    nc: Committee,
    ec: Committee,
    standing: list[Member],
    returning_officer: Any,
    national_office: Any,
    online: int,
    paper: int,
    spoilt: int,
    mode: str,
    seed: int,
) -> None:
    online = 0 if mode == "paper" else max(online, 1)
    paper = 0 if mode == "online" else max(paper, 1)
    spoilt = min(spoilt, paper if online else paper - 1)  # a contested count needs one ballot
    try:
        with transaction.atomic():
            _declare_and_attack(
                nc, ec, standing, returning_officer, national_office, online, paper, spoilt, seed
            )
            raise _Rollback
    except _Rollback:
        pass


def _declare_and_attack(
    nc: Committee,
    ec: Committee,
    standing: list[Member],
    ro: Any,
    national_office: Any,
    online: int,
    paper: int,
    spoilt: int,
    seed: int,
) -> None:
    closes = timezone.now() + dt.timedelta(days=1)
    election = _election(nc, ec, standing, ro, [], closes_at=closes)
    voters = electorate_of(nc, standing[0].branch, online + paper)
    candidate_pks = [n.pk for n in election.nominations.order_by("ballot_name")]
    tellers = [UserFactory.create(), UserFactory.create()]
    for teller in tellers:
        ballots.appoint_teller(actor=ro, election=election, user=teller)
    with time_machine.travel(election.voting_opens_at + dt.timedelta(hours=1), tick=False):
        for i, voter in enumerate(voters[:online]):
            ballots.cast_ballot(actor=voter.user, election=election, ranking=candidate_pks[i % 4 :][:2])
        for voter in voters[online:]:
            ballots.issue_paper_ballot(actor=tellers[0], election=election, member=voter)
    after = election.voting_closes_at + dt.timedelta(hours=1)
    with time_machine.travel(after, tick=False):
        for number in range(1, paper + 1):
            for teller in tellers:
                is_spoilt = number <= spoilt
                ranking = None if is_spoilt else [candidate_pks[number % 4]]
                ballots.enter_paper(
                    actor=teller, election=election, paper_number=number, ranking=ranking, spoilt=is_spoilt
                )
        if paper:
            ballots.accept_papers(actor=ro, election=election)
        election.refresh_from_db()
        before = results.reconciled(election)
        cac = make_officer(Role.CAC, email=f"cac{seed}@example.org")
        superuser = UserFactory.create(is_superuser=True, is_staff=True)
        staff = UserFactory.create(is_staff=True)
        candidate = standing[0].user
        extra = _blt(1)
        for who in (national_office, cac, tellers[0], candidate, superuser, staff):
            for attempt in (
                lambda who=who: results.import_blt(actor=who, election=election, text=extra),
                lambda who=who: results.declare_counted_off_system(
                    actor=who, election=election, off_system=True
                ),
                lambda who=who: results.run_count(actor=who, election=election, seed=seed),
                lambda who=who: ballots.accept_papers(actor=who, election=election),
                lambda who=who: ballots.appoint_teller(actor=who, election=election, user=who),
            ):
                with pytest.raises(ElectionError):
                    attempt()
            assert results.reconciled(election) == before
        count = results.run_count(actor=ro, election=election, seed=seed)
        results.confirm_result(actor=ro, election=election, count=count)

    election.refresh_from_db()
    declared = election.confirmed_count
    assert declared is not None
    records = VoterRecord.objects.filter(election=election, method=VotedBy.ONLINE).count()
    assert declared.ballots == records + results.accepted_papers(election) == online + paper - spoilt
    assert Ballot.objects.filter(election=election).count() == declared.ballots
