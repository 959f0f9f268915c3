"""The election page reads in a number of queries that does not grow with its voters, tellers or result.

What the page offers its reader of the ballots (voted, teller, returning
officer) and of the result (the count, whether they may read it) is computed
by its view (``conference.elections.selectors``), so these counts measure the
whole page. Each test builds N rows, counts, builds up to 3N, and asserts the
same bound. The election and people are test_ballots.py's: the Control
Commission's election by the NC, voting open, the national office its
returning officer.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conference.elections.models import Election
from conference.elections.services import ballots
from members.models import Member
from tests.conference.ballot_objects import CANDIDATES
from tests.conference.test_ballots import election, ids, nc, standing, teller
from tests.factories import UserFactory, make_member, seat

__all__ = ["election", "ids", "nc", "standing", "teller"]  # fixtures used here

N = 4


def seat_voters(nc: Any, member: Member, count: int) -> list[Member]:
    """NC members, seated before voting opens: a committee's electorate is fixed when it opens."""
    voters = []
    for n in range(count):
        voter = make_member(
            member.branch, full_name=f"Voter {n}", user=UserFactory(email=f"voter{n}@example.org")
        )
        seat(nc, voter)
        voters.append(voter)
    return voters


def add_voters(election: Election, voters: list[Member], ids: list[int], start: int, count: int) -> None:
    """NC members who have voted online, and as many tellers."""
    for n in range(start, start + count):
        voter = voters[n]
        ballots.cast_ballot(actor=voter.user, election=election, ranking=[ids[n % len(CANDIDATES)]])
        assert election.returning_officer is not None
        ballots.appoint_teller(
            actor=election.returning_officer,
            election=election,
            user=UserFactory.create(email=f"teller{n}@example.org"),
        )


@pytest.mark.parametrize("who", ["returning officer", "teller", "voter"])
def test_the_election_page_reads_the_same_queries_for_n_and_3n_voters_and_tellers(
    client: Client,
    election: Election,
    nc: Any,
    member: Member,
    ids: list[int],
    teller: Any,
    national_office: Any,
    django_assert_max_num_queries: Any,
    who: str,
) -> None:
    voters = seat_voters(nc, member, 3 * N)
    ballots.cast_ballot(actor=member.user, election=election, ranking=[ids[0]])
    add_voters(election, voters, ids, 0, N)
    viewer = {"returning officer": national_office, "teller": teller, "voter": member.user}[who]
    client.force_login(viewer)
    url = reverse("conference:election_detail", args=[election.pk])

    def queries(bound: int) -> int:
        with django_assert_max_num_queries(bound) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    client.get(url)  # warm the per-process caches (content types, roles)
    with_n = queries(40)
    add_voters(election, voters, ids, N, 2 * N)
    with_3n = queries(with_n)
    response = client.get(url)

    assert with_3n == with_n
    ballot = response.context["ballot"]
    assert (ballot.voted, ballot.teller, ballot.officer) == (
        who == "voter",
        who == "teller",
        who == "returning officer",
    )
    assert response.context["result"].returning_officer == (who == "returning officer")
