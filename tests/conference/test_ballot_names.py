"""Ballot names and ballot order (issue 14, item 6).

The attack: a candidate could take another candidate's name as their ballot
name (two cards both read "Helen Adeyemi"), and the ballot name decided
the ballot order. Now a ballot name is the member's own name; another name
is a request the returning officer approves or refuses; no ballot name may
equal or nearly copy another candidate's; and the order is by surname, or
random with its seed recorded, as the election says, and published.

The people and elections are tests/conference/election_world.py's: the EC's
election by the NC, Ann Able, Bob Baker and Cat Cole standing, Rita its
returning officer.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry
from conference.elections.models import Election, Nomination, NominationStatus
from conference.elections.services import nominations
from conference.elections.services.elections import ElectionError, candidates
from tests.conference.election_world import (
    NOMINATING,
    SETTING_UP,
    VOTING,
    World,
    candidate,
    ec_details,
)
from tests.conference.election_world import nominating as nominating  # a fixture
from tests.conference.election_world import world as world  # a fixture


def _rows() -> list[tuple[Any, ...]]:
    return list(Nomination.objects.order_by("pk").values_list()) + list(
        AuditEntry.objects.order_by("pk").values_list("pk")
    )


def _self_nominated(world: World, election: Election, who: Any) -> Nomination:
    return nominations.nominate(actor=who.user, election=election, nominee=who)


@pytest.mark.parametrize(
    "copy",
    ["Ann Able", "ann  ABLE", "Ánn Âble", "Able, Ann", "Ann Able.", "Ann Abel", "Anne Able", "A-nn Able"],
)
def test_a_candidate_cannot_stand_under_another_candidates_name_or_a_near_copy(
    world: World, nominating: Any, copy: str
) -> None:
    election = world.ec_election
    candidate(election, world.ann)
    bob = _self_nominated(world, election, world.bob)
    before = _rows()
    with pytest.raises(ElectionError, match="Ann Able"):
        nominations.accept_nomination(token=bob.token, statement="Bob", ballot_name=copy)
    assert _rows() == before


def test_a_name_other_than_ones_own_waits_for_the_returning_officer(world: World, nominating: Any) -> None:
    election = world.ec_election
    bob = _self_nominated(world, election, world.bob)
    accepted = nominations.accept_nomination(token=bob.token, statement="Bob", ballot_name="Bobby Baker")

    assert accepted.status == NominationStatus.ACCEPTED
    assert (accepted.ballot_name, accepted.requested_ballot_name) == ("Bob Baker", "Bobby Baker")
    assert AuditEntry.objects.filter(action="election.ballot_name_requested").count() == 1
    with pytest.raises(ElectionError, match="returning officer"):
        nominations.decide_ballot_name(actor=world.ann.user, nomination=accepted, approve=True)

    approved = nominations.decide_ballot_name(actor=world.ro, nomination=accepted, approve=True)
    assert (approved.ballot_name, approved.requested_ballot_name) == ("Bobby Baker", "")
    assert approved.ballot_name_approved_by == world.ro

    cat = _self_nominated(world, election, world.cat)
    asked = nominations.accept_nomination(token=cat.token, statement="Cat", ballot_name="Catherine the Great")
    refused = nominations.decide_ballot_name(actor=world.ro, nomination=asked, approve=False)
    assert (refused.ballot_name, refused.requested_ballot_name) == ("Cat Cole", "")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"election.ballot_name_approved", "election.ballot_name_refused"} <= actions


def test_not_even_the_returning_officer_approves_a_near_copy_of_another_candidates_name(
    world: World, nominating: Any
) -> None:
    election = world.ec_election
    bob = _self_nominated(world, election, world.bob)
    asked = nominations.accept_nomination(token=bob.token, statement="Bob", ballot_name="Anne Able")
    candidate(election, world.ann)  # Ann accepts after Bob asked
    with pytest.raises(ElectionError, match="Ann Able"):
        nominations.decide_ballot_name(actor=world.ro, nomination=asked, approve=True)
    asked.refresh_from_db()
    assert asked.ballot_name == "Bob Baker"


def test_the_ballot_is_in_surname_order_whatever_the_ballot_names(world: World, nominating: Any) -> None:
    election = world.ec_election
    for person in (world.cat, world.bob, world.ann):
        candidate(election, person)
    # Cat's approved variant would come first by ballot name; the order is by surname.
    Nomination.objects.filter(election=election, nominee=world.cat).update(ballot_name="Aardvark Cole")
    assert [n.nominee for n in candidates(election)] == [world.ann, world.bob, world.cat]


def test_a_random_order_is_drawn_with_a_recorded_seed_and_published(world: World, client: Client) -> None:
    with time_machine.travel(SETTING_UP, tick=False):
        election = nominations.create_election(
            actor=None, fields=ec_details(world.nc, world.ec, world.ro, title="EC 2", ballot_order="random")
        )
    assert election.ballot_order == "random" and election.ballot_seed is not None
    for person in (world.ann, world.bob, world.cat):
        candidate(election, person)

    def draw(nomination: Nomination) -> tuple[str, int]:
        key = f"{election.ballot_seed}:{nomination.nominee_id}".encode()
        return hashlib.md5(key, usedforsecurity=False).hexdigest(), nomination.pk

    expected = sorted(Nomination.objects.filter(election=election), key=draw)
    assert list(candidates(election)) == expected

    with time_machine.travel(VOTING, tick=False):
        client.force_login(world.ann.user)
        detail = client.get(reverse("conference:election_detail", args=[election.pk])).content.decode()
        ballot = client.get(reverse("conference:ballot_vote", args=[election.pk])).content.decode()
    published = f"Candidates are listed in random order, drawn with seed {election.ballot_seed}"
    assert published in detail and published in ballot


def test_the_surname_order_is_published(world: World, client: Client) -> None:
    candidate(world.ec_election, world.ann)
    with time_machine.travel(NOMINATING, tick=False):
        client.force_login(world.ann.user)
        detail = client.get(reverse("conference:election_detail", args=[world.ec_election.pk]))
    assert "Candidates are listed by surname" in detail.content.decode()


def test_a_near_copy_typed_on_the_nominees_link_is_refused_on_the_page(world: World, client: Client) -> None:
    election = world.ec_election
    candidate(election, world.ann)
    with time_machine.travel(NOMINATING, tick=False):
        bob = _self_nominated(world, election, world.bob)
        url = reverse("conference:nomination_respond", args=[bob.token])
        page = client.post(url, {"ballot_name": "Ann  Able", "statement": "Bob"})
    assert page.status_code == 409 and "too close to another candidate" in page.content.decode()
    bob.refresh_from_db()
    assert (bob.status, bob.ballot_name) == (NominationStatus.PENDING, "Bob Baker")


def test_the_returning_officer_answers_a_request_from_the_election_page(world: World, client: Client) -> None:
    election = world.ec_election
    with time_machine.travel(NOMINATING, tick=False):
        bob = _self_nominated(world, election, world.bob)
        nominations.accept_nomination(token=bob.token, statement="Bob", ballot_name="Bobby Baker")
        decide = reverse("conference:nomination_ballot_name", args=[bob.pk])
        client.force_login(world.ann.user)
        assert client.post(decide, {"decision": "approve"}).status_code == 403
        client.force_login(world.ro)
        detail = client.get(reverse("conference:election_detail", args=[election.pk])).content.decode()
        assert "Asks to stand as Bobby Baker" in detail and decide in detail
        assert "Bobby Baker" in client.get(decide).content.decode()
        done = client.post(decide, {"decision": "approve", "reason": "Known as Bobby"})
        again = client.get(decide).content.decode()
    assert done.status_code == 302
    bob.refresh_from_db()
    assert (bob.ballot_name, bob.requested_ballot_name, bob.ballot_name_approved_by) == (
        "Bobby Baker",
        "",
        world.ro,
    )
    assert "has not asked for another ballot name" in again
