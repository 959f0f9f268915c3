"""Paper ballots cannot be linked to voters (issue 14, item 5).

The attack: papers could be entered while voting was open, so paper N could
only be entered once N papers had been issued and a teller entering as the
papers came could match numbers to the order of issue; the audit trail
listed who received a paper, in order, with times; the voter records' keys
were a sequence, ordering the issues; and the reconciliation page showed
every paper's ranking beside its number. Now papers are entered only once
voting has closed; the issue's audit entry says that a paper was issued,
and by whom, but not to whom; the voter record's key is random; and the
reconciliation shows rankings only where the tellers' entries differ.

The election and people are test_ballots.py's.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry
from conference.elections.models import Election, VoterRecord
from conference.elections.services import ballots
from members.models import Member
from tests.conference.test_ballots import (
    after_closing,
    ann,
    election,
    ids,
    nc,
    refused,
    second_teller,
    standing,
    teller,
)

__all__ = ["ann", "election", "ids", "nc", "second_teller", "standing", "teller"]  # fixtures used here


def test_papers_are_not_entered_while_voting_is_open(
    election: Election, teller: Any, ann: Member, member: Member, ids: list[int]
) -> None:
    ballots.issue_paper_ballot(actor=teller, election=election, member=ann)
    refused(
        "Paper ballots are entered once voting has closed",
        ballots.enter_paper,
        actor=teller,
        election=election,
        paper_number=1,
        ranking=[ids[0]],
    )
    ballots.issue_paper_ballot(actor=teller, election=election, member=member)
    with after_closing(election):
        ballots.enter_paper(actor=teller, election=election, paper_number=2, ranking=[ids[1]])
        ballots.enter_paper(actor=teller, election=election, paper_number=1, ranking=[ids[0]])


def test_the_tellers_page_says_papers_wait_for_the_close_and_offers_no_form(
    client: Client, election: Election, teller: Any, ann: Member
) -> None:
    ballots.issue_paper_ballot(actor=teller, election=election, member=ann)
    client.force_login(teller)
    page = client.get(reverse("conference:teller_enter", args=[election.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Paper ballots are entered once voting has closed" in text and 'name="paper_number"' not in text
    posted = client.post(
        reverse("conference:teller_enter", args=[election.pk]),
        {"paper_number": "1", "rank_1": "1", "paper": "-".join(str(p) for p in ids_of(election))},
    )
    assert (
        posted.status_code in (200, 409)
        and "Paper ballots are entered once voting has closed" in posted.content.decode()
    )
    assert not election.paper_entries.exists()


def ids_of(election: Election) -> list[int]:
    return list(ballots.candidates(election).values_list("pk", flat=True))


def test_issuing_a_paper_is_audited_without_naming_who_received_it(
    election: Election, teller: Any, ann: Member, member: Member
) -> None:
    for person in (ann, member):
        ballots.issue_paper_ballot(actor=teller, election=election, member=person)
    entries = AuditEntry.objects.filter(action="election.paper_issued")
    assert entries.count() == 2 and {entry.actor_id for entry in entries} == {teller.pk}
    for entry in entries:
        shown = repr(entry.detail) + str(entry.target_id)
        assert str(ann.pk) not in repr(entry.detail) and str(member.pk) not in repr(entry.detail), shown
        assert "member" not in entry.detail
    # The record of who received one is the voter record: it has no time and no order.
    assert set(VoterRecord.objects.values_list("member_id", flat=True)) == {ann.pk, member.pk}


def test_the_voter_records_key_is_random_so_it_does_not_order_the_issues(
    election: Election, teller: Any, ann: Member, member: Member
) -> None:
    first = ballots.issue_paper_ballot(actor=teller, election=election, member=ann)
    assert isinstance(first.pk, uuid.UUID)
    with connection.cursor() as cursor:
        assert connection.introspection.get_sequences(cursor, VoterRecord._meta.db_table) == []
    order = str(VoterRecord.objects.filter(election=election).query).split("ORDER BY")[1]
    assert '"conference_voterrecord"."id"' not in order


def test_the_reconciliation_shows_no_ranking_of_a_paper_the_tellers_agree_on(
    client: Client,
    election: Election,
    national_office: Any,
    teller: Any,
    second_teller: Any,
    ann: Member,
    member: Member,
    ids: list[int],
) -> None:
    for person in (ann, member):
        ballots.issue_paper_ballot(actor=teller, election=election, member=person)
    with after_closing(election):
        for who in (teller, second_teller):
            ballots.enter_paper(actor=who, election=election, paper_number=1, ranking=[ids[2], ids[1]])
        ballots.enter_paper(actor=teller, election=election, paper_number=2, ranking=[ids[1]])
        ballots.enter_paper(actor=second_teller, election=election, paper_number=2, ranking=[ids[0]])
        found = ballots.reconciliation(election)
        client.force_login(national_office)
        text = client.get(reverse("conference:teller_reconcile", args=[election.pk])).content.decode()

    agreed, differ = found.papers
    assert agreed.state == "agreed" and all(not entry.preferences for entry in agreed.entries)
    assert "Cat Cross, Bob Boyd" not in text and "Cat Cross" not in text  # paper 1's ranking
    # Where the entries differ, each teller's reading is shown by paper number: reconciling needs it.
    assert differ.state == "differ" and [e.preferences for e in differ.entries] == [
        ["Bob Boyd"],
        ["Ann Ayres"],
    ]
    assert "Bob Boyd" in text and "Ann Ayres" in text
