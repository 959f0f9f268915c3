"""Setting elections up and nominations: every rule, a clear refusal, nothing written when refused.

The people and elections are in tests/conference/election_world.py: the
NC's election at the 2027 conference and the EC's by the NC, with Ann, Bob
and Cat on the NC, Dora registered for the conference, Una (never paid),
Alex (an applicant) and Rita the returning officer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from awl.models import AuditEntry, OutboundMessage
from conference.elections.models import Election, Nomination, NominationStatus
from conference.elections.services import nominations
from conference.elections.services.elections import ElectionError, can_view
from conference.models import Conference
from members.models import Branch, DuesRate, Member, Role
from tests.conference.election_world import (
    AFTER,
    BETWEEN,
    NOMINATING,
    SETTING_UP,
    VOTING,
    World,
    build,
    candidate,
    ec_details,
    in_2027,
    nc_details,
    nominate,
)
from tests.conference.election_world import nominating as nominating  # a fixture
from tests.conference.election_world import world as world  # a fixture
from tests.factories import UserFactory, make_officer
from tests.helpers.concurrency import in_parallel, said


def audit_actions(election: Election) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_id=str(election.pk), action__startswith="election.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


# Setting up ------------------------------------------------------------------------------------------
def test_the_cac_sets_up_an_election_at_a_conference_and_it_is_audited(world: World, cac: Any) -> None:
    with time_machine.travel(SETTING_UP, tick=False):
        election = nominations.create_election(
            actor=cac, fields=nc_details(world.conference, world.nc, world.ro, title="  NC by-election  ")
        )

    assert (election.title, election.conference, election.electing_committee) == (
        "NC by-election",
        world.conference,
        None,
    )
    assert election.created_by == cac
    [entry] = AuditEntry.objects.filter(action="election.created", target_id=str(election.pk))
    assert entry.actor == cac and entry.detail["seats"] == 20


def test_only_the_national_office_or_the_cac_sets_up_an_election(world: World) -> None:
    before = Election.objects.count()
    with time_machine.travel(SETTING_UP, tick=False), pytest.raises(ElectionError, match="national office"):
        nominations.create_election(
            actor=world.ann.user, fields=nc_details(world.conference, world.nc, world.ro)
        )
    assert Election.objects.count() == before


BAD_DETAILS: list[tuple[str, dict[str, Any], str]] = [
    ("nominations close before they open", {"nominations_close_at": in_2027(2, 28, 9)},
     "close after they open"),
    ("voting opens before nominations close", {"voting_opens_at": in_2027(4, 29, 9)},
     "before nominations close"),
    ("voting closes before it opens", {"voting_closes_at": in_2027(5, 29, 8)}, "close after it opens"),
    ("no seats", {"seats": 0}, "between 1 and 200 seats"),
    ("too many seats", {"seats": 201}, "between 1 and 200 seats"),
    ("a word limit too small", {"statement_word_limit": 5}, "between 10 and 2000"),
    ("terms before voting closes", {"term_starts_on": dt.date(2027, 5, 29)}, "cannot start before voting"),
    ("terms ending before they start", {"term_ends_on": dt.date(2027, 5, 30)}, "end after they start"),
    ("no title", {"title": "   "}, "title"),
    ("a window missing", {"voting_opens_at": None}, "Give when nominations open"),
    ("already over", {"voting_closes_at": in_2027(1, 31, 9), "voting_opens_at": in_2027(1, 30, 9),
                      "nominations_close_at": in_2027(1, 29, 9), "nominations_open_at": in_2027(1, 28, 9),
                      "term_starts_on": dt.date(2027, 2, 1)}, "already have closed"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "message"), [b[1:] for b in BAD_DETAILS], ids=[b[0] for b in BAD_DETAILS]
)
def test_bad_details_are_refused_with_a_clear_message_and_nothing_written(
    world: World, changes: dict[str, Any], message: str
) -> None:
    before = Election.objects.count()
    with time_machine.travel(SETTING_UP, tick=False), pytest.raises(ElectionError, match=message):
        nominations.create_election(
            actor=None, fields=nc_details(world.conference, world.nc, world.ro, **changes)
        )
    assert Election.objects.count() == before


def test_who_elects_whom_is_the_committees_rule(world: World) -> None:
    """The NC at conference, the EC by the NC: the other way round is refused, as is both or neither."""
    cases = [
        (nc_details(world.conference, world.nc, world.ro, conference=None, electing_committee=world.ec),
         "elected at conference: choose the conference"),
        (ec_details(world.nc, world.ec, world.ro, electing_committee=None, conference=world.conference),
         "elected by the National Committee: hold the election by that committee"),
        (ec_details(world.nc, world.ec, world.ro, electing_committee=world.ec),
         "elected by the National Committee"),
        (nc_details(world.conference, world.nc, world.ro, electing_committee=world.nc),
         "at one conference, or by one committee"),
        (nc_details(world.conference, world.nc, world.ro, conference=None),
         "at one conference, or by one committee"),
        (ec_details(world.nc, world.ec, world.ro, present_only=True), "limited to those present"),
    ]  # fmt: skip
    before = Election.objects.count()
    with time_machine.travel(SETTING_UP, tick=False):
        for details, message in cases:
            with pytest.raises(ElectionError, match=message):
                nominations.create_election(actor=None, fields=details)
    assert Election.objects.count() == before


def test_an_inactive_returning_officer_is_refused(world: World) -> None:
    gone = UserFactory(username="gone", email="gone@example.org", is_active=False)
    with time_machine.travel(SETTING_UP, tick=False), pytest.raises(ElectionError, match="returning officer"):
        nominations.create_election(actor=None, fields=nc_details(world.conference, world.nc, gone))


def test_before_nominations_open_anything_may_change(world: World, cac: Any) -> None:
    with time_machine.travel(SETTING_UP, tick=False):
        election = nominations.update_election(
            actor=cac, election=world.nc_election, fields={"seats": 15, "present_only": True}
        )

    election.refresh_from_db()
    assert (election.seats, election.present_only) == (15, True)
    assert audit_actions(election) == ["election.created", "election.updated"]
    with (
        time_machine.travel(SETTING_UP, tick=False),
        pytest.raises(ElectionError, match="close after they open"),
    ):
        nominations.update_election(
            actor=cac, election=election, fields={"nominations_close_at": in_2027(2, 1, 9)}
        )
    election.refresh_from_db()
    assert election.nominations_close_at == in_2027(4, 30, 17)


def test_once_nominations_open_only_the_returning_officer_extends_closing_times(
    world: World, cac: Any, national_office: Any, nominating: Any
) -> None:
    """Neither the CAC nor the national office holds a power inside a running election (issue 14)."""
    election = world.ec_election

    for outsider in (cac, national_office):
        with pytest.raises(ElectionError, match="only the returning officer can change it now"):
            nominations.update_election(
                actor=outsider, election=election, fields={"voting_closes_at": in_2027(4, 10, 14)}
            )
    with pytest.raises(ElectionError, match="only the closing times can be extended"):
        nominations.update_election(actor=world.ro, election=election, fields={"seats": 6})
    with pytest.raises(ElectionError, match="extended, not brought forward"):
        nominations.update_election(
            actor=world.ro, election=election, fields={"nominations_close_at": in_2027(3, 15, 17)}
        )
    with pytest.raises(ElectionError, match="Voting cannot open before nominations close"):
        nominations.update_election(
            actor=world.ro, election=election, fields={"nominations_close_at": in_2027(4, 11, 9)}
        )
    election.refresh_from_db()
    assert (election.seats, election.nominations_close_at) == (5, in_2027(3, 20, 17))

    nominations.update_election(
        actor=world.ro, election=election, fields={"nominations_close_at": in_2027(3, 27, 17)}
    )
    nominations.update_election(
        actor=world.ro, election=election, fields={"voting_closes_at": in_2027(4, 10, 15)}
    )
    election.refresh_from_db()
    assert (election.nominations_close_at, election.voting_closes_at) == (
        in_2027(3, 27, 17),
        in_2027(4, 10, 15),
    )


def test_closing_times_that_have_passed_cannot_move(world: World) -> None:
    election = world.ec_election
    with (
        time_machine.travel(BETWEEN, tick=False),
        pytest.raises(ElectionError, match="Nominations have closed"),
    ):
        nominations.update_election(
            actor=world.ro, election=election, fields={"nominations_close_at": in_2027(3, 28, 9)}
        )
    with time_machine.travel(VOTING, tick=False):  # still open: voting may run longer
        nominations.update_election(
            actor=world.ro, election=election, fields={"voting_closes_at": in_2027(4, 10, 16)}
        )
    with time_machine.travel(AFTER, tick=False), pytest.raises(ElectionError, match="Voting has closed"):
        nominations.update_election(
            actor=world.ro, election=election, fields={"voting_closes_at": in_2027(4, 13, 16)}
        )


# Nominating ------------------------------------------------------------------------------------------
def test_a_member_of_the_electorate_nominates_another_with_a_seconder(world: World) -> None:
    nomination = nominate(world, world.ec_election, world.cat, proposer=world.ann, seconder=world.bob)

    assert (nomination.status, nomination.proposer, nomination.seconder) == (
        NominationStatus.PENDING,
        world.ann,
        world.bob,
    )
    assert nomination.ballot_name == "Cat Cole"
    invite = OutboundMessage.objects.get(key__endswith=f"nomination-{nomination.pk}-nominated")
    assert invite.to == world.cat.user.email
    assert f"/elections/respond/{nomination.token}/" in invite.body_text
    assert "Cat" not in invite.subject and "Ann" not in invite.subject  # no member data in subjects
    told = OutboundMessage.objects.get(key__endswith=f"nomination-{nomination.pk}-seconder")
    assert told.to == world.bob.user.email and "Ann Able has nominated Cat Cole" in told.body_text
    assert audit_actions(world.ec_election) == ["election.created", "election.nominated"]


def test_the_seconder_is_not_given_an_empty_address_while_no_returning_officer_is_appointed(
    world: World,
) -> None:
    Election.objects.filter(pk=world.ec_election.pk).update(returning_officer=None)
    world.ec_election.refresh_from_db()

    nomination = nominate(world, world.ec_election, world.cat, proposer=world.ann, seconder=world.bob)

    told = OutboundMessage.objects.get(key__endswith=f"nomination-{nomination.pk}-seconder")
    for body in (told.body_text, told.body_html):
        assert "tell the returning officer (not appointed yet: the election's page will name them)" in body
        assert "()" not in body and 'mailto:"' not in body


def test_a_member_nominates_themself_where_the_election_allows_it(world: World, nominating: Any) -> None:
    mine = nominations.nominate(actor=world.ann.user, election=world.ec_election, nominee=world.ann)
    assert mine.self_nominated and mine.seconder is None

    with pytest.raises(ElectionError, match="has no seconder"):
        nominations.nominate(
            actor=world.bob.user, election=world.ec_election, nominee=world.bob, seconder=world.cat
        )
    Election.objects.filter(pk=world.ec_election.pk).update(self_nomination=False)
    with pytest.raises(ElectionError, match="takes no self-nominations"):
        nominations.nominate(actor=world.bob.user, election=world.ec_election, nominee=world.bob)
    assert list(Nomination.objects.values_list("nominee", flat=True)) == [world.ann.pk]


def bad_nominations(world: World) -> list[tuple[str, Election, Member, Member, Member | None, str]]:
    """(case, election, proposer, nominee, seconder, message)."""
    ec, nc = world.ec_election, world.nc_election
    return [
        ("an applicant", nc, world.ann, world.alex, world.bob, "Alex Applicant is not a member, so cannot"),
        ("not in good standing", nc, world.ann, world.una, world.bob, "not a member in good standing"),
        ("not on the NC, for the EC", ec, world.ann, world.dora, world.bob,
         "Only members of the National Committee may stand"),
        ("seconded by the proposer", ec, world.ann, world.cat, world.ann, "another member, not the proposer"),
        ("seconded by the nominee", ec, world.ann, world.cat, world.cat, "cannot second their own"),
        ("no seconder", ec, world.ann, world.cat, None, "Name a seconder"),
        ("a seconder outside the electorate", ec, world.ann, world.cat, world.dora,
         "Dora Delegate is not in this election's electorate"),
        ("a proposer outside the electorate", ec, world.dora, world.cat, world.ann,
         "Only members of the National Committee take part"),
        ("a proposer not registered for the conference", nc, world.una, world.ann, world.bob,
         "Only members registered for"),
    ]  # fmt: skip


BAD_CASES = [
    "an applicant",
    "not in good standing",
    "not on the NC, for the EC",
    "seconded by the proposer",
    "seconded by the nominee",
    "no seconder",
    "a seconder outside the electorate",
    "a proposer outside the electorate",
    "a proposer not registered for the conference",
]


@pytest.mark.parametrize("case", BAD_CASES)
def test_a_bad_nomination_is_refused_with_a_clear_message_and_nothing_written(
    world: World, nominating: Any, case: str
) -> None:
    [(_, election, proposer, nominee, seconder, message)] = [
        c for c in bad_nominations(world) if c[0] == case
    ]
    if case == "a proposer not registered for the conference":
        from tests.factories import pay

        pay(world.una, "240.00", paid_on=dt.date(2027, 3, 9))  # a member now, but not registered

    with pytest.raises(ElectionError, match=message):
        nominations.nominate(actor=proposer.user, election=election, nominee=nominee, seconder=seconder)

    assert not Nomination.objects.exists()
    assert not OutboundMessage.objects.filter(key__contains="-nomination-").exists()


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (in_2027(3, 1, 8, 59), "Nominations open on 1 March 2027, 09:00"),
        (in_2027(3, 20, 17), "closed on 20 March 2027, 17:00"),
    ],
    ids=["before-opening", "at-closing"],
)
def test_nominating_outside_the_window_is_refused(world: World, moment: dt.datetime, message: str) -> None:
    with time_machine.travel(moment, tick=False), pytest.raises(ElectionError, match=message):
        nominations.nominate(
            actor=world.ann.user, election=world.ec_election, nominee=world.cat, seconder=world.bob
        )
    assert not Nomination.objects.exists()


def test_the_returning_officer_cannot_stand_and_no_one_is_nominated_twice(
    world: World, nominating: Any
) -> None:
    Election.objects.filter(pk=world.ec_election.pk).update(returning_officer=world.cat.user)
    with pytest.raises(ElectionError, match="returning officer cannot stand"):
        nominations.nominate(
            actor=world.ann.user, election=world.ec_election, nominee=world.cat, seconder=world.bob
        )

    nominations.nominate(
        actor=world.ann.user, election=world.nc_election, nominee=world.cat, seconder=world.bob
    )
    with pytest.raises(ElectionError, match="Cat Cole is already nominated"):
        nominations.nominate(
            actor=world.bob.user, election=world.nc_election, nominee=world.cat, seconder=world.ann
        )
    assert Nomination.objects.count() == 1


def test_after_withdrawing_or_declining_a_member_may_be_nominated_again(
    world: World, nominating: Any
) -> None:
    first = nominations.nominate(
        actor=world.ann.user, election=world.ec_election, nominee=world.cat, seconder=world.bob
    )
    nominations.decline_nomination(token=first.token)
    again = nominations.nominate(
        actor=world.bob.user, election=world.ec_election, nominee=world.cat, seconder=world.ann
    )
    assert again.pk != first.pk and again.status == NominationStatus.PENDING


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("friendly_check", [True, False], ids=["as-written", "constraint-alone"])
def test_parallel_nominations_of_one_member_make_one_nomination(
    conference: Conference,
    london: Branch,
    dues_rates: dict[str, DuesRate],
    delegate: Member,
    monkeypatch: pytest.MonkeyPatch,
    friendly_check: bool,
) -> None:
    """Two proposers at once (or one double click): one row; the other is told, not given a 500.

    The second run takes away the check before the insert, to show that the unique constraint alone holds
    the line (the check only spares the database an insert it would refuse).
    """
    world = build(conference, london, delegate)
    if not friendly_check:
        monkeypatch.setattr(nominations, "already_nominated", lambda election, nominee: False)
    attempts = 6
    pairs = [(world.ann, world.bob), (world.bob, world.ann)] * (attempts // 2)

    def attempt(n: int) -> None:
        proposer, seconder = pairs[n]
        nominations.nominate(
            actor=proposer.user, election=world.ec_election, nominee=world.cat, seconder=seconder
        )

    with time_machine.travel(NOMINATING, tick=False):
        outcomes = said(in_parallel(attempts, attempt, refused=ElectionError), "nominated")

    assert outcomes.count("nominated") == 1
    assert set(outcomes) - {"nominated"} == {"Cat Cole is already nominated in this election."}
    assert Nomination.objects.filter(election=world.ec_election, nominee=world.cat).count() == 1
    assert OutboundMessage.objects.filter(key__endswith="-nominated", to=world.cat.user.email).count() == 1


# The nominee's answer ------------------------------------------------------------------------------------
def test_the_nominee_accepts_with_a_statement_and_a_ballot_name_and_the_proposer_is_told(
    world: World, nominating: Any
) -> None:
    nomination = nominations.nominate(
        actor=world.ann.user, election=world.ec_election, nominee=world.cat, seconder=world.bob
    )
    accepted = nominations.accept_nomination(
        token=nomination.token,
        statement="  I will fight for the branches.\n\nVote Cat.  ",
        ballot_name=" Cat  Cole ",
    )

    assert (accepted.status, accepted.ballot_name) == (NominationStatus.ACCEPTED, "Cat Cole")
    assert accepted.statement == "I will fight for the branches.\n\nVote Cat."
    assert accepted.responded_at == NOMINATING
    told = OutboundMessage.objects.get(key__endswith=f"nomination-{nomination.pk}-accepted")
    assert told.to == world.ann.user.email
    with pytest.raises(ElectionError, match="already accepted"):
        nominations.accept_nomination(token=nomination.token, statement="Again", ballot_name="Cat")


def test_a_statement_over_the_word_limit_is_refused_and_nothing_changes(
    world: World, nominating: Any
) -> None:
    nomination = nominations.nominate(
        actor=world.ann.user, election=world.ec_election, nominee=world.cat, seconder=world.bob
    )
    with pytest.raises(ElectionError, match="101 words; the limit is 100"):
        nominations.accept_nomination(token=nomination.token, statement="word " * 101, ballot_name="Cat Cole")
    with pytest.raises(ElectionError, match="name to print on the ballot paper"):
        nominations.accept_nomination(token=nomination.token, statement="Fine.", ballot_name="   ")

    nomination.refresh_from_db()
    assert (nomination.status, nomination.statement) == (NominationStatus.PENDING, "")
    nominations.accept_nomination(token=nomination.token, statement="word " * 100, ballot_name="Cat Cole")


def test_accepting_after_nominations_close_is_refused(world: World) -> None:
    nomination = nominate(world, world.ec_election, world.cat, proposer=world.ann, seconder=world.bob)
    with (
        time_machine.travel(in_2027(3, 20, 17), tick=False),
        pytest.raises(ElectionError, match="too late to accept"),
    ):
        nominations.accept_nomination(token=nomination.token, statement="Late", ballot_name="Cat Cole")
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PENDING


@pytest.mark.parametrize("token", ["", "0" * 32, "not-a-token", "x" * 500])
def test_a_tampered_token_is_refused(world: World, nominating: Any, token: str) -> None:
    nominate(world, world.ec_election, world.cat, proposer=world.ann, seconder=world.bob)
    with pytest.raises(ElectionError, match="not valid"):
        nominations.accept_nomination(token=token, statement="Mine now", ballot_name="Mallory")
    with pytest.raises(ElectionError, match="not valid"):
        nominations.decline_nomination(token=token)
    assert set(Nomination.objects.values_list("status", flat=True)) == {NominationStatus.PENDING}


def test_a_nominee_who_lapsed_since_being_nominated_cannot_accept(world: World, nominating: Any) -> None:
    nomination = nominations.nominate(
        actor=world.ann.user, election=world.ec_election, nominee=world.cat, seconder=world.bob
    )
    world.cat.committee_terms.update(ends_on=dt.date(2027, 3, 9))
    with pytest.raises(ElectionError, match="Only members of the National Committee may stand"):
        nominations.accept_nomination(token=nomination.token, statement="Still here", ballot_name="Cat Cole")


def test_declining_is_recorded_and_the_proposer_told(world: World, nominating: Any) -> None:
    nomination = nominations.nominate(
        actor=world.ann.user, election=world.ec_election, nominee=world.cat, seconder=world.bob
    )
    nominations.decline_nomination(token=nomination.token)

    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.DECLINED and nomination.responded_at == NOMINATING
    assert (
        OutboundMessage.objects.get(key__endswith=f"nomination-{nomination.pk}-declined").to
        == world.ann.user.email
    )
    with pytest.raises(ElectionError, match="was declined"):
        nominations.accept_nomination(token=nomination.token, statement="Changed my mind", ballot_name="Cat")


# The candidate's statement and withdrawal ----------------------------------------------------------------
def test_the_candidate_edits_their_statement_until_voting_opens(world: World) -> None:
    mine = candidate(world.ec_election, world.cat)
    with time_machine.travel(BETWEEN, tick=False):
        nominations.edit_statement(
            actor=world.cat.user, nomination=mine, statement="New words.", ballot_name="Cat C."
        )
        with pytest.raises(ElectionError, match="Only the nominee"):
            nominations.edit_statement(
                actor=world.ann.user, nomination=mine, statement="Hijack", ballot_name="X"
            )
        with pytest.raises(ElectionError, match="101 words"):
            nominations.edit_statement(
                actor=world.cat.user, nomination=mine, statement="w " * 101, ballot_name="Cat"
            )
    with time_machine.travel(VOTING, tick=False), pytest.raises(ElectionError, match="Voting has opened"):
        nominations.edit_statement(
            actor=world.cat.user, nomination=mine, statement="Too late", ballot_name="Cat"
        )

    mine.refresh_from_db()
    # A name other than her own is a request for the returning officer (test_ballot_names.py).
    assert (mine.statement, mine.ballot_name, mine.requested_ballot_name) == (
        "New words.",
        "Cat Cole",
        "Cat C.",
    )


def test_a_candidate_withdraws_before_voting_opens_and_the_proposer_is_told(world: World) -> None:
    nomination = nominate(world, world.ec_election, world.cat, proposer=world.ann, seconder=world.bob)
    with time_machine.travel(NOMINATING, tick=False):
        nominations.accept_nomination(token=nomination.token, statement="", ballot_name="Cat Cole")
    with time_machine.travel(BETWEEN, tick=False):
        with pytest.raises(ElectionError, match="Only the nominee"):
            nominations.withdraw_nomination(actor=world.ann.user, nomination=nomination)
        nominations.withdraw_nomination(actor=world.cat.user, nomination=nomination)

    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.WITHDRAWN and nomination.withdrawn_at == BETWEEN
    assert (
        OutboundMessage.objects.get(key__endswith=f"nomination-{nomination.pk}-withdrawn").to
        == world.ann.user.email
    )
    assert "election.nomination_withdrawn" in audit_actions(world.ec_election)


def test_withdrawing_after_voting_opens_is_refused(world: World) -> None:
    mine = candidate(world.ec_election, world.cat)
    with (
        time_machine.travel(VOTING, tick=False),
        pytest.raises(ElectionError, match="can no longer withdraw"),
    ):
        nominations.withdraw_nomination(actor=world.cat.user, nomination=mine)
    mine.refresh_from_db()
    assert mine.status == NominationStatus.ACCEPTED


# Who may see an election ------------------------------------------------------------------------------
def test_a_committee_election_is_seen_by_its_electorate_officers_and_those_in_it_only(
    world: World, cac: Any, national_office: Any, nominating: Any
) -> None:
    ec = world.ec_election
    teller: Any = UserFactory(username="teller", email="teller@example.org")
    ec.tellers.create(user=teller)
    organiser = make_officer(Role.BRANCH_ORGANISER, world.ann.branch, email="organiser@example.org")

    seen = {
        "NC member": world.ann.user,
        "CAC": cac,
        "national office": national_office,
        "returning officer": world.ro,
        "teller": teller,
    }
    unseen = {
        "member not on the NC": world.dora.user,
        "branch organiser": organiser,
        "applicant": world.alex.user,
    }
    assert {who: can_view(user, ec) for who, user in seen.items()} == dict.fromkeys(seen, True)
    assert {who: can_view(user, ec) for who, user in unseen.items()} == dict.fromkeys(unseen, False)

    # Named in a nomination (here a seconder who has since left the NC): they may follow it.
    nominations.nominate(actor=world.ann.user, election=ec, nominee=world.cat, seconder=world.bob)
    world.bob.committee_terms.update(ends_on=dt.date(2027, 3, 9))
    assert can_view(world.bob.user, ec)


def test_a_conference_election_is_seen_by_members_and_those_registered(world: World, nominating: Any) -> None:
    nc = world.nc_election
    outsider = UserFactory.create(username="outsider", email="outsider@example.org")
    assert can_view(world.dora.user, nc) and can_view(world.una.user, nc)  # members, registered or not
    assert not can_view(world.alex.user, nc) and not can_view(outsider, nc)
