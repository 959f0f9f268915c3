"""Separation of powers in an election (issue 14, item 1): appointments by name, no one in two parts.

The returning officer is appointed by the CAC (an election at a conference)
or by the electing committee's secretary (a committee's election), never by
the national office; the returning officer is not a nominee, candidate or
teller; a teller is not a nominee or candidate. Every appointment is audited
and shown on the election's page (who, by whom, when). Each refusal writes
nothing.

The election here is the Executive Committee's by the National Committee
(``election_world``): Ann, Bob and Cat sit on the NC; Rita is its returning
officer, set up by the system.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry
from committees.services import start_term
from conference.elections.models import Election, Nomination, Teller
from conference.elections.services import ballots, elections, nominations
from conference.elections.services.elections import ElectionError
from members.models import Member, Role
from tests.conference import election_world
from tests.conference.election_world import NOMINATING, SETTING_UP, World, ec_details, nc_details
from tests.conference.election_world import world as world  # a fixture
from tests.factories import ROLES_FROM, UserFactory, make_officer


@pytest.fixture
def nc_secretary(world: World) -> Any:
    """Cat, the NC's secretary (a current term as its secretary)."""
    start_term(
        actor=None,
        committee=world.nc,
        member=world.cat,
        role="secretary",
        starts_on=ROLES_FROM,
        basis="conference",
    )
    return world.cat.user


@pytest.fixture
def cac(db: None) -> Any:
    return make_officer(Role.CAC, email="cac.powers@example.org")


def _appointed(election: Election) -> list[Any]:
    return list(
        AuditEntry.objects.filter(action="election.returning_officer_appointed", target_id=str(election.pk))
        .order_by("pk")
        .values("actor_id", "detail")
    )


# Who appoints the returning officer -------------------------------------------------------------------
def test_the_national_office_cannot_name_the_returning_officer_of_an_election_it_sets_up(
    world: World, national_office: Any
) -> None:
    """Failed on 25054e9: the national office set up the NC's election with a returning officer of its
    choosing (itself), so it chose who runs the count."""
    before = Election.objects.count()
    with (
        time_machine.travel(SETTING_UP, tick=False),
        pytest.raises(ElectionError, match="conference arrangements"),
    ):
        nominations.create_election(
            actor=national_office,
            fields=nc_details(world.conference, world.nc, national_office, title="NC again"),
        )
    with time_machine.travel(SETTING_UP, tick=False), pytest.raises(ElectionError, match="secretary of the"):
        nominations.create_election(
            actor=national_office, fields=ec_details(world.nc, world.ec, national_office, title="EC again")
        )
    assert Election.objects.count() == before


def test_the_national_office_sets_up_without_a_returning_officer_and_the_cac_appoints_one(
    world: World, national_office: Any, cac: Any
) -> None:
    with time_machine.travel(SETTING_UP, tick=False):
        election = nominations.create_election(
            actor=national_office, fields=nc_details(world.conference, world.nc, None, title="NC by-election")
        )
        assert election.returning_officer is None
        with pytest.raises(ElectionError, match="conference arrangements committee appoints"):
            elections.appoint_returning_officer(
                actor=national_office, election=election, user=national_office
            )
        elections.appoint_returning_officer(actor=cac, election=election, user=world.ro)

    election.refresh_from_db()
    assert (election.returning_officer, election.returning_officer_appointed_by) == (world.ro, cac)
    assert election.returning_officer_appointed_at == SETTING_UP
    assert _appointed(election) == [
        {"actor_id": cac.pk, "detail": {"user": world.ro.pk, "previous": None, "reason": ""}}
    ]


def test_a_committees_election_has_its_returning_officer_appointed_by_that_committees_secretary(
    world: World, nc_secretary: Any, cac: Any, national_office: Any
) -> None:
    election = world.ec_election
    other = UserFactory.create(username="olga", email="olga@example.org")
    with time_machine.travel(NOMINATING, tick=False):
        for who in (cac, national_office, world.ann.user, world.ro):
            with pytest.raises(ElectionError, match="Only the secretary of the National Committee"):
                elections.appoint_returning_officer(actor=who, election=election, user=other, reason="x")
        with pytest.raises(ElectionError, match="Say why"):
            elections.appoint_returning_officer(actor=nc_secretary, election=election, user=other)
        elections.appoint_returning_officer(
            actor=nc_secretary, election=election, user=other, reason="Rita is ill"
        )

    election.refresh_from_db()
    assert (election.returning_officer, election.returning_officer_appointed_by) == (other, nc_secretary)
    assert _appointed(election)[-1]["detail"] == {
        "user": other.pk,
        "previous": world.ro.pk,
        "reason": "Rita is ill",
    }


def test_the_edit_form_does_not_change_the_returning_officer(world: World, cac: Any) -> None:
    with (
        time_machine.travel(SETTING_UP, tick=False),
        pytest.raises(ElectionError, match="Change the returning"),
    ):
        nominations.update_election(actor=cac, election=world.nc_election, fields={"returning_officer": cac})
    world.nc_election.refresh_from_db()
    assert world.nc_election.returning_officer == world.ro


# Nobody in two parts ---------------------------------------------------------------------------------------
def test_a_nominee_cannot_be_appointed_returning_officer(world: World, nc_secretary: Any) -> None:
    """Failed on 25054e9: there was no appointment service, so nothing stopped it."""
    election_world.nominate(world, world.ec_election, world.ann, world.bob, world.cat)  # pending
    with (
        time_machine.travel(NOMINATING, tick=False),
        pytest.raises(ElectionError, match="Ann Able is nominated"),
    ):
        elections.appoint_returning_officer(
            actor=nc_secretary, election=world.ec_election, user=world.ann.user, reason="x"
        )
    world.ec_election.refresh_from_db()
    assert world.ec_election.returning_officer == world.ro


def test_a_teller_cannot_be_appointed_returning_officer(world: World, nc_secretary: Any) -> None:
    teller = UserFactory.create(username="tess", email="tess@example.org")
    with time_machine.travel(NOMINATING, tick=False):
        ballots.appoint_teller(actor=world.ro, election=world.ec_election, user=teller)
        with pytest.raises(ElectionError, match="is a teller in this election"):
            elections.appoint_returning_officer(
                actor=nc_secretary, election=world.ec_election, user=teller, reason="x"
            )
    world.ec_election.refresh_from_db()
    assert world.ec_election.returning_officer == world.ro


def test_a_teller_cannot_be_nominated(world: World) -> None:
    """Failed on 25054e9: a teller was nominated (and could accept) in the election they enter papers for."""
    with time_machine.travel(NOMINATING, tick=False):
        ballots.appoint_teller(actor=world.ro, election=world.ec_election, user=world.ann.user)
        with pytest.raises(ElectionError, match="Ann Able is a teller in this election"):
            nominations.nominate(
                actor=world.bob.user, election=world.ec_election, nominee=world.ann, seconder=world.cat
            )
        with pytest.raises(ElectionError, match="is a teller in this election"):
            nominations.nominate(actor=world.ann.user, election=world.ec_election, nominee=world.ann)
    assert not Nomination.objects.filter(nominee=world.ann).exists()


def test_a_nominee_made_teller_afterwards_cannot_accept(world: World) -> None:
    """Failed on 25054e9: accepting did not ask whether the nominee had become the RO or a teller."""
    made = election_world.nominate(world, world.ec_election, world.ann, world.bob, world.cat)
    with time_machine.travel(NOMINATING, tick=False):
        # Declined nominations do not count, so the only way in is the teller first: force it as the
        # system might have before this rule.
        Teller.objects.create(election=world.ec_election, user=world.ann.user)
        with pytest.raises(ElectionError, match="is a teller in this election"):
            nominations.accept_nomination(token=made.token, statement="", ballot_name="Ann Able")
    made.refresh_from_db()
    assert made.status == "pending"


def test_the_returning_officer_cannot_be_nominated_or_a_teller(world: World, national_office: Any) -> None:
    rita = Member.objects.filter(user=world.ro).first()
    assert rita is None  # Rita has no member record, so the teller path is the one to try
    with time_machine.travel(NOMINATING, tick=False):
        with pytest.raises(ElectionError, match="returning officer cannot also be a teller"):
            ballots.appoint_teller(actor=world.ro, election=world.ec_election, user=world.ro)
        # The national office appoints itself teller in an election someone else returns: refused
        # (passed on 25054e9 already: commit 69f23f7 ended the superuser short-cut).
        with pytest.raises(ElectionError, match="Only the returning officer appoints tellers"):
            ballots.appoint_teller(actor=national_office, election=world.ec_election, user=national_office)
    assert not Teller.objects.exists()


# The election's page ------------------------------------------------------------------------------------
def test_the_election_page_shows_every_appointment_who_by_whom_and_when(
    client: Client, world: World, nc_secretary: Any
) -> None:
    teller = UserFactory.create(
        username="tess", email="tess@example.org", first_name="Tess", last_name="Teller"
    )
    with time_machine.travel(NOMINATING, tick=False):
        elections.appoint_returning_officer(
            actor=nc_secretary,
            election=world.ec_election,
            user=UserFactory.create(
                username="olga", email="olga@example.org", first_name="Olga", last_name="Officer"
            ),
            reason="Rita is ill",
        )
        fresh = Election.objects.get(pk=world.ec_election.pk)
        assert fresh.returning_officer is not None
        ballots.appoint_teller(actor=fresh.returning_officer, election=fresh, user=teller)
        client.force_login(world.ann.user)
        page = client.get(reverse("conference:election_detail", args=[world.ec_election.pk])).content.decode()

    assert "Appointments" in page
    assert "Olga Officer" in page and "Cat Cole" in page  # the RO, appointed by the NC's secretary
    assert "Tess Teller" in page
    when = NOMINATING.astimezone(dt.UTC)
    assert str(when.year) in page


def test_the_change_returning_officer_page_is_for_the_appointer_alone(
    client: Client, world: World, nc_secretary: Any, national_office: Any
) -> None:
    url = reverse("conference:election_returning_officer", args=[world.ec_election.pk])
    with time_machine.travel(NOMINATING, tick=False):
        client.force_login(world.ann.user)
        assert client.get(url).status_code == 403
        client.force_login(national_office)
        assert client.get(url).status_code == 403
        client.force_login(nc_secretary)
        refused = client.post(url, {"email": world.ann.user.email, "reason": "x"})
        election_world.nominate(world, world.ec_election, world.bob, world.ann, world.cat)
        nominee = client.post(url, {"email": world.bob.user.email, "reason": "x"})
        done = client.post(url, {"email": "olga@example.org", "reason": ""})
        UserFactory.create(username="olga", email="olga@example.org")
        no_reason = client.post(url, {"email": "olga@example.org", "reason": ""})
        ok = client.post(url, {"email": "olga@example.org", "reason": "Rita is ill"})

    assert refused.status_code == 302  # Ann is not a nominee: she may return it
    assert nominee.status_code == 409 and "Bob Baker is nominated" in nominee.content.decode()
    assert done.status_code == 200 and "No account has this e-mail address" in done.content.decode()
    assert no_reason.status_code == 409 and "Say why" in no_reason.content.decode()
    assert ok.status_code == 302
    assert Election.objects.filter(
        pk=world.ec_election.pk, returning_officer__email="olga@example.org"
    ).exists()
