"""The count and the result: counting the ballots in the database, confirming, BLT files out and in.

The election in most tests is the Executive Committee's, elected by the
National Committee (Rosa, Ada, Ben, Cai and Dee sit on it; the last four
stand) for two seats, with eleven ballots worked by hand::

    4 x Ada Ben    2 x Ada Cai    2 x Ben    2 x Cai Dee    1 x Dee Cai

Quota 11 // 3 + 1 = 4. Stage 1: Ada 6 (elected), Ben 2, Cai 2, Dee 1.
Stage 2, Ada's surplus of 2 over six papers at 0.33333 each: Ben 3.33332,
Cai 2.66666, loss 0.00002. Stage 3, Dee excluded: Cai 3.66666. Stage 4,
Ben excluded (his papers have nowhere to go): Cai, the last continuing
candidate, is elected. Elected: Ada, then Cai.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from awl.models import AuditEntry, OutboundMessage
from committees.models import Committee, Term, TermBasis
from committees.services import start_term
from conference.elections.counting import blt, stv
from conference.elections.models import (
    Ballot,
    BallotSource,
    Election,
    ElectionCount,
    PaperEntry,
    Teller,
    VotedBy,
    VoterRecord,
)
from conference.elections.services import results
from conference.elections.services.elections import ElectionError
from conference.models import EligibilityException, Registration
from members.models import Member, Role
from tests.conference.result_objects import (
    counted_off_system,
    electorate_of,
    make_election,
    register_conference_voters,
)
from tests.factories import CommitteeFactory, UserFactory, make_member, make_officer, national_committee, seat

NAMES = ("Ada Adams", "Ben Brown", "Cai Carter", "Dee Doyle")
RANKINGS = [[0, 1]] * 4 + [[0, 2]] * 2 + [[1]] * 2 + [[2, 3]] * 2 + [[3, 2]]


@pytest.fixture
def nc(member: Member) -> Committee:
    return national_committee(member)


@pytest.fixture
def ec(db: None) -> Committee:
    return CommitteeFactory.create(name="Executive Committee", slug="ec", kind="executive")


@pytest.fixture
def standing(member: Member, nc: Committee) -> list[Member]:
    """Ada, Ben, Cai and Dee: National Committee members, in ballot order."""
    people = []
    for name in NAMES:
        first = name.split()[0].lower()
        person = make_member(
            member.branch, full_name=name, user=UserFactory(username=first, email=f"{first}@example.org")
        )
        seat(nc, person)
        people.append(person)
    return people


@pytest.fixture
def returning_officer(db: None) -> Any:
    return UserFactory(username="ro", email="ro@example.org")


@pytest.fixture
def election(nc: Committee, ec: Committee, standing: list[Member], returning_officer: Any) -> Election:
    return make_election(
        title="Executive Committee 2027",
        committee=ec,
        electing_committee=nc,
        returning_officer=returning_officer,
        nominees=standing,
        rankings=RANKINGS,
        seats=2,
    )


@pytest.fixture
def off_system(election: Election) -> Election:
    """The election declared counted off this system, twelve paper ballots issued."""
    done = counted_off_system(election, 12)
    election.counted_off_system = done.counted_off_system
    return election


def _direct(election: Election, seed: int) -> stv.CountResult:
    return stv.count(NAMES, 2, [(tuple(r), 1) for r in RANKINGS], seed=seed)


def _pks(election: Election, *names: str) -> list[int]:
    by_name = {n.ballot_name: n.pk for n in election.nominations.all()}
    return [by_name[name] for name in names]


# Counting -------------------------------------------------------------------------------------------
def test_the_count_of_the_ballots_in_the_database_is_the_count_of_the_same_ballots_given_directly(
    election: Election, returning_officer: Any
) -> None:
    count = results.run_count(actor=returning_officer, election=election, seed=42)

    assert count.result == _direct(election, 42).as_dict()
    assert count.elected == _pks(election, "Ada Adams", "Cai Carter")
    assert (count.seed, count.ballots, count.run_by) == (42, 11, returning_officer)
    stages = count.result["stages"]
    assert [s["action"] for s in stages] == ["first preferences", "surplus", "exclusion", "exclusion"]
    assert stages[1]["totals"]["Ben Brown"] == "3.33332" and stages[1]["loss"] == "0.00002"
    assert stages[3]["non_transferable"] == "3.33332"
    assert count.result["quota"] == "4.00000"
    assert AuditEntry.objects.filter(action="election.counted", target_id=str(election.pk)).count() == 1


def test_without_a_seed_one_is_drawn_and_recorded_so_the_count_can_be_repeated(
    nc: Committee, ec: Committee, standing: list[Member], returning_officer: Any
) -> None:
    # Ada and Ben tie on every stage for the last seat, so the lot decides.
    election = make_election(
        title="Tied",
        committee=ec,
        electing_committee=nc,
        returning_officer=returning_officer,
        nominees=standing,
        rankings=[[0], [1], [2]],
        seats=2,
    )

    count = results.run_count(actor=returning_officer, election=election)

    again = stv.count(NAMES, 2, [((0,), 1), ((1,), 1), ((2,), 1)], seed=count.seed)
    assert 0 <= count.seed < results.DRAWN_SEED_LIMIT
    assert count.result == again.as_dict()
    assert any(tie["decided_by"] == "lot" for tie in count.result["ties"])


def test_each_recount_is_a_new_row_and_the_latest_is_the_one_offered(
    election: Election, returning_officer: Any
) -> None:
    first = results.run_count(actor=returning_officer, election=election, seed=1)
    second = results.run_count(actor=returning_officer, election=election, seed=2, reason="A check")

    assert ElectionCount.objects.filter(election=election).count() == 2
    assert results.latest_count(election) == second
    assert "latest" in results.confirm_refused(election, first)
    assert results.confirm_refused(election, second) == ""


def test_the_count_is_refused_while_voting_is_open(election: Election, returning_officer: Any) -> None:
    Election.objects.filter(pk=election.pk).update(voting_closes_at=timezone.now() + dt.timedelta(hours=1))
    election.refresh_from_db()

    with pytest.raises(ElectionError, match="once voting has closed"):
        results.run_count(actor=returning_officer, election=election)
    assert not ElectionCount.objects.exists()


@pytest.mark.parametrize("who", ["national_office", "member", "candidate"])
def test_only_the_returning_officer_counts_and_confirms(
    election: Election,
    returning_officer: Any,
    national_office: Any,
    member: Member,
    standing: list[Member],
    who: str,
) -> None:
    actor = {"national_office": national_office, "member": member.user, "candidate": standing[0].user}[who]
    count = results.run_count(actor=returning_officer, election=election, seed=1)

    with pytest.raises(ElectionError, match="returning officer"):
        results.run_count(actor=actor, election=election)
    with pytest.raises(ElectionError, match="returning officer"):
        results.confirm_result(actor=actor, election=election, count=count)
    election.refresh_from_db()
    assert ElectionCount.objects.count() == 1 and election.confirmed_at is None
    assert not Term.objects.filter(committee=election.committee).exists()


# Confirming -------------------------------------------------------------------------------------------
def test_confirming_creates_exactly_the_elected_members_terms(
    election: Election, returning_officer: Any, standing: list[Member], ec: Committee
) -> None:
    count = results.run_count(actor=returning_officer, election=election, seed=3)

    results.confirm_result(actor=returning_officer, election=election, count=count)

    election.refresh_from_db()
    assert (election.confirmed_count, election.confirmed_by) == (count, returning_officer)
    assert election.confirmed_at is not None
    terms = Term.objects.order_by("member__full_name").filter(committee=ec)
    assert [(t.member, t.role, t.starts_on, t.ends_on, t.basis, t.basis_detail) for t in terms] == [
        (
            person,
            "member",
            election.term_starts_on,
            election.term_ends_on,
            TermBasis.ELECTED_BY_COMMITTEE,
            "Elected by the National Committee",
        )
        for person in (standing[0], standing[2])
    ]
    assert Term.objects.exclude(committee__in=[ec, election.electing_committee]).count() == 0


def test_confirming_mails_every_candidate_and_everyone_in_the_electorate_once(
    election: Election, returning_officer: Any, member: Member, standing: list[Member]
) -> None:
    count = results.run_count(actor=returning_officer, election=election, seed=3)

    results.confirm_result(actor=returning_officer, election=election, count=count)

    mail = OutboundMessage.objects.filter(key__startswith=f"election-{election.pk}-result-")
    # The candidates sit on the NC, so are in the electorate too: one message each all the same.
    voters = VoterRecord.objects.filter(election=election).values_list("member__user__email", flat=True)
    assert sorted(m.to for m in mail) == sorted(voters)
    assert {p.user.email for p in [member, *standing]} <= set(voters)
    by_to = {m.to: m for m in mail}
    assert "You were elected" in by_to["ada@example.org"].body_text
    assert "You were not elected" in by_to["ben@example.org"].body_text
    assert "You were" not in by_to["rosa@example.org"].body_text
    assert "1. Ada Adams\n2. Cai Carter" in by_to["rosa@example.org"].body_text
    assert "Rosa" not in by_to["rosa@example.org"].subject  # no member data in subjects


def test_a_second_confirmation_is_refused_and_changes_nothing(
    election: Election, returning_officer: Any
) -> None:
    count = results.run_count(actor=returning_officer, election=election, seed=3)
    results.confirm_result(actor=returning_officer, election=election, count=count)
    mails, terms = OutboundMessage.objects.count(), Term.objects.count()

    with pytest.raises(ElectionError, match="already been declared"):
        results.confirm_result(actor=returning_officer, election=election, count=count)
    with pytest.raises(ElectionError, match="declared"):
        results.run_count(actor=returning_officer, election=election)
    assert (OutboundMessage.objects.count(), Term.objects.count()) == (mails, terms)


def test_confirming_before_voting_closes_is_refused(election: Election, returning_officer: Any) -> None:
    count = results.run_count(actor=returning_officer, election=election, seed=3)
    Election.objects.filter(pk=election.pk).update(voting_closes_at=timezone.now() + dt.timedelta(hours=1))
    election.refresh_from_db()

    with pytest.raises(ElectionError, match="once voting has closed"):
        results.confirm_result(actor=returning_officer, election=election, count=count)
    election.refresh_from_db()
    assert election.confirmed_at is None and not Term.objects.filter(committee=election.committee).exists()


def test_a_count_that_is_not_the_latest_or_not_this_elections_is_refused(
    election: Election, returning_officer: Any, nc: Committee, standing: list[Member]
) -> None:
    older = results.run_count(actor=returning_officer, election=election, seed=3)
    results.run_count(actor=returning_officer, election=election, seed=4, reason="A check")
    other = make_election(
        title="Other",
        committee=CommitteeFactory.create(name="Other", kind="national"),
        electing_committee=nc,
        returning_officer=returning_officer,
        nominees=standing,
        rankings=RANKINGS,
        seats=2,
    )
    others = results.run_count(actor=returning_officer, election=other, seed=3)

    with pytest.raises(ElectionError, match="Only the latest count"):
        results.confirm_result(actor=returning_officer, election=election, count=older)
    with pytest.raises(ElectionError, match="not of this election"):
        results.confirm_result(actor=returning_officer, election=election, count=others)


def test_a_count_the_ballots_have_changed_since_is_refused(
    election: Election, returning_officer: Any
) -> None:
    count = results.run_count(actor=returning_officer, election=election, seed=3)
    # One ballot's ranking altered: the totals still add up, the count does not.
    ballot = Ballot.objects.filter(election=election).order_by("pk").first()
    assert ballot is not None
    Ballot.objects.filter(pk=ballot.pk).update(preferences=_pks(election, "Dee Doyle"))

    with pytest.raises(ElectionError, match="changed since this count"):
        results.confirm_result(actor=returning_officer, election=election, count=count)
    assert not Term.objects.filter(committee=election.committee).exists()


def test_a_count_electing_fewer_than_the_seats_is_refused_when_there_were_enough_candidates(
    election: Election, returning_officer: Any
) -> None:
    count = results.run_count(actor=returning_officer, election=election, seed=3)
    ElectionCount.objects.filter(pk=count.pk).update(elected=count.elected[:1])

    with pytest.raises(ElectionError, match="elects 1 of 2"):
        results.confirm_result(actor=returning_officer, election=election, count=count)
    assert not Term.objects.filter(committee=election.committee).exists()


def test_paper_entries_not_yet_accepted_block_the_confirmation(
    election: Election, returning_officer: Any
) -> None:
    count = results.run_count(actor=returning_officer, election=election, seed=3)
    user: Any = UserFactory(username="t1", email="t1@example.org")
    teller = Teller.objects.create(election=election, user=user)
    PaperEntry.objects.create(election=election, teller=teller, paper_number=1, preferences=[])

    with pytest.raises(ElectionError, match="paper entries have not been accepted"):
        results.confirm_result(actor=returning_officer, election=election, count=count)


def test_paper_ballots_issued_but_not_yet_entered_block_the_confirmation(
    election: Election, returning_officer: Any, standing: list[Member]
) -> None:
    """A teller handed out a paper ballot: the count cannot be declared before the papers are in."""
    count = results.run_count(actor=returning_officer, election=election, seed=3)
    voter = electorate_of(election.electing_committee, standing[0].branch, 12)[-1]  # type: ignore[arg-type]
    VoterRecord.objects.create(election=election, member=voter, method=VotedBy.PAPER)

    with pytest.raises(ElectionError, match="paper entries have not been accepted"):
        results.confirm_result(actor=returning_officer, election=election, count=count)
    assert not Term.objects.filter(committee=election.committee).exists()


def test_an_elected_member_already_holding_a_seat_refuses_the_whole_confirmation(
    election: Election, returning_officer: Any, standing: list[Member], ec: Committee
) -> None:
    start_term(
        actor=None,
        committee=ec,
        member=standing[2],
        role="member",
        starts_on=dt.date(2020, 1, 1),
        basis="co_opted",
    )
    count = results.run_count(actor=returning_officer, election=election, seed=3)

    with pytest.raises(ElectionError, match="Cai Carter already holds that role on Executive Committee"):
        results.confirm_result(actor=returning_officer, election=election, count=count)
    election.refresh_from_db()
    assert election.confirmed_at is None
    assert Term.objects.filter(committee=ec).count() == 1  # only the co-opted term; Ada's was rolled back
    assert not OutboundMessage.objects.filter(key__startswith=f"election-{election.pk}-").exists()


def test_an_election_at_a_conference_gives_terms_elected_at_that_conference(
    member: Member, standing: list[Member], returning_officer: Any, ec: Committee, nc: Committee
) -> None:
    from tests.conference.programme_objects import programme_conference

    conference = programme_conference("results-conference", 2091)
    Registration.objects.create(
        conference=conference,
        member=member,
        name="Rosa Lund",
        email="rosa@example.org",
        fee_band="waged",
        entitled=True,
    )
    # Entitlement is the conference's rule, not the stored flag: the CAC's exception gives Rosa the vote
    # whatever the 2091 cut-off makes of her dues.
    EligibilityException.objects.create(conference=conference, member=member, reason="Entitled in this test")
    election = make_election(
        title="National Committee 2091",
        committee=ec,
        electing_committee=nc,
        returning_officer=returning_officer,
        nominees=standing,
        rankings=RANKINGS,
        seats=2,
    )
    Election.objects.filter(pk=election.pk).update(conference=conference, electing_committee=None)
    election.refresh_from_db()
    register_conference_voters(conference, election, besides=member)
    count = results.run_count(actor=returning_officer, election=election, seed=3)

    results.confirm_result(actor=returning_officer, election=election, count=count)

    terms = Term.objects.filter(committee=ec)
    assert {(t.basis, t.basis_detail) for t in terms} == {
        (TermBasis.ELECTED_AT_CONFERENCE, "Elected at Conference 2091")
    }
    mailed = set(
        OutboundMessage.objects.filter(key__startswith=f"election-{election.pk}-").values_list(
            "to", flat=True
        )
    )
    voters = set(election.voter_records.values_list("member__user__email", flat=True))
    assert mailed == voters | {p.user.email for p in standing}


def test_an_uncontested_election_elects_everyone_standing_without_ballots(
    nc: Committee, ec: Committee, standing: list[Member], returning_officer: Any
) -> None:
    election = make_election(
        title="Uncontested",
        committee=ec,
        electing_committee=nc,
        returning_officer=returning_officer,
        nominees=standing[:2],
        rankings=[],
        seats=2,
    )
    count = results.run_count(actor=returning_officer, election=election, seed=3)

    assert count.result["elected"] == ["Ada Adams", "Ben Brown"]
    results.confirm_result(actor=returning_officer, election=election, count=count)
    assert Term.objects.filter(committee=ec).count() == 2


def test_a_contested_election_with_no_ballots_is_not_counted(
    nc: Committee, ec: Committee, standing: list[Member], returning_officer: Any
) -> None:
    election = make_election(
        title="Empty",
        committee=ec,
        electing_committee=nc,
        returning_officer=returning_officer,
        nominees=standing,
        rankings=[],
        seats=2,
    )
    with pytest.raises(ElectionError, match="no ballots"):
        results.run_count(actor=returning_officer, election=election)


# BLT files ----------------------------------------------------------------------------------------------
def test_the_exported_ballots_read_back_to_the_same_count(election: Election, returning_officer: Any) -> None:
    count = results.run_count(actor=returning_officer, election=election, seed=5)

    read = blt.read_blt(results.export_blt(election))

    assert read.candidates == NAMES and read.seats == 2 and read.title == "Executive Committee 2027"
    assert stv.count(read.candidates, read.seats, read.ballots, seed=5).as_dict() == count.result


def test_the_export_is_anonymised_identical_rankings_merged_and_sorted_without_receipts(
    election: Election,
) -> None:
    text = results.export_blt(election)

    receipts = Ballot.objects.filter(election=election).values_list("receipt", flat=True)
    assert all(receipt and receipt not in text for receipt in receipts)
    assert text.splitlines()[:6] == ["4 2", "4 1 2 0", "2 1 3 0", "2 2 0", "2 3 4 0", "1 4 3 0"]


def _imported(election: Election) -> list[list[int]]:
    return sorted(
        Ballot.objects.filter(election=election, source=BallotSource.IMPORTED).values_list(
            "preferences", flat=True
        )
    )


GOOD = '4 2\n3 2 1 0\n1 4 0\n0\n"Ada Adams"\n"Ben Brown"\n"Cai Carter"\n"Dee Doyle"\n"Paper count"\n'


@pytest.mark.usefixtures("off_system")
def test_an_imported_file_adds_its_ballots_one_row_per_paper(
    election: Election, returning_officer: Any
) -> None:
    papers = results.import_blt(actor=returning_officer, election=election, text=GOOD)

    ada, ben, dee = _pks(election, "Ada Adams", "Ben Brown", "Dee Doyle")
    assert papers == 4
    assert _imported(election) == sorted([[ben, ada]] * 3 + [[dee]])
    assert Ballot.objects.filter(election=election).count() == 15
    assert AuditEntry.objects.get(action="election.ballots_imported").detail["papers"] == 4


@pytest.mark.usefixtures("off_system")
def test_candidates_are_matched_by_name_whatever_the_order_and_case(
    election: Election, returning_officer: Any
) -> None:
    text = '4 2\n1 1 0\n0\n"DEE DOYLE"\n"Cai  Carter"\nAda Adams\n"Ben Brown"\n"x"\n'

    results.import_blt(actor=returning_officer, election=election, text=text)

    assert _imported(election) == [_pks(election, "Dee Doyle")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '4 2\n1 1 0\n0\n"Ada Adams"\n"Ben Brown"\n"Cai Carter"\n"Dee Boyle"\n"x"\n',
            "Candidates missing from the file: Dee Doyle. In the file but not candidates here: Dee Boyle.",
        ),
        ('4 2\n1 5 0\n0\n"Ada Adams"\n"Ben Brown"\n"Cai Carter"\n"Dee Doyle"\n"x"\n', "line 2: preference 5"),
        (
            '4 2\n1 1 2\n0\n"Ada Adams"\n"Ben Brown"\n"Cai Carter"\n"Dee Doyle"\n"x"\n',
            "line 2: the ballot does not end",
        ),
        ("4 2\n1 1 0\n", "the ballots do not end with a line holding only 0"),
        (
            '4 3\n1 1 0\n0\n"Ada Adams"\n"Ben Brown"\n"Cai Carter"\n"Dee Doyle"\n"x"\n',
            "for 3 seats; this election",
        ),
        (
            '4 2\n-4\n1 1 0\n0\n"Ada Adams"\n"Ben Brown"\n"Cai Carter"\n"Dee Doyle"\n"x"\n',
            "marks Dee Doyle as withdrawn",
        ),
        (
            '4 2\n0 1 0\n0\n"Ada Adams"\n"Ben Brown"\n"Cai Carter"\n"Dee Doyle"\n"x"\n',
            "holds no ballot papers",
        ),
        ("", "empty"),
    ],
)
@pytest.mark.usefixtures("off_system")
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_written(
    election: Election, returning_officer: Any, text: str, message: str
) -> None:
    before = list(Ballot.objects.order_by("pk").values_list("pk", "preferences"))

    with pytest.raises(ElectionError) as refused:
        results.import_blt(actor=returning_officer, election=election, text=text)

    assert message in str(refused.value)
    assert list(Ballot.objects.order_by("pk").values_list("pk", "preferences")) == before
    assert not AuditEntry.objects.filter(action="election.ballots_imported").exists()


@pytest.mark.usefixtures("off_system")
def test_a_second_import_replaces_the_first_only_when_asked(
    election: Election, returning_officer: Any
) -> None:
    results.import_blt(actor=returning_officer, election=election, text=GOOD)
    again = GOOD.replace("3 2 1 0", "2 3 0")

    with pytest.raises(ElectionError, match="imported already"):
        results.import_blt(actor=returning_officer, election=election, text=again)
    results.import_blt(
        actor=returning_officer, election=election, text=again, replace=True, reason="The wrong ward's file"
    )

    cai, dee = _pks(election, "Cai Carter", "Dee Doyle")
    assert _imported(election) == sorted([[cai], [cai], [dee]])
    assert Ballot.objects.filter(election=election).exclude(source=BallotSource.IMPORTED).count() == 11


@pytest.mark.usefixtures("off_system")
def test_importing_the_elections_own_export_is_refused(election: Election, returning_officer: Any) -> None:
    with pytest.raises(ElectionError, match="count every ballot twice"):
        results.import_blt(actor=returning_officer, election=election, text=results.export_blt(election))
    assert not _imported(election)


@pytest.mark.usefixtures("off_system")
def test_import_is_refused_before_voting_closes_after_the_result_and_to_anyone_but_the_ro(
    election: Election, returning_officer: Any, national_office: Any
) -> None:
    with pytest.raises(ElectionError, match="returning officer"):
        results.import_blt(actor=national_office, election=election, text=GOOD)
    with (
        time_machine.travel(election.voting_closes_at - dt.timedelta(minutes=1), tick=False),
        pytest.raises(ElectionError, match="once voting has closed"),
    ):
        results.import_blt(actor=returning_officer, election=election, text=GOOD)
    count = results.run_count(actor=returning_officer, election=election, seed=1)
    results.confirm_result(actor=returning_officer, election=election, count=count)
    with pytest.raises(ElectionError, match="declared"):
        results.import_blt(actor=returning_officer, election=election, text=GOOD)
    assert not _imported(election)


# Who reads the result ---------------------------------------------------------------------------------
def test_the_result_is_read_by_the_ro_before_and_the_electorate_candidates_and_officers_after(
    election: Election,
    returning_officer: Any,
    member: Member,
    standing: list[Member],
    national_office: Any,
    london: Any,
) -> None:
    cac = make_officer(Role.CAC, email="cac@example.org")
    outsider = make_member(
        london, full_name="Not On NC", user=UserFactory(username="not", email="not@example.org")
    )
    readers = [member.user, standing[1].user, national_office, cac]

    assert results.may_read_result(returning_officer, election)
    assert not any(results.may_read_result(user, election) for user in readers)
    count = results.run_count(actor=returning_officer, election=election, seed=1)
    results.confirm_result(actor=returning_officer, election=election, count=count)
    election.refresh_from_db()

    assert all(results.may_read_result(user, election) for user in readers)
    assert not results.may_read_result(outsider.user, election)
