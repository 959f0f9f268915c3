"""Ballots and tellers: casting (once, in the window, by the electorate, a clean ranking), secrecy by
construction, paper ballots entered twice and reconciled, acceptance once, and the selectors.

The election is the Control Commission's, elected by the National Committee
(the ``nc_meeting`` fixture's): Rosa and the three candidates, Ann, Bob and
Cat, sit on the NC and so vote; Lee, a Leeds member, does not. Voting opened
a day ago and closes in two days; the national office is the returning
officer. Every refusal is checked to leave the tables as they were.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.models import DateField, DateTimeField, ForeignKey, TimeField

from awl.codes import read_code
from awl.models import AuditEntry, OutboundMessage
from conference.elections.models import (
    Ballot,
    BallotSource,
    Election,
    Nomination,
    NominationStatus,
    PaperEntry,
    Teller,
    VotedBy,
    VoterRecord,
)
from conference.elections.services import ballots
from conference.elections.services.ballots import ALREADY_VOTED
from conference.elections.services.elections import ElectionError, candidates
from members.models import Branch, Member
from tests.conference.ballot_objects import make_ballot_election, nc_candidates
from tests.factories import UserFactory, make_member
from tests.helpers.concurrency import errors, in_parallel

HOUR = dt.timedelta(hours=1)


# Fixtures --------------------------------------------------------------------------------------------------
@pytest.fixture
def nc(nc_meeting: Any) -> Any:
    return nc_meeting.committee


@pytest.fixture
def standing(member: Member, nc: Any) -> list[Member]:
    """Ann, Bob and Cat: NC members standing."""
    return nc_candidates(member, nc)


@pytest.fixture
def election(nc: Any, national_office: Any, standing: list[Member]) -> Election:
    from django.utils import timezone

    now = timezone.now()
    return make_ballot_election(
        title="Control Commission",
        nc=nc,
        returning_officer=national_office,
        nominees=standing,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=2),
    )


@pytest.fixture
def ann(standing: list[Member]) -> Member:
    return standing[0]


@pytest.fixture
def ids(election: Election) -> list[int]:
    """The candidates' keys in ballot order: Ann, Bob, Cat."""
    return list(candidates(election).values_list("pk", flat=True))


@pytest.fixture
def outside(leeds: Branch, dues_rates: Any) -> Member:
    """Lee, a Leeds member who is not on the NC."""
    return make_member(leeds, full_name="Lee Outside", user=UserFactory(email="lee@example.org"))


@pytest.fixture
def teller(election: Election, national_office: Any) -> Any:
    user = UserFactory.create(email="teller.one@example.org", first_name="Tess", last_name="Teller")
    ballots.appoint_teller(actor=national_office, election=election, user=user)
    return user


@pytest.fixture
def second_teller(election: Election, national_office: Any) -> Any:
    user = UserFactory.create(email="teller.two@example.org", first_name="Tom", last_name="Tally")
    ballots.appoint_teller(actor=national_office, election=election, user=user)
    return user


def tables() -> dict[str, list[tuple[Any, ...]]]:
    """Every row that ballots and tellers write, to show that a refusal wrote nothing."""
    return {
        model.__name__: list(model.objects.order_by("pk").values_list())
        for model in (VoterRecord, Ballot, Teller, PaperEntry, Election, OutboundMessage, AuditEntry)
    }


def refused(match: str, call: Any, **kwargs: Any) -> None:
    before = tables()
    with pytest.raises(ElectionError, match=match):
        call(**kwargs)
    assert tables() == before


def after_closing(election: Election) -> time_machine.travel:
    return time_machine.travel(election.voting_closes_at + HOUR, tick=False)


# Casting --------------------------------------------------------------------------------------------------
def test_a_member_of_the_electorate_casts_a_ranked_ballot_and_gets_a_receipt(
    election: Election, member: Member, ids: list[int]
) -> None:
    receipt = ballots.cast_ballot(actor=member.user, election=election, ranking=[ids[2], ids[0]])

    assert read_code(receipt) == receipt
    [record] = VoterRecord.objects.filter(election=election)
    assert (record.member_id, record.method) == (member.pk, VotedBy.ONLINE)
    [ballot] = Ballot.objects.filter(election=election)
    assert (ballot.preferences, ballot.source, ballot.receipt) == (
        [ids[2], ids[0]],
        BallotSource.ONLINE,
        receipt,
    )
    assert ballots.has_voted(election, member)


def test_casting_writes_no_audit_entry_that_could_time_the_vote(
    election: Election, member: Member, ids: list[int]
) -> None:
    before = AuditEntry.objects.count()
    ballots.cast_ballot(actor=member.user, election=election, ranking=[ids[0]])
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("ranking", "match"),
    [
        (lambda ids: [ids[0], ids[1], ids[0]], r"Ann Ayres is ranked more than once"),
        (lambda ids: [ids[0], 999_999], r"Preference 2 is not a candidate in this election"),
        (lambda ids: [], r"Rank at least one candidate"),
    ],
    ids=["repeated", "unknown", "empty"],
)
def test_a_bad_ranking_is_refused_with_its_reason_and_nothing_is_written(
    election: Election, member: Member, ids: list[int], ranking: Any, match: str
) -> None:
    refused(match, ballots.cast_ballot, actor=member.user, election=election, ranking=ranking(ids))
    assert not ballots.has_voted(election, member)


def test_a_candidate_of_another_election_or_one_who_withdrew_is_not_on_this_ballot(
    election: Election, member: Member, ids: list[int], nc: Any, national_office: Any, standing: list[Member]
) -> None:
    other = make_ballot_election(
        title="Another",
        nc=nc,
        returning_officer=national_office,
        nominees=standing[:1],
        opens_at=election.voting_opens_at,
        closes_at=election.voting_closes_at,
    )
    elsewhere = Nomination.objects.get(election=other).pk
    refused(
        "Preference 1 is not a candidate",
        ballots.cast_ballot,
        actor=member.user,
        election=election,
        ranking=[elsewhere],
    )
    Nomination.objects.filter(pk=ids[1]).update(status=NominationStatus.WITHDRAWN)
    refused(
        "Preference 2 is not a candidate",
        ballots.cast_ballot,
        actor=member.user,
        election=election,
        ranking=[ids[0], ids[1]],
    )


@pytest.mark.parametrize("when", ["before", "after", "declared"])
def test_no_ballot_is_cast_outside_the_voting_window(
    election: Election, member: Member, ids: list[int], when: str
) -> None:
    moment = {
        "before": election.voting_opens_at - HOUR,
        "after": election.voting_closes_at,
        "declared": election.voting_closes_at + HOUR,
    }[when]
    if when == "declared":
        Election.objects.filter(pk=election.pk).update(confirmed_at=election.voting_closes_at + HOUR)
        election.refresh_from_db()
    with time_machine.travel(moment, tick=False):
        refused(
            r"opens on|closed on", ballots.cast_ballot, actor=member.user, election=election, ranking=[ids[0]]
        )


def test_someone_outside_the_electorate_cannot_vote(
    election: Election, outside: Member, outsider: Any, ids: list[int]
) -> None:
    for actor in (outside.user, outsider):
        refused(
            "not in the electorate", ballots.cast_ballot, actor=actor, election=election, ranking=[ids[0]]
        )


def test_a_second_ballot_is_refused_and_the_first_stands(
    election: Election, member: Member, ids: list[int]
) -> None:
    receipt = ballots.cast_ballot(actor=member.user, election=election, ranking=[ids[0]])
    refused(ALREADY_VOTED, ballots.cast_ballot, actor=member.user, election=election, ranking=[ids[1]])
    assert list(Ballot.objects.values_list("receipt", "preferences")) == [(receipt, [ids[0]])]


@pytest.mark.django_db(transaction=True)
def test_parallel_casts_by_one_voter_make_one_record_and_one_ballot(
    election: Election, member: Member, ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same voter on eight devices at once, each past the "already voted?" read before any writes.

    The barrier after the read makes every attempt find no earlier vote, so the unique constraint on
    (election, member) is all that stands between them and eight ballots: the winner's record holds the
    others' inserts until it commits, then they fail, and their whole transaction, ballot and all, rolls back.
    """
    attempts = 8
    read_first = threading.Barrier(attempts)
    original = ballots._earlier_vote
    saw_none: list[bool] = []

    def read_then_wait(election: Election, member: Member) -> Any:
        found = original(election, member)
        saw_none.append(found is None)
        read_first.wait(timeout=30)
        return found

    monkeypatch.setattr(ballots, "_earlier_vote", read_then_wait)

    outcomes = in_parallel(
        attempts,
        lambda n: ballots.cast_ballot(actor=member.user, election=election, ranking=[ids[n % 3]]),
        refused=ElectionError,
        together=False,  # they meet at the barrier after the read
    )

    assert errors(outcomes) == []  # a crash is a failure, not a refusal
    assert saw_none == [True] * attempts  # every attempt got past the read: the constraint did the work
    receipts = [outcome.result for outcome in outcomes if outcome.done]
    assert len(receipts) == 1
    refusals = sorted(outcome.refusal for outcome in outcomes if not outcome.done)
    assert refusals == [ALREADY_VOTED] * (attempts - 1)
    assert VoterRecord.objects.filter(election=election, member=member).count() == 1
    [ballot] = Ballot.objects.filter(election=election)
    assert receipts == [str(ballot.receipt)]


# Secrecy ------------------------------------------------------------------------------------------------
def _columns(model: Any) -> dict[str, str]:
    """The table's columns as PostgreSQL describes them (name → data type)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
            [model._meta.db_table],
        )
        return dict(cursor.fetchall())


def test_a_ballot_holds_its_election_and_its_content_and_nothing_else(db: None) -> None:
    assert {f.name for f in Ballot._meta.concrete_fields} == {
        "id",
        "election",
        "preferences",
        "source",
        "receipt",
    }
    assert set(_columns(Ballot)) == {"id", "election_id", "preferences", "source", "receipt"}


def test_no_foreign_key_joins_a_ballot_to_a_voter_or_a_member(db: None) -> None:
    ballot_links = {f.related_model for f in Ballot._meta.get_fields() if f.is_relation}
    record_links = {f.related_model for f in VoterRecord._meta.get_fields() if f.is_relation}
    assert ballot_links == {Election}
    assert record_links == {Election, Member}
    with connection.cursor() as cursor:
        for model, targets in (
            (Ballot, {"conference_election"}),
            (VoterRecord, {"conference_election", "members_member"}),
        ):
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            assert {c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]} == targets
    # The only column the two tables share by meaning is the election; their keys differ in type.
    shared = set(_columns(Ballot)) & set(_columns(VoterRecord))
    assert shared == {"id", "election_id"}
    assert (_columns(Ballot)["id"], _columns(VoterRecord)["id"]) == ("uuid", "uuid")


def test_neither_table_has_a_time_and_the_ballot_key_is_random_not_a_sequence(db: None) -> None:
    for model in (Ballot, VoterRecord):
        assert not [
            f for f in model._meta.concrete_fields if isinstance(f, DateTimeField | DateField | TimeField)
        ]
        assert not [kind for kind in _columns(model).values() if "time" in kind or "date" in kind]
    assert isinstance(Ballot._meta.pk.default(), uuid.UUID)
    with connection.cursor() as cursor:
        assert connection.introspection.get_sequences(cursor, Ballot._meta.db_table) == []
        # The voter records' key is random too: a sequence would order them (test_paper_secrecy.py).
        assert connection.introspection.get_sequences(cursor, VoterRecord._meta.db_table) == []


def test_ballots_are_read_in_the_order_of_their_random_keys(election: Election) -> None:
    order = str(Ballot.objects.filter(election=election).query).split("ORDER BY")[1]
    # By election, then by the random key: never by when the row was written.
    assert order.endswith('"conference_ballot"."id" ASC')
    assert order.count('"conference_ballot".') == 1
    # Neither table's relations are followed from the other: the voter's record knows no ballot.
    assert not [
        f for f in VoterRecord._meta.get_fields() if isinstance(f, ForeignKey) and f.related_model is Ballot
    ]


def test_the_receipts_list_is_sorted_codes_only(
    election: Election, member: Member, standing: list[Member], ids: list[int]
) -> None:
    made = [
        ballots.cast_ballot(actor=voter.user, election=election, ranking=[ids[0]])
        for voter in (member, *standing)
    ]
    listed = ballots.receipts(election)
    assert listed == sorted(made)
    assert all(isinstance(code, str) and read_code(code) == code for code in listed)
    assert ballots.receipt_counted(election, made[0]) and not ballots.receipt_counted(election, "ZZZZZZZZ")


def test_turnout_counts_voters_by_method_against_the_electorate(
    election: Election, member: Member, ann: Member, teller: Any, ids: list[int]
) -> None:
    ballots.cast_ballot(actor=member.user, election=election, ranking=[ids[0]])
    ballots.issue_paper_ballot(actor=teller, election=election, member=ann)
    found = ballots.turnout(election)
    assert (found.online, found.paper, found.voted, found.electorate, found.percent) == (1, 1, 2, 4, "50.0")


# Tellers ----------------------------------------------------------------------------------------------
def test_the_returning_officer_appoints_a_teller_who_is_e_mailed(
    election: Election, national_office: Any
) -> None:
    user: Any = UserFactory(email="new.teller@example.org")
    ballots.appoint_teller(actor=national_office, election=election, user=user)
    assert Teller.objects.filter(election=election, user=user).exists()
    [mail] = OutboundMessage.objects.filter(to="new.teller@example.org")
    assert "teller" in mail.subject and f"/elections/{election.pk}/papers/" in mail.body_text
    assert AuditEntry.objects.filter(action="election.teller_appointed").exists()


def test_only_the_returning_officer_appoints_and_not_themselves_a_candidate_or_twice(
    election: Election, national_office: Any, member: Member, ann: Member, teller: Any
) -> None:
    user = UserFactory(email="hopeful@example.org")
    refused(
        "Only the returning officer", ballots.appoint_teller, actor=member.user, election=election, user=user
    )
    refused(
        "cannot also be a teller",
        ballots.appoint_teller,
        actor=national_office,
        election=election,
        user=national_office,
    )
    refused(
        "candidate in this election",
        ballots.appoint_teller,
        actor=national_office,
        election=election,
        user=ann.user,
    )
    refused("already a teller", ballots.appoint_teller, actor=national_office, election=election, user=teller)


def test_removing_a_teller_takes_their_entries_with_them(
    election: Election, national_office: Any, teller: Any, ann: Member, ids: list[int]
) -> None:
    ballots.issue_paper_ballot(actor=teller, election=election, member=ann)
    appointment = Teller.objects.get(user=teller)
    with after_closing(election):
        ballots.enter_paper(actor=teller, election=election, paper_number=1, ranking=[ids[0]])
        refused("Only the returning officer", ballots.remove_teller, actor=teller, teller=appointment)
        assert ballots.remove_teller(actor=national_office, teller=appointment) == 1
    assert not Teller.objects.filter(election=election).exists() and not PaperEntry.objects.exists()


# Paper ballots -------------------------------------------------------------------------------------------
def test_a_paper_ballot_is_issued_once_and_then_its_member_cannot_vote_online(
    election: Election, teller: Any, ann: Member, ids: list[int]
) -> None:
    ballots.issue_paper_ballot(actor=teller, election=election, member=ann)
    assert ballots.voted_by(election, ann) == VotedBy.PAPER
    refused(
        "already been issued a paper ballot",
        ballots.issue_paper_ballot,
        actor=teller,
        election=election,
        member=ann,
    )
    refused(
        "issued a paper ballot in this election",
        ballots.cast_ballot,
        actor=ann.user,
        election=election,
        ranking=[ids[0]],
    )
    assert AuditEntry.objects.filter(action="election.paper_issued", actor=teller).count() == 1


def test_someone_who_voted_online_is_refused_a_paper_ballot(
    election: Election, national_office: Any, member: Member, ids: list[int]
) -> None:
    ballots.cast_ballot(actor=member.user, election=election, ranking=[ids[0]])
    refused(
        "already voted online",
        ballots.issue_paper_ballot,
        actor=national_office,
        election=election,
        member=member,
    )


def test_paper_ballots_are_issued_by_tellers_to_the_electorate_while_voting_is_open(
    election: Election, teller: Any, member: Member, outside: Member
) -> None:
    refused(
        "Only the tellers and the returning officer",
        ballots.issue_paper_ballot,
        actor=member.user,
        election=election,
        member=member,
    )
    refused(
        "not in the electorate", ballots.issue_paper_ballot, actor=teller, election=election, member=outside
    )
    with after_closing(election):
        refused("closed on", ballots.issue_paper_ballot, actor=teller, election=election, member=member)


def test_marks_on_a_paper_run_from_1_and_stop_at_a_gap_or_a_repeat() -> None:
    assert ballots.preferences_from_marks({10: 2, 11: 1, 12: 3}) == ([11, 10, 12], "")
    assert ballots.preferences_from_marks({10: 1, 11: 3}) == (
        [10],
        "Preferences from 2 on were not counted: the number 2 is missing.",
    )
    prefs, note = ballots.preferences_from_marks({10: 1, 11: 2, 12: 2, 13: 3})
    assert prefs == [10] and "the number 2 is marked more than once" in note
    for void in ({10: 2, 11: 3}, {10: 1, 11: 1}):
        with pytest.raises(ElectionError, match="no single first preference"):
            ballots.preferences_from_marks(void)


def test_a_teller_enters_each_paper_once_and_may_correct_it(
    election: Election, teller: Any, ann: Member, ids: list[int]
) -> None:
    ballots.issue_paper_ballot(actor=teller, election=election, member=ann)
    with after_closing(election):
        ballots.enter_paper(actor=teller, election=election, paper_number=1, ranking=[ids[0], ids[1]])
        refused(
            "already entered paper 1",
            ballots.enter_paper,
            actor=teller,
            election=election,
            paper_number=1,
            ranking=[ids[1]],
        )
        ballots.enter_paper(actor=teller, election=election, paper_number=1, ranking=[ids[1]], correct=True)
    [entry] = PaperEntry.objects.all()
    assert (entry.paper_number, entry.preferences, entry.spoilt) == (1, [ids[1]], False)


def test_a_paper_entry_is_refused_for_a_bad_ranking_a_number_not_issued_or_a_non_teller(
    election: Election, teller: Any, member: Member, ann: Member, ids: list[int]
) -> None:
    refused(
        "entered once voting has closed",
        ballots.enter_paper,
        actor=teller,
        election=election,
        paper_number=1,
        ranking=[ids[0]],
    )
    with after_closing(election):
        refused(
            "Only 0 paper ballots have been issued, so there is no paper 1",
            ballots.enter_paper,
            actor=teller,
            election=election,
            paper_number=1,
            ranking=[ids[0]],
        )
    ballots.issue_paper_ballot(actor=teller, election=election, member=ann)
    with after_closing(election):
        refused(
            "Only this election's tellers",
            ballots.enter_paper,
            actor=member.user,
            election=election,
            paper_number=1,
            ranking=[ids[0]],
        )
        refused(
            "ranked more than once",
            ballots.enter_paper,
            actor=teller,
            election=election,
            paper_number=1,
            ranking=[ids[0], ids[0]],
        )
        refused(
            "not a candidate",
            ballots.enter_paper,
            actor=teller,
            election=election,
            paper_number=1,
            ranking=[123_456],
        )
        refused(
            "not both",
            ballots.enter_paper,
            actor=teller,
            election=election,
            paper_number=1,
            ranking=[ids[0]],
            spoilt=True,
        )
        refused(
            "Paper numbers run from 1",
            ballots.enter_paper,
            actor=teller,
            election=election,
            paper_number=0,
            ranking=[ids[0]],
        )


def _two_papers(election: Election, teller: Any, second_teller: Any, ann: Member, member: Member) -> None:
    ballots.issue_paper_ballot(actor=teller, election=election, member=ann)
    ballots.issue_paper_ballot(actor=teller, election=election, member=member)


def test_the_reconciliation_compares_the_tellers_entries_paper_by_paper(
    election: Election, teller: Any, second_teller: Any, ann: Member, member: Member, ids: list[int]
) -> None:
    _two_papers(election, teller, second_teller, ann, member)
    with after_closing(election):
        ballots.enter_paper(actor=teller, election=election, paper_number=1, ranking=[ids[0], ids[1]])
        ballots.enter_paper(actor=second_teller, election=election, paper_number=1, ranking=[ids[0], ids[1]])
        ballots.enter_paper(actor=teller, election=election, paper_number=2, ranking=[ids[2]])
        ballots.enter_paper(actor=second_teller, election=election, paper_number=2, ranking=[ids[1]])

    found = ballots.reconciliation(election)

    assert [(row.number, row.state) for row in found.papers] == [(1, "agreed"), (2, "differ")]
    # An agreed paper's ranking is not shown (test_paper_secrecy.py); differing readings are.
    assert found.papers[0].entries[0].preferences == [] and found.papers[0].preferences == [ids[0], ids[1]]
    assert [entry.preferences for entry in found.papers[1].entries] == [["Cat Cross"], ["Bob Boyd"]]
    assert {entry.teller for entry in found.papers[1].entries} == {"Tess Teller", "Tom Tally"}
    assert found.problems == ["The tellers' entries differ: paper 2."] and not found.ready


def test_papers_entered_once_or_missing_or_beyond_those_issued_are_problems(
    election: Election, teller: Any, second_teller: Any, ann: Member, ids: list[int]
) -> None:
    ballots.issue_paper_ballot(actor=teller, election=election, member=ann)
    with after_closing(election):
        ballots.enter_paper(actor=teller, election=election, paper_number=1, ranking=[ids[0]])
    # Paper 3 cannot be entered (one paper issued); a row made as if it had been shows the other checks.
    PaperEntry.objects.create(
        election=election, teller=Teller.objects.get(user=second_teller), paper_number=3, preferences=[ids[0]]
    )
    found = ballots.reconciliation(election)
    assert found.missing == [2]
    assert found.problems == [
        "Entered by only one teller: paper 1, 3.",
        "Not entered by anyone: paper 2.",
        "There are 3 papers but only 1 paper ballot was issued.",
    ]


def test_the_returning_officer_accepts_agreed_papers_once_after_voting_closes(
    election: Election,
    national_office: Any,
    teller: Any,
    second_teller: Any,
    ann: Member,
    member: Member,
    ids: list[int],
) -> None:
    _two_papers(election, teller, second_teller, ann, member)
    refused("once voting has closed", ballots.accept_papers, actor=national_office, election=election)
    with after_closing(election):
        for who in (teller, second_teller):
            ballots.enter_paper(actor=who, election=election, paper_number=1, ranking=[ids[1], ids[0]])
            ballots.enter_paper(actor=who, election=election, paper_number=2, ranking=[], spoilt=True)
        refused("Only the returning officer", ballots.accept_papers, actor=teller, election=election)
        assert ballots.accept_papers(actor=national_office, election=election) == 1
        refused("already accepted", ballots.accept_papers, actor=national_office, election=election)
        refused(
            "no paper entry can change",
            ballots.enter_paper,
            actor=teller,
            election=election,
            paper_number=2,
            ranking=[ids[0]],
            correct=True,
        )
        refused(
            "no paper entry can change",
            ballots.remove_teller,
            actor=national_office,
            teller=Teller.objects.get(user=teller),
        )
    [paper] = Ballot.objects.filter(election=election)
    assert (paper.preferences, paper.source, paper.receipt) == ([ids[1], ids[0]], BallotSource.PAPER, None)
    assert ballots.papers_refusal(Election.objects.get(pk=election.pk)) == ""
    assert ballots.receipts(election) == []  # paper ballots have no receipt


def test_disagreeing_entries_refuse_acceptance_saying_which_paper_and_write_nothing(
    election: Election,
    national_office: Any,
    teller: Any,
    second_teller: Any,
    ann: Member,
    member: Member,
    ids: list[int],
) -> None:
    _two_papers(election, teller, second_teller, ann, member)
    with after_closing(election):
        for who, second in ((teller, ids[1]), (second_teller, ids[2])):
            ballots.enter_paper(actor=who, election=election, paper_number=1, ranking=[ids[0]])
            ballots.enter_paper(actor=who, election=election, paper_number=2, ranking=[ids[0], second])
        assert "must accept" in ballots.papers_refusal(election)
        refused(
            r"The tellers' entries differ: paper 2\.",
            ballots.accept_papers,
            actor=national_office,
            election=election,
        )
        ballots.enter_paper(
            actor=second_teller, election=election, paper_number=2, ranking=[ids[0], ids[1]], correct=True
        )
        assert ballots.accept_papers(actor=national_office, election=election) == 2
    assert sorted(b.preferences for b in Ballot.objects.filter(source=BallotSource.PAPER)) == [
        [ids[0]],
        [ids[0], ids[1]],
    ]


def test_nothing_changes_once_the_result_is_declared(
    election: Election, national_office: Any, teller: Any, ann: Member, ids: list[int]
) -> None:
    ballots.issue_paper_ballot(actor=teller, election=election, member=ann)
    with after_closing(election):
        Election.objects.filter(pk=election.pk).update(confirmed_at=election.voting_closes_at)
        election.refresh_from_db()
        refused(
            "declared", ballots.enter_paper, actor=teller, election=election, paper_number=1, ranking=[ids[0]]
        )
        refused("declared", ballots.accept_papers, actor=national_office, election=election)
        refused(
            "declared", ballots.appoint_teller, actor=national_office, election=election, user=UserFactory()
        )
