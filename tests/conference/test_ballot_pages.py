"""The ballot and teller pages: ranking by tapping without JavaScript, the receipt shown once, the voter
never shown their ballot again, the tellers' forms and the reconciliation, and constant queries.

The election and people are test_ballots.py's (fixtures imported from there):
the Control Commission's election by the NC, voting open, Ann, Bob and Cat
standing, Rosa voting, the national office its returning officer.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conference.elections.models import (
    Ballot,
    BallotSource,
    Election,
    PaperEntry,
    Teller,
    VotedBy,
    VoterRecord,
)
from conference.elections.services import ballots
from conference.elections.views.ballots import RECEIPT_COOKIE
from members.models import Member
from tests.conference.test_ballots import (
    after_closing,
    ann,
    election,
    ids,
    nc,
    outside,
    second_teller,
    standing,
    tables,
    teller,
)

__all__ = [
    "ann",
    "election",
    "ids",
    "nc",
    "outside",
    "second_teller",
    "standing",
    "teller",
]  # fixtures used here

NAMES = ("Ann Ayres", "Bob Boyd", "Cat Cross")


def vote_url(election: Election) -> str:
    return reverse("conference:ballot_vote", args=[election.pk])


def hidden(page: Any, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page.content.decode())
    assert found, f"no hidden {name} on the page"
    return found.group(1)


def step(client: Client, election: Election, page: Any, do: str) -> Any:
    """Press the button ``do`` on the ballot page ``page``, carrying its hidden fields."""
    data = {"paper": hidden(page, "paper"), "ranking": hidden(page, "ranking"), "do": do}
    return client.post(vote_url(election), data)


def ranked_names(page: Any) -> list[str]:
    """The ranking shown on the page, in order (from the hidden ranking, checked against what is shown)."""
    places = [int(p) for p in hidden(page, "ranking").split()]
    return [NAMES[p - 1] for p in places]


# Voting ---------------------------------------------------------------------------------------------------
def test_a_voter_ranks_by_tapping_reviews_casts_and_sees_the_receipt_once(
    client: Client, election: Election, member: Member
) -> None:
    client.force_login(member.user)
    page = client.get(vote_url(election))
    text = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "Add <strong>Ann Ayres</strong> as preference 1" in text and "Review my ballot" not in text

    page = step(client, election, page, "add-2")
    assert ranked_names(page) == ["Bob Boyd"]
    assert "Add <strong>Ann Ayres</strong> as preference 2" in page.content.decode()
    page = step(client, election, page, "add-1")
    page = step(client, election, page, "add-3")
    assert ranked_names(page) == ["Bob Boyd", "Ann Ayres", "Cat Cross"]
    page = step(client, election, page, "up-3")
    assert ranked_names(page) == ["Bob Boyd", "Cat Cross", "Ann Ayres"]
    page = step(client, election, page, "down-1")
    assert ranked_names(page) == ["Cat Cross", "Bob Boyd", "Ann Ayres"]
    page = step(client, election, page, "remove-3")
    assert ranked_names(page) == ["Cat Cross", "Bob Boyd"]
    assert ": move Cat Cross to preference 2" in page.content.decode()  # what a screen reader says for Down

    review = step(client, election, page, "review")
    text = review.content.decode()
    assert "Check your ballot" in text and "Cast my ballot" in text and ">Change<" in text
    changed = step(client, election, review, "change")
    assert "Review my ballot" in changed.content.decode() and ranked_names(changed) == [
        "Cat Cross",
        "Bob Boyd",
    ]
    assert not VoterRecord.objects.exists() and not Ballot.objects.exists()  # nothing stored before casting

    cast = step(client, election, review, "cast")

    receipt_url = reverse("conference:ballot_receipt", args=[election.pk])
    assert cast.status_code == 302 and cast["Location"] == receipt_url  # no ranking in any address
    cookie = cast.cookies[RECEIPT_COOKIE]
    assert cookie["path"] == receipt_url and cookie["httponly"] and cookie["samesite"] == "Strict"
    [ballot] = Ballot.objects.all()
    candidates = dict(zip(NAMES, ballots.candidates(election).values_list("pk", flat=True), strict=True))
    assert ballot.preferences == [candidates["Cat Cross"], candidates["Bob Boyd"]]
    shown = client.get(receipt_url)
    assert ballot.receipt and ballot.receipt in shown.content.decode()
    assert "this page is not shown again" in shown.content.decode()
    again = client.get(receipt_url)
    assert ballot.receipt not in again.content.decode() and "cannot be shown again" in again.content.decode()


def test_after_voting_the_ballot_page_says_so_and_shows_no_ranking(
    client: Client, election: Election, member: Member, ids: list[int]
) -> None:
    ballots.cast_ballot(actor=member.user, election=election, ranking=[ids[2], ids[0]])
    client.force_login(member.user)
    before = tables()

    for response in (
        client.get(vote_url(election)),
        client.post(vote_url(election), {"paper": "-".join(map(str, ids)), "ranking": "1", "do": "cast"}),
    ):
        text = response.content.decode()
        assert response.status_code == 200 and "You have voted" in text
        assert not [name for name in NAMES if name in text]  # no candidate, so no order of them
        assert 'name="ranking"' not in text
    assert tables() == before


@pytest.mark.parametrize(
    ("ranking", "paper"),
    [("1 1", None), ("4", None), ("x", None), ("1  2", None), ("1" * 3000, None), ("1", "1-2-3")],
    ids=["repeated", "beyond-the-paper", "not-a-number", "double-space", "too-long", "another-paper"],
)
def test_a_tampered_ranking_is_not_read_and_nothing_is_cast(
    client: Client, election: Election, member: Member, ids: list[int], ranking: str, paper: str | None
) -> None:
    client.force_login(member.user)
    before = tables()
    data = {"paper": paper or "-".join(map(str, ids)), "ranking": ranking, "do": "cast"}
    response = client.post(vote_url(election), data)
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert hidden(response, "ranking") == ""  # start again
    assert tables() == before


@pytest.mark.parametrize(
    "do", ["add-9", "up-1", "down-1", "remove-1", "jump-1", "review", "add-x", "add-99999"]
)
def test_a_button_that_does_not_fit_the_ranking_changes_nothing(
    client: Client, election: Election, member: Member, ids: list[int], do: str
) -> None:
    client.force_login(member.user)
    response = client.post(vote_url(election), {"paper": "-".join(map(str, ids)), "ranking": "", "do": do})
    assert response.status_code == 200 and hidden(response, "ranking") == ""
    assert re.search(r"could not be read|Rank at least one", response.content.decode())


def test_outside_the_window_the_ballot_page_says_when_and_nothing_is_cast(
    client: Client, election: Election, member: Member, ids: list[int]
) -> None:
    client.force_login(member.user)
    with after_closing(election):
        page = client.get(vote_url(election))
        posted = client.post(
            vote_url(election), {"paper": "-".join(map(str, ids)), "ranking": "1", "do": "cast"}
        )
    for response in (page, posted):
        assert (
            response.status_code == 200 and "Voting in this election closed on" in response.content.decode()
        )
        assert "<form" not in response.content.decode().split("<main", 1)[1]
    assert not Ballot.objects.exists()


def test_not_in_the_electorate_is_a_403_with_the_reason_or_a_404_for_an_election_one_may_not_see(
    client: Client, election: Election, national_office: Any, outside: Member, ids: list[int]
) -> None:
    client.force_login(national_office)  # sees the election (its returning officer), votes not
    refused = client.get(vote_url(election))
    assert refused.status_code == 403 and "not in the electorate" in refused.content.decode()
    posted = client.post(vote_url(election), {"paper": "-".join(map(str, ids)), "ranking": "1", "do": "cast"})
    assert posted.status_code == 403
    client.force_login(outside.user)  # the NC's election is not a Leeds member's business
    assert client.get(vote_url(election)).status_code == 404
    assert client.get(reverse("conference:ballot_receipt", args=[election.pk])).status_code == 404
    assert not Ballot.objects.exists()


def test_the_election_page_offers_the_ballot_then_says_the_member_has_voted(
    client: Client, election: Election, member: Member, ids: list[int]
) -> None:
    client.force_login(member.user)
    detail = reverse("conference:election_detail", args=[election.pk])
    assert vote_url(election) in client.get(detail).content.decode()
    ballots.cast_ballot(actor=member.user, election=election, ranking=[ids[0]])
    text = client.get(detail).content.decode()
    assert vote_url(election) not in text and "You have voted in this election" in text


# Receipts -------------------------------------------------------------------------------------------------
def test_the_receipts_are_published_after_the_result_and_one_can_be_checked(
    client: Client, election: Election, member: Member, ids: list[int]
) -> None:
    receipt = ballots.cast_ballot(actor=member.user, election=election, ranking=[ids[1]])
    url = reverse("conference:ballot_receipts", args=[election.pk])
    client.force_login(member.user)
    assert receipt not in client.get(url).content.decode()
    Election.objects.filter(pk=election.pk).update(confirmed_at=election.voting_closes_at)
    listed = client.get(url).content.decode()
    assert receipt in listed and "Bob Boyd" not in listed  # the code, never beside a ranking
    assert "is in the list" in client.get(url, {"receipt": receipt.lower()}).content.decode()
    assert "is not in the list" in client.get(url, {"receipt": "ZZZZZZZZ"}).content.decode()
    assert "not a receipt code" in client.get(url, {"receipt": "<script>"}).content.decode()


def test_the_receipts_page_keeps_its_queries_constant(
    client: Client, election: Election, member: Member, ids: list[int], django_assert_max_num_queries: Any
) -> None:
    Election.objects.filter(pk=election.pk).update(confirmed_at=election.voting_closes_at)
    client.force_login(member.user)
    url = reverse("conference:ballot_receipts", args=[election.pk])

    def ballots_made(n: int) -> None:
        Ballot.objects.bulk_create(
            Ballot(election=election, preferences=[ids[0]], source=BallotSource.ONLINE, receipt=f"R{n:07d}")
            for n in range(Ballot.objects.count(), n)
        )

    ballots_made(3)
    client.get(url)  # warm caches (content types, roles)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    ballots_made(60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "R0000059" in client.get(url).content.decode()


# Tellers ----------------------------------------------------------------------------------------------------
def test_the_returning_officer_appoints_a_teller_by_e_mail(
    client: Client, election: Election, national_office: Any, outsider: Any
) -> None:
    client.force_login(national_office)
    url = reverse("conference:teller_manage", args=[election.pk])
    unknown = client.post(url, {"email": "nobody@example.org"})
    assert unknown.status_code == 200 and "Nobody has an account" in unknown.content.decode()
    assert client.post(url, {"email": "OUTSIDER@example.org"}).status_code == 302
    assert Teller.objects.filter(election=election, user=outsider).exists()
    twice = client.post(url, {"email": "outsider@example.org"})
    assert twice.status_code == 409 and "already a teller" in twice.content.decode()


def test_a_teller_finds_a_member_and_issues_a_paper_ballot(
    client: Client, election: Election, teller: Any, member: Member
) -> None:
    client.force_login(teller)
    search = client.get(reverse("conference:teller_issue", args=[election.pk]), {"q": "rosa"})
    issue_url = reverse("conference:teller_issue_member", args=[election.pk, member.pk])
    assert issue_url in search.content.decode()
    assert client.post(issue_url).status_code == 302
    assert ballots.voted_by(election, member) == VotedBy.PAPER
    again = client.get(reverse("conference:teller_issue", args=[election.pk]), {"q": "rosa"}).content.decode()
    assert "Paper ballot issued" in again and issue_url not in again
    assert "already been issued" in client.get(issue_url).content.decode()
    refused = client.post(issue_url)
    assert refused.status_code == 409 and VoterRecord.objects.count() == 1


def test_a_teller_enters_papers_by_their_marks_or_as_spoilt(
    client: Client, election: Election, teller: Any, ann: Member, member: Member, ids: list[int]
) -> None:
    ballots.issue_paper_ballot(actor=teller, election=election, member=ann)
    ballots.issue_paper_ballot(actor=teller, election=election, member=member)
    client.force_login(teller)
    url = reverse("conference:teller_enter", args=[election.pk])
    with after_closing(election):  # papers are entered once voting has closed
        form = client.get(url)
        paper = hidden(form, "paper")
        marks = {"paper": paper, "paper_number": "1", "rank_1": "2", "rank_2": "", "rank_3": "1"}

        entered = client.post(url, marks)
        void = client.post(url, {**marks, "paper_number": "2", "rank_1": "1", "rank_3": "1"})
        both = client.post(url, {**marks, "paper_number": "2", "spoilt": "on"})
        spoilt = client.post(url, {"paper": paper, "paper_number": "2", "spoilt": "on"})
        twice = client.post(url, {**marks, "rank_1": "1", "rank_3": ""})

        assert entered.status_code == 302 and spoilt.status_code == 302
        assert "no single first preference" in void.content.decode()
        assert "not both" in both.content.decode()
        assert twice.status_code == 409 and "already entered paper 1" in twice.content.decode()
        assert {(e.paper_number, tuple(e.preferences), e.spoilt) for e in PaperEntry.objects.all()} == {
            (1, (ids[2], ids[0]), False),
            (2, (), True),
        }
        corrected = client.post(url, {**marks, "rank_1": "1", "rank_3": "", "correct": "on"})
        assert corrected.status_code == 302
        assert PaperEntry.objects.get(paper_number=1).preferences == [ids[0]]
        listed = client.get(url).content.decode()
    assert "Ann Ayres" in listed and "Spoilt" in listed


def test_the_reconciliation_shows_differences_and_refuses_acceptance_until_they_agree(
    client: Client,
    election: Election,
    national_office: Any,
    teller: Any,
    second_teller: Any,
    ann: Member,
    ids: list[int],
) -> None:
    ballots.issue_paper_ballot(actor=teller, election=election, member=ann)
    url = reverse("conference:teller_reconcile", args=[election.pk])
    client.force_login(national_office)
    with after_closing(election):
        ballots.enter_paper(actor=teller, election=election, paper_number=1, ranking=[ids[0], ids[1]])
        ballots.enter_paper(actor=second_teller, election=election, paper_number=1, ranking=[ids[0], ids[2]])
        page = client.get(url).content.decode()
        assert "The tellers&#x27; entries differ: paper 1." in page and "Accept the paper ballots" not in page
        refused = client.post(url)
        assert refused.status_code == 409 and "differ: paper 1" in refused.content.decode()
        assert not Ballot.objects.exists()
        ballots.enter_paper(
            actor=second_teller, election=election, paper_number=1, ranking=[ids[0], ids[1]], correct=True
        )
        assert "Accept the paper ballots" in client.get(url).content.decode()
        assert client.post(url).status_code == 302
        assert client.post(url).status_code == 409  # once
    [paper] = Ballot.objects.all()
    assert (paper.source, paper.preferences, paper.receipt) == (BallotSource.PAPER, [ids[0], ids[1]], None)
    client.force_login(teller)  # a teller reads the reconciliation but does not accept
    assert client.get(url).status_code == 200 and client.post(url).status_code == 403


def test_the_reconciliation_page_keeps_its_queries_constant(
    client: Client,
    election: Election,
    national_office: Any,
    teller: Any,
    second_teller: Any,
    ids: list[int],
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(national_office)
    url = reverse("conference:teller_reconcile", args=[election.pk])
    appointed = list(Teller.objects.filter(election=election))

    def papers(upto: int) -> None:
        # Rows as two tellers' entries would leave them (issuing that many papers would need as many voters).
        start = PaperEntry.objects.filter(teller=appointed[0]).count() + 1
        PaperEntry.objects.bulk_create(
            PaperEntry(
                election=election, teller=who, paper_number=n, preferences=[ids[n % 3], ids[(n + 1) % 3]]
            )
            for n in range(start, upto + 1)
            for who in appointed
        )

    papers(3)
    client.get(url)
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    papers(60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert ">60</th>" in client.get(url).content.decode()
