"""Issue 15: a seconder's or nominee's address field is no way to learn who is a member.

An address no member has and the address of a member who may not second (or stand) get the same
error, on the same field, with the same status; a member who may still goes through.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse

from conference.elections.models import Nomination
from conference.models import BusinessRules, Conference, Motion
from members.models import Member
from tests.conference.election_world import World
from tests.conference.election_world import nominating as nominating  # a fixture
from tests.conference.election_world import world as world  # a fixture
from tests.conference.test_motion_pages import motion_post
from tests.conference.test_motions import BEFORE_DEADLINE, rules, seconder
from tests.factories import change_status
from tests.helpers.clock import frozen
from tests.helpers.http import as_user

__all__ = ["rules", "seconder"]  # fixtures used here


def _propose(client: Client, conference: Conference, proposer: Member, seconder_email: str) -> Any:
    with frozen(BEFORE_DEADLINE):
        as_user(client, proposer)
        return client.post(
            reverse("conference:motion_add", args=[conference.slug]),
            {**motion_post(proposer), "seconder_email": seconder_email},
        )


def test_a_non_members_address_and_a_resigned_members_get_the_same_answer_as_seconder(
    client: Client, conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member
) -> None:
    change_status(seconder, "resigned", on=dt.date(2027, 3, 1))

    nobody = _propose(client, conference, delegate, "nobody@example.org")
    resigned = _propose(client, conference, delegate, seconder.user.email)

    assert nobody.status_code == resigned.status_code == 200
    assert nobody.context["form"].errors == resigned.context["form"].errors
    assert nobody.context["form"].errors == {
        "seconder_email": [
            "We could not accept this address as a seconder: it must be the address of a member in good "
            "standing who can second this motion."
        ]
    }
    assert not Motion.objects.exists()


def test_a_member_who_may_second_still_can(
    client: Client, conference: Conference, rules: BusinessRules, delegate: Member, seconder: Member
) -> None:
    response = _propose(client, conference, delegate, seconder.user.email)

    assert response.status_code == 302
    assert Motion.objects.get().seconder == seconder


def _nominate(world: World, nominee: str, seconder: str) -> Any:
    client = Client()
    client.force_login(world.ann.user)
    return client.post(
        reverse("conference:nomination_add", args=[world.ec_election.pk]),
        {"nominee_email": nominee, "seconder_email": seconder},
    )


def test_nominees_not_members_and_members_who_may_not_stand_get_the_same_answer(
    world: World, nominating: Any
) -> None:
    # Nobody has the first address; Dora is a member but not on the NC; Una never paid; Alex applied.
    responses = [
        _nominate(world, email, "bob.baker@example.org")
        for email in (
            "nobody@example.org",
            "dora.delegate@example.org",
            "una@example.org",
            "alex@example.org",
        )
    ]

    assert {r.status_code for r in responses} == {200}
    errors = [r.context["form"].errors for r in responses]
    assert all(e == errors[0] for e in errors)
    assert list(errors[0]) == ["nominee_email"]
    assert errors[0]["nominee_email"][0].startswith("We could not accept this address for the nominee")
    assert not Nomination.objects.exists()


def test_an_already_nominated_member_gets_the_same_answer_too(world: World, nominating: Any) -> None:
    assert _nominate(world, "cat.cole@example.org", "bob.baker@example.org").status_code == 302

    again = _nominate(world, "cat.cole@example.org", "bob.baker@example.org")
    nobody = _nominate(world, "nobody@example.org", "bob.baker@example.org")

    assert again.status_code == nobody.status_code == 200
    assert again.context["form"].errors == nobody.context["form"].errors


def test_seconders_not_members_and_members_outside_the_electorate_get_the_same_answer(
    world: World, nominating: Any
) -> None:
    responses = [
        _nominate(world, "cat.cole@example.org", email)
        for email in ("nobody@example.org", "dora.delegate@example.org", "alex@example.org")
    ]

    assert {r.status_code for r in responses} == {200}
    errors = [r.context["form"].errors for r in responses]
    assert all(e == errors[0] for e in errors)
    assert list(errors[0]) == ["seconder_email"]
    assert errors[0]["seconder_email"][0].startswith("We could not accept this address as a seconder")
    assert not Nomination.objects.exists()


def test_a_nominee_and_seconder_who_may_still_go_through(world: World, nominating: Any) -> None:
    response = _nominate(world, "cat.cole@example.org", "bob.baker@example.org")

    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.nominee, nomination.seconder) == (world.cat, world.bob)
