"""The CAC's outcomes page and the text as carried: recording each item in debating order.

The page lists the order paper (motions by position, each followed by its
amendments) with the live count of entitled members present; each item has
its outcome or a form. The majority met is computed by the service and shown
after. A refused outcome (more votes than present, an outcome the counts
contradict, a motion before its amendments, before conference) comes back on
the form with the reason (409) and nothing written. Others get 403.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conference.business.services import motions
from conference.models import Amendment, Conference, Motion, Outcome, VoteMethod
from members.models import Member
from tests.conference.test_motions import AT_CONFERENCE, BEFORE_DEADLINE, debate, present, rules, seconder
from tests.helpers.clock import frozen

__all__ = ["debate", "rules", "seconder"]  # fixtures used here

Debate = tuple[Motion, Amendment, Amendment]


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def _vote(outcome: str, votes_for: int, against: int, **extra: str) -> dict[str, str]:
    return {
        "outcome": outcome,
        "method": VoteMethod.HANDS,
        "votes_for": str(votes_for),
        "votes_against": str(against),
        "votes_abstain": "0",
        "majority": "simple",
        **extra,
    }


def _url(item: Motion | Amendment) -> str:
    kind = "motion" if isinstance(item, Motion) else "amendment"
    return reverse("conference:record_outcome", args=[kind, item.pk])


def test_the_outcomes_page_lists_the_business_in_debating_order_with_those_present(
    client: Client, conference: Conference, debate: Debate, cac: Any
) -> None:
    motion, first, second = debate
    present(conference, 3, cac)
    with frozen(AT_CONFERENCE):
        response = _login(client, cac).get(reverse("conference:outcomes", args=[conference.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>3</strong> entitled members present" in html
    places = [html.index(f'id="{anchor}"') for anchor in (f"amendment-{first.pk}", f"amendment-{second.pk}")]
    assert html.index(f'id="motion-{motion.pk}"') < places[0] < places[1]
    assert html.count('action="/conference/outcomes/') == 3  # a form for each item


def test_recording_an_amendment_then_the_motion_shows_the_majority_met_and_leads_to_the_text_as_carried(
    client: Client, conference: Conference, debate: Debate, cac: Any
) -> None:
    motion, first, second = debate
    present(conference, 3, cac)
    with frozen(AT_CONFERENCE):
        _login(client, cac)
        done = client.post(_url(first), _vote(Outcome.CARRIED, 2, 1))
        client.post(_url(second), {"outcome": Outcome.NOT_REACHED, "majority": "simple"})
        carried = client.post(_url(motion), _vote(Outcome.CARRIED, 3, 0), follow=True)
        page = client.get(reverse("conference:outcomes", args=[conference.slug])).content.decode()

    assert done.status_code == 302 and done["Location"].endswith(f"#amendment-{first.pk}")
    first.refresh_from_db()
    assert first.majority_met is True and first.outcome == Outcome.CARRIED
    assert carried.redirect_chain[-1][0] == reverse("conference:as_carried", args=[motion.pk])
    assert "The majority required was met" in carried.content.decode()
    assert "cost-of-living crisis" in carried.content.decode()  # the carried amendment merged
    assert "2 for, 1 against" in page and "<strong>met</strong>" in page


@pytest.mark.parametrize(
    ("which", "data", "message"),
    [
        ("first", _vote(Outcome.CARRIED, 4, 2), "6 votes, but only 5 entitled members"),
        ("first", _vote(Outcome.CARRIED, 1, 2), "The counts say it was lost"),
        ("first", _vote(Outcome.LOST, 2, 1), "The counts say it was carried"),
        ("first", _vote(Outcome.CARRIED, 3, 2, majority="two_thirds"), "two thirds of"),
        ("motion", _vote(Outcome.CARRIED, 2, 1), "amendments are decided first"),
        ("first", {"outcome": Outcome.CARRIED, "majority": "simple"}, "needs its method"),
    ],
)
def test_a_refused_outcome_says_why_and_writes_nothing(
    client: Client, conference: Conference, debate: Debate, cac: Any, which: str, data: Any, message: str
) -> None:
    motion, first, _ = debate
    present(conference, 5, cac)
    item = motion if which == "motion" else first
    with frozen(AT_CONFERENCE):
        response = _login(client, cac).post(_url(item), data)

    assert response.status_code == 409
    assert message in response.content.decode()
    item.refresh_from_db()
    assert item.outcome == "" and item.majority_met is None and item.votes_for is None


def test_no_outcome_before_conference_begins(
    client: Client, conference: Conference, debate: Debate, cac: Any
) -> None:
    _, first, _ = debate
    with frozen(BEFORE_DEADLINE):
        response = _login(client, cac).post(_url(first), {"outcome": Outcome.REMITTED, "majority": "simple"})
    assert response.status_code == 409
    assert "has not begun" in response.content.decode()
    first.refresh_from_db()
    assert first.outcome == ""


def test_a_recorded_item_offers_no_form_again(
    client: Client, conference: Conference, debate: Debate, cac: Any
) -> None:
    _, first, _ = debate
    with frozen(AT_CONFERENCE):
        _login(client, cac)
        client.post(_url(first), {"outcome": Outcome.WITHDRAWN, "majority": "simple"})
        again = client.get(_url(first))
        refused = client.post(_url(first), {"outcome": Outcome.REMITTED, "majority": "simple"})
    assert "Withdrawn" in again.content.decode()
    assert 'name="outcome"' not in again.content.decode()
    assert refused.status_code == 409 and "recorded already" in refused.content.decode()
    first.refresh_from_db()
    assert first.outcome == Outcome.WITHDRAWN


def test_the_outcome_pages_are_for_the_cac(
    client: Client, conference: Conference, debate: Debate, delegate: Member
) -> None:
    motion, first, _ = debate
    _login(client, delegate.user)
    for url in (
        reverse("conference:outcomes", args=[conference.slug]),
        _url(first),
        reverse("conference:as_carried", args=[motion.pk]),
    ):
        assert client.get(url).status_code == 403
    with frozen(AT_CONFERENCE):
        _login(client, delegate.user)
        assert (
            client.post(_url(first), {"outcome": Outcome.REMITTED, "majority": "simple"}).status_code == 403
        )
        # Still at the conference: the session logged in there has expired some weeks after it.
        assert client.get(reverse("conference:record_outcome", args=["vote", first.pk])).status_code == 404
    first.refresh_from_db()
    assert first.outcome == ""


def carry(motion: Motion, first: Amendment, second: Amendment, cac: Any) -> Motion:
    """Both amendments carried (card votes), then the motion."""
    with frozen(AT_CONFERENCE):
        for item in (first, second, motion):
            motions.record_outcome(
                actor=cac,
                item=item,
                outcome=Outcome.CARRIED,
                method=VoteMethod.CARD,
                votes_for=5,
                votes_against=1,
            )
    return Motion.objects.get(pk=motion.pk)


def test_the_text_as_carried_is_shown_editable_and_published(
    client: Client, conference: Conference, debate: Debate, cac: Any
) -> None:
    motion = carry(*debate, cac)
    url = reverse("conference:as_carried", args=[motion.pk])
    _login(client, cac)
    page = client.get(url).content.decode()
    assert "cost-of-living crisis" in page and "in every town and city" in page
    assert "<textarea" in page

    response = client.post(url, {"text": "Conference resolves to campaign for rent controls everywhere."})

    assert response.status_code == 302
    motion.refresh_from_db()
    assert motion.carried_text == "Conference resolves to campaign for rent controls everywhere."
    assert motion.carried_published_at is not None


def test_publishing_an_empty_or_uncarried_text_is_refused(
    client: Client, conference: Conference, debate: Debate, cac: Any
) -> None:
    motion = debate[0]
    _login(client, cac)
    url = reverse("conference:as_carried", args=[motion.pk])
    assert "only carried motions" in client.get(url).content.decode()
    assert client.post(url, {"text": "Anything"}).status_code == 409  # not carried
    motion = carry(*debate, cac)
    assert client.post(url, {"text": "   "}).status_code == 200  # the form: required
    motion.refresh_from_db()
    assert motion.carried_published_at is None
