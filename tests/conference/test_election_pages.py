"""The election and nomination pages: who gets what, London times, escaped statements, constant queries.

The people and elections are in tests/conference/election_world.py. Every
rule is the services' (tests/conference/test_nominations.py); these tests
check that the pages call them, show their refusals (status 409, nothing
written) and show each person only what is theirs to see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from conference.elections.models import Election, Nomination, NominationStatus
from conference.elections.services import nominations
from tests.conference.election_world import (
    BETWEEN,
    NOMINATING,
    SETTING_UP,
    VOTING,
    World,
    candidate,
    ec_details,
    nominate,
)
from tests.conference.election_world import nominating as nominating  # a fixture
from tests.conference.election_world import world as world  # a fixture
from tests.factories import UserFactory, make_member

UTC = dt.UTC


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page(name: str, *args: Any) -> str:
    return reverse(f"conference:{name}", args=args)


# Setting up ------------------------------------------------------------------------------------------
def setup_post(world: World, **changes: str) -> dict[str, str]:
    return {
        "title": "NC by-election 2027",
        "committee": str(world.nc.pk),
        "held_by": f"conference-{world.conference.pk}",
        "seats": "2",
        "nominations_open_at": "2027-03-01T09:00",
        "nominations_close_at": "2027-04-30T17:00",
        "voting_opens_at": "2027-05-29T09:00",
        "voting_closes_at": "2027-05-30T16:00",
        "statement_word_limit": "300",
        "self_nomination": "on",
        "returning_officer_email": "RITA.Returning@example.org",
        "term_starts_on": "2027-05-30",
        "term_ends_on": "",
    } | changes


def test_the_office_sets_up_an_election_in_london_time(world: World, national_office: Any) -> None:
    with time_machine.travel(SETTING_UP, tick=False):
        office = client_for(national_office)
        form = office.get(page("election_add"))
        # Naming the returning officer is the CAC's appointment: the office is told, nothing written.
        naming = office.post(page("election_add"), setup_post(world))
        response = office.post(page("election_add"), setup_post(world, returning_officer_email=""))

    assert form.status_code == 200
    assert naming.status_code == 409
    assert (
        "Only the conference arrangements committee appoints the returning officer" in naming.content.decode()
    )
    election = Election.objects.get(title="NC by-election 2027")
    assert response.status_code == 302 and response["Location"] == page("election_detail", election.pk)
    assert election.voting_opens_at == dt.datetime(2027, 5, 29, 8, tzinfo=UTC)  # 09:00 British Summer Time
    assert election.nominations_open_at == dt.datetime(2027, 3, 1, 9, tzinfo=UTC)  # 09:00 GMT
    assert (election.returning_officer, election.conference, election.seats) == (None, world.conference, 2)
    assert election.self_nomination and not election.present_only


@pytest.mark.parametrize(
    ("changes", "message", "status"),
    [
        ({"voting_opens_at": "2027-04-29T09:00"}, "Voting cannot open before nominations close.", 409),
        ({"held_by": "committee-0"}, "Choose a conference or a committee.", 200),
        ({"returning_officer_email": "nobody@example.org"}, "No account has this e-mail address", 200),
        ({"nominations_close_at": "2027-03-28T01:30"}, "nominations_close_at", 200),  # the clocks go forward
        ({"seats": "0"}, "greater than or equal to 1", 200),
    ],
    ids=[
        "windows-out-of-order",
        "unknown-committee",
        "unknown-returning-officer",
        "skipped-hour",
        "no-seats",
    ],
)
def test_the_set_up_form_refuses_bad_details_and_writes_nothing(
    world: World, national_office: Any, changes: dict[str, str], message: str, status: int
) -> None:
    before = Election.objects.count()
    with time_machine.travel(SETTING_UP, tick=False):
        response = client_for(national_office).post(page("election_add"), setup_post(world, **changes))

    assert response.status_code == status
    if message == "nominations_close_at":
        assert response.context["form"].errors["nominations_close_at"]
    else:
        assert message in response.content.decode()
    assert Election.objects.count() == before


def test_the_set_up_page_is_refused_to_members(world: World) -> None:
    with time_machine.travel(SETTING_UP, tick=False):
        assert client_for(world.ann.user).get(page("election_add")).status_code == 403


def test_once_nominations_open_the_edit_page_offers_only_the_closing_times_and_to_whom(
    world: World, cac: Any, national_office: Any, nominating: Any
) -> None:
    url = page("election_edit", world.ec_election.pk)

    assert client_for(cac).get(url).status_code == 403
    assert client_for(world.ann.user).get(url).status_code == 403  # sees the election, may not change it
    assert client_for(world.dora.user).get(url).status_code == 404  # not the NC's business of hers
    shown = client_for(world.ro).get(url)
    assert shown.status_code == 200
    assert set(shown.context["form"].fields) == {"nominations_close_at", "voting_closes_at"}

    extended = {"nominations_close_at": "2027-03-27T17:00", "voting_closes_at": "2027-04-10T13:00"}
    # No office holds a power inside a running election: the national office is refused (issue 14).
    assert client_for(national_office).post(url, extended).status_code == 403
    response = client_for(world.ro).post(url, extended)
    assert response.status_code == 302
    world.ec_election.refresh_from_db()
    assert world.ec_election.nominations_close_at == dt.datetime(2027, 3, 27, 17, tzinfo=UTC)
    refused = client_for(world.ro).post(
        url, {"nominations_close_at": "2027-03-21T17:00", "voting_closes_at": "2027-04-10T13:00"}
    )
    assert refused.status_code == 409 and "not brought forward" in refused.content.decode()


def test_before_nominations_open_the_cac_changes_anything(world: World, cac: Any) -> None:
    url = page("election_edit", world.nc_election.pk)
    with time_machine.travel(SETTING_UP, tick=False):
        form = client_for(cac).get(url)
        data = {k: v for k, v in setup_post(world, seats="12").items() if k != "self_nomination"}
        response = client_for(cac).post(url, data)

    assert form.status_code == 200 and "held_by" in form.context["form"].fields
    assert response.status_code == 302
    world.nc_election.refresh_from_db()
    assert (world.nc_election.seats, world.nc_election.self_nomination) == (12, False)


# The list and the election page --------------------------------------------------------------------------
def test_the_list_shows_each_person_the_elections_they_may_see(
    world: World, national_office: Any, nominating: Any
) -> None:
    def titles(user: Any) -> set[str]:
        response = client_for(user).get(page("election_list"))
        assert response.status_code == 200
        return {election.title for election, _ in response.context["rows"]}

    both = {"National Committee 2027", "Executive Committee 2027"}
    assert titles(world.ann.user) == both  # a member, and on the NC
    assert titles(world.dora.user) == {"National Committee 2027"}  # a member, not on the NC
    assert titles(world.alex.user) == set()  # an applicant
    assert titles(national_office) == both
    assert titles(world.ro) == both


def test_a_member_outside_a_committees_electorate_gets_a_404_for_its_election(
    world: World, nominating: Any
) -> None:
    url = page("election_detail", world.ec_election.pk)
    assert client_for(world.dora.user).get(url).status_code == 404
    assert client_for(world.ann.user).get(url).status_code == 200
    assert client_for(None).get(url).status_code == 302  # to the log-in page


def test_the_page_shows_candidates_statements_escaped_with_their_line_breaks(world: World) -> None:
    candidate(world.ec_election, world.cat, statement="<script>alert(1)</script>\nSecond line")
    with time_machine.travel(NOMINATING, tick=False):
        html = client_for(world.ann.user).get(page("election_detail", world.ec_election.pk)).content.decode()

    assert "Cat Cole" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line" in html
    assert "<script>alert(1)" not in html


def test_every_nomination_is_shown_to_the_returning_officer_and_officers_only(
    world: World, national_office: Any, nominating: Any
) -> None:
    nominations.nominate(
        actor=world.ann.user, election=world.ec_election, nominee=world.cat, seconder=world.bob
    )
    url = page("election_detail", world.ec_election.pk)

    for user in (world.ro, national_office):
        html = client_for(user).get(url).content.decode()
        assert "Every nomination" in html and "Bob Baker" in html  # the seconder
    html = client_for(world.bob.user).get(url).content.decode()
    assert "Every nomination" not in html


def test_the_page_offers_what_each_phase_allows(world: World) -> None:
    mine = candidate(world.ec_election, world.cat)
    url = page("election_detail", world.ec_election.pk)
    nominate_link = page("nomination_add", world.ec_election.pk)
    withdraw_link = page("nomination_withdraw", mine.pk)

    with time_machine.travel(NOMINATING, tick=False):
        assert nominate_link in client_for(world.ann.user).get(url).content.decode()
        cats = client_for(world.cat.user).get(url).content.decode()
        assert withdraw_link in cats and page("nomination_edit", mine.pk) in cats
    with time_machine.travel(BETWEEN, tick=False):
        assert nominate_link not in client_for(world.ann.user).get(url).content.decode()
        assert withdraw_link in client_for(world.cat.user).get(url).content.decode()
    with time_machine.travel(VOTING, tick=False):
        assert withdraw_link not in client_for(world.cat.user).get(url).content.decode()


# Nominating ------------------------------------------------------------------------------------------
def test_a_member_nominates_through_the_page(world: World, nominating: Any) -> None:
    url = page("nomination_add", world.ec_election.pk)
    response = client_for(world.ann.user).post(
        url, {"nominee_email": "CAT.COLE@example.org", "seconder_email": "bob.baker@example.org"}
    )

    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.nominee, nomination.proposer, nomination.seconder) == (world.cat, world.ann, world.bob)


@pytest.mark.parametrize(
    ("nominee", "seconder", "status", "message"),
    [
        ("nobody@example.org", "bob.baker@example.org", 200, "could not accept this address for the nominee"),
        ("dora.delegate@example.org", "bob.baker@example.org", 200, "could not accept this address for the"),
        ("cat.cole@example.org", "ann.able@example.org", 409, "another member, not the proposer"),
    ],
    ids=["not-a-member", "not-on-the-nc", "seconded-by-the-proposer"],
)
def test_a_bad_nomination_through_the_page_is_refused_and_writes_nothing(
    world: World, nominating: Any, nominee: str, seconder: str, status: int, message: str
) -> None:
    response = client_for(world.ann.user).post(
        page("nomination_add", world.ec_election.pk), {"nominee_email": nominee, "seconder_email": seconder}
    )
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Nomination.objects.exists()


def test_nominating_is_for_the_electorate(world: World, national_office: Any, nominating: Any) -> None:
    url = page("nomination_add", world.ec_election.pk)
    assert client_for(world.dora.user).get(url).status_code == 404  # may not see the EC's election
    assert client_for(national_office).get(url).status_code == 403  # sees it, is not a voter
    assert client_for(world.ann.user).get(url).status_code == 200


def test_self_nomination_through_the_page_goes_on_to_accepting(world: World, nominating: Any) -> None:
    response = client_for(world.cat.user).post(
        page("nomination_add", world.ec_election.pk), {"nominate_self": "yes"}
    )

    nomination = Nomination.objects.get()
    assert nomination.self_nominated and nomination.nominee == world.cat
    assert response["Location"] == page("nomination_respond", nomination.token)


# The nominee's link ----------------------------------------------------------------------------------
def test_the_nominee_accepts_from_the_link_without_logging_in(world: World, nominating: Any) -> None:
    nomination = nominations.nominate(
        actor=world.ann.user, election=world.ec_election, nominee=world.cat, seconder=world.bob
    )
    anonymous = client_for(None)
    url = page("nomination_respond", nomination.token)

    shown = anonymous.get(url)
    assert shown.status_code == 200 and shown.context["form"].initial["ballot_name"] == "Cat Cole"
    over = anonymous.post(url, {"ballot_name": "Cat Cole", "statement": "word " * 101})
    assert over.status_code == 409 and "101 words; the limit is 100" in over.content.decode()
    response = anonymous.post(url, {"ballot_name": "Cat Cole", "statement": "For the rank and file."})

    assert response.status_code == 302
    nomination.refresh_from_db()
    assert (nomination.status, nomination.statement) == (NominationStatus.ACCEPTED, "For the rank and file.")


def test_the_nominee_declines_from_the_link(world: World, nominating: Any) -> None:
    nomination = nominations.nominate(
        actor=world.ann.user, election=world.ec_election, nominee=world.cat, seconder=world.bob
    )
    response = client_for(None).post(page("nomination_decline", nomination.token))

    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.DECLINED


@pytest.mark.parametrize("name", ["nomination_respond", "nomination_decline"])
def test_a_tampered_link_is_a_400_and_changes_nothing(world: World, nominating: Any, name: str) -> None:
    nomination = nominate(world, world.ec_election, world.cat, proposer=world.ann, seconder=world.bob)
    tampered = nomination.token[:-1] + ("0" if nomination.token[-1] != "0" else "1")

    assert client_for(None).get(page(name, tampered)).status_code == 400
    assert client_for(None).post(page(name, tampered), {"ballot_name": "X"}).status_code == 400
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PENDING


def test_after_nominations_close_the_link_says_so_and_accepting_is_refused(world: World) -> None:
    nomination = nominate(world, world.ec_election, world.cat, proposer=world.ann, seconder=world.bob)
    url = page("nomination_respond", nomination.token)
    with time_machine.travel(BETWEEN, tick=False):
        shown = client_for(None).get(url)
        refused = client_for(None).post(url, {"ballot_name": "Cat Cole", "statement": "Late"})

    assert "Nominations closed on 20 March 2027, 17:00" in shown.content.decode()
    assert refused.status_code == 409
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PENDING


# The candidate's own pages ---------------------------------------------------------------------------
def test_only_the_nominee_edits_or_withdraws_their_nomination(world: World) -> None:
    mine = candidate(world.ec_election, world.cat)
    with time_machine.travel(BETWEEN, tick=False):
        for name in ("nomination_edit", "nomination_withdraw"):
            assert client_for(world.ann.user).get(page(name, mine.pk)).status_code == 404
        edited = client_for(world.cat.user).post(
            page("nomination_edit", mine.pk), {"ballot_name": "Cat Cole", "statement": "Revised."}
        )
        withdrawn = client_for(world.cat.user).post(page("nomination_withdraw", mine.pk))

    assert edited.status_code == 302 and withdrawn.status_code == 302
    mine.refresh_from_db()
    assert (mine.statement, mine.status) == ("Revised.", NominationStatus.WITHDRAWN)


def test_withdrawing_after_voting_opens_is_refused_on_the_page(world: World) -> None:
    mine = candidate(world.ec_election, world.cat)
    with time_machine.travel(VOTING, tick=False):
        shown = client_for(world.cat.user).get(page("nomination_withdraw", mine.pk))
        refused = client_for(world.cat.user).post(page("nomination_withdraw", mine.pk))

    assert "Voting has opened" in shown.content.decode()
    assert refused.status_code == 409
    mine.refresh_from_db()
    assert mine.status == NominationStatus.ACCEPTED


# Queries -------------------------------------------------------------------------------------------------
def _candidates(world: World, election: Election, first: int, last: int) -> None:
    """Accepted candidates ``first`` to ``last`` (NC members, nominated and accepted through the services)."""
    for n in range(first, last):
        person = make_member(
            world.ann.branch,
            joined_on=dt.date(2026, 1, 5),
            full_name=f"Candidate {n:02}",
            user=UserFactory(username=f"candidate{n}", email=f"candidate{n}@example.org"),
        )
        from committees.services import start_term

        start_term(
            actor=None,
            committee=world.nc,
            member=person,
            role="member",
            starts_on=dt.date(2026, 6, 1),
            basis="x",
        )
        made = nominate(world, election, person, proposer=world.ann, seconder=world.bob)
        with time_machine.travel(NOMINATING, tick=False):
            nominations.accept_nomination(
                token=made.token, statement=f"Statement {n}\nline", ballot_name=f"C{n}"
            )


@pytest.mark.parametrize("who", ["returning officer", "member"])
def test_the_election_page_takes_the_same_queries_for_many_candidates(
    world: World, django_assert_max_num_queries: Any, who: str
) -> None:
    user = world.ro if who == "returning officer" else world.ann.user
    url = page("election_detail", world.ec_election.pk)

    def queries() -> int:
        with time_machine.travel(NOMINATING, tick=False):
            viewer = client_for(user)  # logged in at the moment it looks (sessions expire)
            with django_assert_max_num_queries(25) as captured:
                assert viewer.get(url).status_code == 200
        return len(captured)

    # Who appoints the returning officer asks for the committee's content type (a scoped secretary role),
    # which Django caches for the process after its first read: read it once before comparing.
    ContentType.objects.get_for_model(world.nc)
    _candidates(world, world.ec_election, 0, 2)
    few = queries()
    _candidates(world, world.ec_election, 2, 8)
    many = queries()

    assert few == many


@pytest.mark.parametrize("who", ["office", "member"])
def test_the_elections_list_takes_the_same_queries_for_many_elections(
    world: World, national_office: Any, django_assert_max_num_queries: Any, who: str
) -> None:
    user = national_office if who == "office" else world.ann.user

    def queries() -> int:
        with time_machine.travel(NOMINATING, tick=False):
            viewer = client_for(user)  # logged in at the moment it looks (sessions expire)
            with django_assert_max_num_queries(20) as captured:
                assert viewer.get(page("election_list")).status_code == 200
        return len(captured)

    few = queries()
    with time_machine.travel(SETTING_UP, tick=False):
        for n in range(6):
            nominations.create_election(
                actor=None, fields=ec_details(world.nc, world.ec, world.ro, title=f"EC by-election {n}")
            )
    _candidates(world, world.ec_election, 0, 3)
    many = queries()

    assert few == many
    assert Election.objects.count() == 8
