"""The National Committee's election at conference, from nominations to the terms of office, in the browser.

Cass, on the conference arrangements committee, sets the election up from
the elections page: two seats, with Otto as returning officer. Five members
are registered for the conference and entitled to vote. While nominations
are open, Rosa nominates Bea with Cal as her seconder; Bea follows the link
in her e-mail (no login) and accepts with a statement; Dan nominates himself
and accepts. Eve stands too (nominated through the services: not what this
journey is about). Voting opens: Rosa ranks the candidates on her phone by
tapping, moves one up, reviews and casts, and sees her receipt; Cal votes
too. Voting closes: Otto runs the count, reads the count sheet and confirms
the result. The National Committee's page shows Bea and Dan's new terms,
the result page shows them elected, and Rosa finds her receipt among those
counted.

Time cannot be moved for the live server, so the election's windows are
moved instead, by updating its row between the steps (as the other journeys
do with their deadlines).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from awl.models import OutboundMessage
from committees.models import Committee, Term, TermBasis
from conference.elections.models import Ballot, Election, Nomination, NominationStatus, VoterRecord
from conference.elections.services import nominations
from conference.models import Conference
from members.models import Branch, DuesRate, Member, Role
from tests.conference.conftest import paid_up_member
from tests.conference.desk_objects import open_conference, register
from tests.e2e.pages import main_menu
from tests.factories import PASSWORD, CommitteeFactory, UserFactory, make_officer

pytestmark = pytest.mark.e2e

STATEMENT = "Twenty years a shop steward.\n\nI will fight for every branch to have a say."


@pytest.fixture
def national_committee(db: None) -> Committee:
    """The National Committee, elected at conference; nobody sits on it yet."""
    return CommitteeFactory.create(name="National Committee", slug="nc", kind="national")


@pytest.fixture
def election_conference(db: None) -> Conference:
    """A conference two months ahead, registration open now."""
    return open_conference(slug="2093", year=2093)


@pytest.fixture
def people(
    election_conference: Conference, london: Branch, dues_rates: dict[str, DuesRate]
) -> dict[str, Any]:
    """The CAC member, the returning officer, and five members registered and entitled to vote."""
    everyone: dict[str, Any] = {
        "cac": make_officer(Role.CAC, email="cass.cac@example.org"),
        "returning_officer": UserFactory(username="otto.returns", email="otto.returns@example.org"),
    }
    for key, name in (
        ("rosa", "Rosa Proposer"),
        ("bea", "Bea Nominee"),
        ("cal", "Cal Seconder"),
        ("dan", "Dan Self"),
        ("eve", "Eve Extra"),
    ):
        everyone[key] = paid_up_member(london, name)
    for key in ("rosa", "bea", "cal", "dan", "eve"):
        registration = register(election_conference, everyone[key])
        assert registration.entitled, registration.entitlement_reason
    return everyone


def sign_in(browse: Callable[..., Page], user: Any, *, viewport: str) -> Page:
    """A new browser for ``user``, logged in through the login form (as conftest's ``log_in`` does)."""
    page = browse(viewport=viewport)
    page.goto(reverse("account_login"))
    form = page.locator("main form")
    form.locator('input[name="login"]').fill(user.email)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    return page


def open_election(page: Page, title: str) -> None:
    """From anywhere: the menu, Conference, Elections, the election."""
    main_menu(page).get_by_role("link", name="Conference", exact=True).click()
    page.get_by_role("link", name="Elections", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Elections")).to_be_visible()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()


def move_windows(election: Election, *, nominations_open: bool = False, voting_open: bool = False) -> None:
    """Put now inside the nominations window, inside the voting window, or after voting has closed."""
    now = timezone.now()
    hour = dt.timedelta(hours=1)
    if nominations_open:
        opens, closes, voting_opens, voting_closes = now - hour, now + hour, now + hour, now + 2 * hour
    elif voting_open:
        opens, closes, voting_opens, voting_closes = now - 2 * hour, now - hour, now - hour, now + hour
    else:
        opens, closes, voting_opens, voting_closes = now - 3 * hour, now - 2 * hour, now - 2 * hour, now
    Election.objects.filter(pk=election.pk).update(
        nominations_open_at=opens,
        nominations_close_at=closes,
        voting_opens_at=voting_opens,
        voting_closes_at=voting_closes,
    )


def respond_path(nominee: Member) -> str:
    """The accept-or-decline link in the nominee's e-mail, as a path on the live server."""
    mail = OutboundMessage.objects.filter(to=nominee.user.email, key__endswith="-nominated").get()
    [url] = re.findall(r"https?://\S+/elections/respond/\S+/", mail.body_text)
    return urlsplit(url).path


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_national_committee_is_nominated_elected_counted_and_takes_office(
    browse: Callable[..., Page],
    national_committee: Committee,
    election_conference: Conference,
    people: dict[str, Any],
    viewport: str,
) -> None:
    rosa, bea, cal, dan, eve = (people[key] for key in ("rosa", "bea", "cal", "dan", "eve"))
    title = "National Committee 2093"

    # The CAC sets the election up: the form starts from the NC at the coming conference.
    cass = sign_in(browse, people["cac"], viewport=viewport)
    main_menu(cass).get_by_role("link", name="Conference", exact=True).click()
    cass.get_by_role("link", name="Elections", exact=True).click()
    cass.get_by_role("link", name="Set up an election").click()
    expect(cass.get_by_label("Title")).to_have_value(title)
    expect(cass.get_by_label("Held at or by")).to_have_value(f"conference-{election_conference.pk}")
    cass.get_by_label("Seats*", exact=True).fill("2")
    cass.get_by_label("Word limit for candidates' statements").fill("100")
    cass.get_by_label("Returning officer's e-mail address").fill(people["returning_officer"].email)
    cass.get_by_role("button", name="Set up the election").click()
    expect(cass.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(cass.get_by_role("status").first).to_contain_text("is set up")
    election = Election.objects.get(title=title)
    assert (election.committee, election.conference, election.seats) == (
        national_committee,
        election_conference,
        2,
    )
    assert election.returning_officer == people["returning_officer"]

    # Nominations open. Rosa nominates Bea, with Cal as her seconder.
    move_windows(election, nominations_open=True)
    rosa_page = sign_in(browse, rosa.user, viewport=viewport)
    open_election(rosa_page, title)
    rosa_page.get_by_role("link", name="Nominate", exact=True).click()
    rosa_page.get_by_label("The nominee's e-mail address").fill(bea.user.email)
    rosa_page.get_by_label("The seconder's e-mail address").fill(cal.user.email)
    rosa_page.get_by_role("button", name="Nominate them").click()
    expect(rosa_page.get_by_role("status").first).to_contain_text("You nominated Bea Nominee")
    nomination = Nomination.objects.get(election=election, nominee=bea)
    assert (nomination.proposer, nomination.seconder, nomination.status) == (
        rosa,
        cal,
        NominationStatus.PENDING,
    )
    assert OutboundMessage.objects.filter(to=cal.user.email, key__endswith="-seconder").exists()

    # Bea opens the link in her e-mail on her phone, without logging in, and accepts with a statement.
    bea_phone = browse(viewport="phone")
    bea_phone.goto(respond_path(bea))
    expect(bea_phone.get_by_role("heading", level=1, name=f"Your nomination: {title}")).to_be_visible()
    expect(bea_phone.get_by_text("Rosa Proposer nominated you, seconded by Cal Seconder")).to_be_visible()
    expect(bea_phone.get_by_label("Your name on the ballot paper")).to_have_value("Bea Nominee")
    bea_phone.get_by_label("Your statement to the voters").fill(STATEMENT)
    bea_phone.get_by_role("button", name="Accept: I will stand").click()
    expect(bea_phone.get_by_text("you are a candidate, on the ballot paper as Bea Nominee")).to_be_visible()
    nomination.refresh_from_db()
    assert (
        nomination.status == NominationStatus.ACCEPTED
        and nomination.statement.replace("\r\n", "\n") == STATEMENT
    )
    assert OutboundMessage.objects.filter(to=rosa.user.email, key__endswith="-accepted").exists()

    # Dan nominates himself, and accepts on the page he is taken to.
    dan_page = sign_in(browse, dan.user, viewport=viewport)
    open_election(dan_page, title)
    dan_page.get_by_role("link", name="Nominate", exact=True).click()
    dan_page.get_by_role("button", name="Nominate myself").click()
    expect(dan_page.get_by_role("heading", level=1, name=f"Your nomination: {title}")).to_be_visible()
    expect(dan_page.get_by_text("You nominated yourself")).to_be_visible()
    dan_page.get_by_label("Your statement to the voters").fill("A rank-and-file voice on the NC.")
    dan_page.get_by_role("button", name="Accept: I will stand").click()
    expect(dan_page.get_by_text("on the ballot paper as Dan Self")).to_be_visible()
    dan_page.get_by_role("link", name="The election's page").click()
    expect(dan_page.get_by_role("heading", level=2, name="Your nomination")).to_be_visible()
    expect(dan_page.get_by_role("link", name="Edit your statement")).to_be_visible()

    # Eve stands too (through the services).
    own = nominations.nominate(actor=eve.user, election=election, nominee=eve)
    nominations.accept_nomination(token=own.token, statement="", ballot_name="Eve Extra", actor=eve.user)

    # Voting opens. Rosa votes on her phone: Bea, then Dan, then moves Dan up; reviews; casts.
    move_windows(election, voting_open=True)
    rosa_phone = sign_in(browse, rosa.user, viewport="phone")
    open_election(rosa_phone, title)
    expect(rosa_phone.get_by_role("heading", level=2, name="Candidates")).to_be_visible()
    expect(rosa_phone.get_by_role("region", name="Bea Nominee")).to_contain_text(
        "Twenty years a shop steward."
    )
    rosa_phone.get_by_role("link", name="Vote", exact=True).click()
    expect(rosa_phone.get_by_role("heading", level=1, name="Your ballot")).to_be_visible()
    rosa_phone.get_by_role("button", name="Add Bea Nominee as preference 1").click()
    rosa_phone.get_by_role("button", name="Add Dan Self as preference 2").click()
    ranking = rosa_phone.get_by_role("list", name="Your ranking")
    expect(ranking.get_by_role("listitem")).to_have_count(2)
    expect(ranking.get_by_role("listitem").first).to_contain_text("Bea Nominee")
    # "Up" on Dan's line (its full name, for a screen reader: "Up: move Dan Self to preference 1").
    dan_line = ranking.get_by_role("listitem").filter(has_text="Dan Self")
    dan_line.get_by_role("button", name=re.compile(r"^Up\W+move Dan Self to preference 1$")).click()
    expect(ranking.get_by_role("listitem").first).to_contain_text("Dan Self")
    expect(ranking.get_by_role("listitem").nth(1)).to_contain_text("Bea Nominee")
    # Eve is still there to add; Rosa leaves her unranked.
    expect(rosa_phone.get_by_role("button", name="Add Eve Extra as preference 3")).to_be_visible()
    rosa_phone.get_by_role("button", name="Review my ballot").click()
    expect(rosa_phone.get_by_role("heading", level=1, name="Check your ballot")).to_be_visible()
    review = rosa_phone.get_by_role("list", name="Your preferences")
    expect(review.get_by_role("listitem")).to_have_text(["Dan Self", "Bea Nominee"])
    rosa_phone.get_by_role("button", name="Cast my ballot").click()
    expect(rosa_phone.get_by_role("heading", level=1, name="Your ballot is cast")).to_be_visible()
    receipt_label = rosa_phone.get_by_label(re.compile(r"^Receipt code "))
    receipt = receipt_label.inner_text().strip()
    assert Ballot.objects.filter(election=election, receipt=receipt).exists()
    assert VoterRecord.objects.filter(election=election, member=rosa).exists()
    rosa_phone.get_by_role("link", name="Back to the election").click()
    expect(
        rosa_phone.get_by_role("status").filter(has_text="You have voted in this election.")
    ).to_be_visible()
    expect(rosa_phone.get_by_role("link", name="Vote", exact=True)).to_have_count(0)

    # Cal votes: Bea, Dan, Eve.
    cal_page = sign_in(browse, cal.user, viewport=viewport)
    open_election(cal_page, title)
    cal_page.get_by_role("link", name="Vote", exact=True).click()
    for place, name in enumerate(["Bea Nominee", "Dan Self", "Eve Extra"], start=1):
        cal_page.get_by_role("button", name=f"Add {name} as preference {place}").click()
    cal_page.get_by_role("button", name="Review my ballot").click()
    expect(cal_page.get_by_role("list", name="Your preferences").get_by_role("listitem")).to_have_text(
        ["Bea Nominee", "Dan Self", "Eve Extra"]
    )
    cal_page.get_by_role("button", name="Cast my ballot").click()
    expect(cal_page.get_by_role("heading", level=1, name="Your ballot is cast")).to_be_visible()
    assert Ballot.objects.filter(election=election).count() == 2

    # Voting closes; the terms of office are to start today, so that the committee shows them at once.
    move_windows(election)
    Election.objects.filter(pk=election.pk).update(term_starts_on=timezone.localdate())

    # The returning officer runs the count, reads the sheet and confirms the result.
    otto = sign_in(browse, people["returning_officer"], viewport=viewport)
    open_election(otto, title)
    otto.get_by_role("link", name="The count", exact=True).click()
    expect(otto.get_by_role("heading", level=1, name="The count")).to_be_visible()
    expect(otto.get_by_text("2 cast online")).to_be_visible()
    otto.get_by_role("button", name="Run the count").click()
    expect(otto.get_by_role("heading", level=1, name="Count sheet")).to_be_visible()
    expect(otto.get_by_role("status").first).to_contain_text("Counted 2 ballot papers")
    sheet = otto.get_by_role("table", name=re.compile("^Count sheet"))
    expect(sheet).to_contain_text("Eve Extra")
    otto.get_by_role("link", name="Confirm this result").click()
    expect(otto.get_by_role("heading", level=1, name="Confirm the result")).to_be_visible()
    otto.get_by_role("button", name="Confirm the result and declare it").click()
    expect(otto.get_by_role("heading", level=1, name="Result")).to_be_visible()
    expect(otto.get_by_role("status").first).to_contain_text("The result is declared")
    election.refresh_from_db()
    assert election.confirmed_at is not None

    # The National Committee's page shows the new terms.
    terms = Term.objects.filter(committee=national_committee)
    assert {term.member.full_name for term in terms} == {"Bea Nominee", "Dan Self"}
    assert {term.basis for term in terms} == {TermBasis.ELECTED_AT_CONFERENCE}
    main_menu(rosa_phone).get_by_role("link", name="Committees").click()
    rosa_phone.get_by_role("link", name="National Committee").click()
    expect(rosa_phone.get_by_role("heading", level=1, name="National Committee")).to_be_visible()
    members = rosa_phone.get_by_role("region", name="Members")
    expect(members.get_by_role("row")).to_have_count(3)  # the header and two terms
    for name in ("Bea Nominee", "Dan Self"):
        expect(members.get_by_role("row", name=re.compile(name))).to_contain_text("Elected at conference")
    expect(members).not_to_contain_text("Eve Extra")

    # Rosa reads the declared result, and finds her receipt among those counted.
    open_election(rosa_phone, title)
    rosa_phone.get_by_role("link", name="The result").click()
    expect(rosa_phone.get_by_role("heading", level=1, name="Result")).to_be_visible()
    elected = rosa_phone.locator("main ol").first
    expect(elected.get_by_role("listitem")).to_have_count(2)
    expect(elected).to_contain_text("Bea Nominee")
    expect(elected).to_contain_text("Dan Self")
    rosa_phone.get_by_role("link", name=title).click()
    rosa_phone.get_by_role("link", name="Receipts counted").click()
    rosa_phone.get_by_label("Your receipt code").fill(receipt)
    rosa_phone.get_by_role("button", name="Check").click()
    expect(rosa_phone.get_by_role("status").filter(has_text="is in the list")).to_be_visible()
    assert OutboundMessage.objects.filter(
        to=bea.user.email, key=f"election-{election.pk}-result-{bea.pk}"
    ).exists()
