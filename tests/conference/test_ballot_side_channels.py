"""Secrecy without side channels (issue 14, item 4): nothing a voter's network sees depends on the ranking.

Before this, each no-JavaScript step was a full page whose length was a
constant plus the length of the name just added, so the size of the TLS
records (or an access log) read the ranking. Every response while ranking
and casting now has one length for the election whatever was ranked: the
ballot page pads its body to a size worked out from the candidates alone.

The election is test_ballots.py's Control Commission election with names
of very different lengths, up to the longest a ballot name may be.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conference.elections.models import Election, Nomination
from conference.elections.services.nominations import BALLOT_NAME_MAX
from members.models import Member
from tests.conference.ballot_objects import make_ballot_election
from tests.conference.test_ballot_pages import hidden
from tests.factories import UserFactory, make_member, seat

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
NAMES = (
    "Al Bo",
    "Ann Ayres",
    "Bartholomew Featherstonehaugh-Cholmondeley",
    "Zoë O'Brien & Co <b>",  # escaping lengthens what is sent
    "Quentin Long",
)
# An approved variant may be longer than a member's name: the longest a ballot name may be.
LONGEST = ("Q" * 40 + " " + "Longname" * 30)[:BALLOT_NAME_MAX]


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def varied(frozen: None, member: Member, nc_meeting: Any, national_office: Any) -> Election:
    nc = nc_meeting.committee
    people = []
    for number, name in enumerate(NAMES):
        person = make_member(
            member.branch, full_name=name, user=UserFactory(email=f"cand{number}@example.org")
        )
        seat(nc, person)
        people.append(person)
    election = make_ballot_election(
        title="Control Commission",
        nc=nc,
        returning_officer=national_office,
        nominees=people,
        opens_at=timezone.now() - dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=2),
    )
    Nomination.objects.filter(election=election, nominee=people[-1]).update(ballot_name=LONGEST)
    return election


def _vote_url(election: Election) -> str:
    return reverse("conference:ballot_vote", args=[election.pk])


def _journey(client: Client, election: Election, buttons: list[str]) -> list[tuple[str, int, str]]:
    """Press ``buttons`` in turn from a fresh ballot page: (button, status, Content-Length) per response."""
    page = client.get(_vote_url(election))
    sizes = [("open", page.status_code, page["Content-Length"])]
    for do in buttons:
        data = {"paper": hidden(page, "paper"), "ranking": hidden(page, "ranking"), "do": do}
        page = client.post(_vote_url(election), data)
        sizes.append((do, page.status_code, page["Content-Length"]))
        assert "no-store" in page["Cache-Control"]
    return sizes


def test_every_step_has_one_length_whatever_was_ranked(
    client: Client, varied: Election, member: Member
) -> None:
    """Two rankings, different names (short, long, escaped, the longest allowed), different numbers ranked."""
    client.force_login(member.user)
    short = _journey(client, varied, ["add-1", "add-2", "up-2", "review", "change", "remove-1", "review"])
    long = _journey(
        client, varied, ["add-5", "add-3", "add-4", "down-1", "review", "change", "clear", "add-5"]
    )
    errors = _journey(client, varied, ["review", "add-9", "nonsense", "add-1", "add-1"])

    lengths = {length for _, _, length in short + long + errors}
    assert len(lengths) == 1, (short, long, errors)


def test_the_cast_redirect_and_the_receipt_have_one_length_whatever_was_ranked(
    client: Client, varied: Election, member: Member
) -> None:
    other = make_member(
        member.branch, full_name="Rosa Lunx", user=UserFactory(username="rosx", email="rosx@example.org")
    )
    seat(varied.electing_committee, other)  # type: ignore[arg-type]  # held by the NC
    sizes = []
    for voter, buttons in ((member, ["add-1"]), (other, ["add-5", "add-3", "add-4", "add-2"])):
        browser = Client()
        browser.force_login(voter.user)
        _journey(browser, varied, [*buttons, "review"])
        page = browser.get(_vote_url(varied))
        page = browser.post(
            _vote_url(varied),
            {
                "paper": hidden(page, "paper"),
                "ranking": " ".join(b.split("-")[1] for b in buttons),
                "do": "cast",
            },
        )
        assert page.status_code == 302
        cookie = page.cookies.output()
        receipt = browser.get(page["Location"])
        sizes.append(
            (
                len(page.content),
                len(cookie),
                receipt["Content-Length"],
                "no-store" in receipt["Cache-Control"],
            )
        )
    assert sizes[0] == sizes[1]
