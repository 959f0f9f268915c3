"""The ballot on a phone leaks nothing through its size (issue 14, item 4).

Rosa and Tess sit on the National Committee, which elects the Control
Commission; four candidates stand, with names from five letters to over
forty. Each votes on a phone, pressing the same kinds of button in the same
order but ranking different candidates (one ranks the shortest names, the
other the longest, and more of them): add, add, up, review, change, start
again, add, review, cast, and the receipt. Every response of every step is
recorded as the browser received it: each step's size is the same for both,
and every step of the ballot page has one size, whatever was ranked. Every
page is checked by axe as the journey goes (tests/e2e/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from conference.elections.models import Ballot, Election
from members.models import Member
from tests.conference.ballot_objects import make_ballot_election
from tests.e2e.test_elections import sign_in
from tests.factories import UserFactory, make_member, seat

pytestmark = pytest.mark.e2e

NAMES = ("Al Bo", "Ann Ayres", "Bartholomew Featherstonehaugh-Cholmondeley", "Zoë O'Brien-Smythe")


@pytest.fixture
def commission(member: Member, nc_meeting: Any, national_office: Any) -> Election:
    nc = nc_meeting.committee
    standing = []
    for number, name in enumerate(NAMES):
        person = make_member(
            member.branch, full_name=name, user=UserFactory(email=f"cand{number}@example.org")
        )
        seat(nc, person)
        standing.append(person)
    return make_ballot_election(
        title="Control Commission",
        nc=nc,
        returning_officer=national_office,
        nominees=standing,
        opens_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(hours=2),
    )


@pytest.fixture
def tess(member: Member, nc_meeting: Any) -> Member:
    """A second voter whose account reads as long as Rosa's (the page names the one signed in)."""
    person = make_member(
        member.branch, full_name="Tess Lund", user=UserFactory(username="tess", email="tess@example.org")
    )
    seat(nc_meeting.committee, person)
    return person


def vote(page: Page, election: Election, first: str, second: str, third: str) -> list[tuple[str, int, int]]:
    """Rank ``first`` and ``second``, swap them, review, change, start again, add ``third``, review and
    cast; returns (step, status, bytes received) for every document response."""
    vote_path = reverse("conference:ballot_vote", args=[election.pk])
    sizes: list[tuple[str, int, int]] = []

    def press(step: str, name: str | re.Pattern[str]) -> None:
        with page.expect_response(lambda r: r.request.resource_type == "document") as info:
            page.get_by_role("button", name=name).first.click()
        response = info.value
        sizes.append((step, response.status, len(response.body()) if response.status != 302 else -1))

    page.goto(reverse("conference:election_detail", args=[election.pk]))
    with page.expect_response(lambda r: r.url.endswith(vote_path)) as opened:
        page.get_by_role("link", name="Vote", exact=True).click()
    sizes.append(("open", opened.value.status, len(opened.value.body())))
    expect(page.get_by_role("heading", level=1, name="Your ballot")).to_be_visible()
    press("add", f"Add {first} as preference 1")
    press("add", f"Add {second} as preference 2")
    press("up", re.compile(rf"^Up\W+move {re.escape(second)} to preference 1$"))
    press("review", "Review my ballot")
    expect(page.get_by_role("list", name="Your preferences").get_by_role("listitem")).to_have_text(
        [second, first]
    )
    press("change", "Change")
    press("clear", "Start again")
    press("add", f"Add {third} as preference 1")
    press("review", "Review my ballot")
    with page.expect_response(lambda r: "receipt" in r.url) as receipt:
        page.get_by_role("button", name="Cast my ballot").click()
    sizes.append(("receipt", receipt.value.status, len(receipt.value.body())))
    expect(page.get_by_role("heading", level=1, name="Your ballot is cast")).to_be_visible()
    return sizes


def test_every_step_of_the_ballot_is_the_same_size_whatever_was_ranked(
    browse: Callable[..., Page], commission: Election, member: Member, tess: Member
) -> None:
    short, medium, long, escaped = NAMES
    rosa = sign_in(browse, member.user, viewport="phone")
    rosa_sizes = vote(rosa, commission, short, medium, short)
    tess_page = sign_in(browse, tess.user, viewport="phone")
    tess_sizes = vote(tess_page, commission, long, escaped, escaped)

    assert rosa_sizes == tess_sizes
    ballot_pages = {size for step, _, size in rosa_sizes + tess_sizes if step != "receipt"}
    assert len(ballot_pages) == 1, (rosa_sizes, tess_sizes)
    assert Ballot.objects.filter(election=commission).count() == 2
