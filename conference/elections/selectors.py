"""Reads for the elections' pages: what an election's page offers the person reading it.

The election page (``views.elections.election_detail``) computes these and
passes them to the two includes that add the ballots' and the result's
links (``_ballot_links.html``, ``_result_links.html``), so that a test of the
page's queries counts them too. Each is a fixed number of queries, whatever
the election's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from awl.permissions import has_rule
from conference.elections.models import Election, Teller, VoterRecord
from conference.elections.services import results
from conference.rules import RETURN_ELECTION

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class BallotLinks:
    """Whether the viewer has voted, is one of the election's tellers, or is its returning officer."""

    voted: bool
    teller: bool
    officer: bool


def ballot_links(user: User, election: Election) -> BallotLinks:
    """Two small queries (a voter record, a teller appointment) and the returning officer's rule."""
    return BallotLinks(
        voted=VoterRecord.objects.filter(election=election, member__user_id=user.pk).exists(),
        teller=Teller.objects.filter(election=election, user_id=user.pk).exists(),
        officer=has_rule(user, RETURN_ELECTION, election),
    )


@dataclass(frozen=True)
class ResultLinks:
    """Whether the viewer runs the count (the returning officer) and may read the declared result."""

    returning_officer: bool
    may_read: bool


def result_links(user: User, election: Election) -> ResultLinks:
    """The returning officer's rule, and who may read the result (a query or two, once it is declared)."""
    return ResultLinks(
        returning_officer=has_rule(user, RETURN_ELECTION, election),
        may_read=election.confirmed_at is not None and results.may_read_result(user, election),
    )
