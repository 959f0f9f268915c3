"""The policy record: carried motions as carried, once the CAC publishes them, for members.

Searchable by words, filtered by year and topic, paginated; the text is
Markdown rendered safely; the page runs a fixed number of queries however
many motions there are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conference.business.services import motions
from conference.models import Conference, ItemStatus, Motion, Outcome, ProposerKind, Ruling
from members.models import Member
from tests.conference.test_motions import debate, rules, seconder
from tests.conference.test_outcome_pages import Debate, carry
from tests.factories import ConferenceFactory

__all__ = ["debate", "rules", "seconder"]  # fixtures used here

POLICY = reverse("conference:policy")


def published(conference: Conference, count: int, *, topic: str = "Housing", title: str = "Policy") -> None:
    """``count`` carried motions whose text as carried is published (rows as record_outcome leaves them)."""
    start = (
        Motion.objects.filter(conference=conference).order_by("-position").first() or Motion()
    ).position or 0
    Motion.objects.bulk_create(
        Motion(
            conference=conference,
            proposer_kind=ProposerKind.NC,
            status=ItemStatus.SUBMITTED,
            ruling=Ruling.IN_ORDER,
            position=start + n,
            title=f"{title} {n}",
            text=f"Conference resolves {n}.",
            topic=topic,
            outcome=Outcome.CARRIED,
            carried_text=f"Conference resolves {n}.",
            carried_published_at=timezone.now(),
        )
        for n in range(1, count + 1)
    )


@pytest.fixture
def carried(conference: Conference, debate: Debate, cac: Any) -> Motion:
    """The rent controls motion carried with both amendments and published as carried."""
    motion = carry(*debate, cac)
    text = "Conference resolves to campaign for **rent controls**.\n\n<script>alert(1)</script>"
    return motions.publish_as_carried(actor=cac, motion=motion, text=text)


def test_a_published_carried_motion_is_shown_as_carried_with_its_markdown_rendered_safely(
    client: Client, carried: Motion, member: Member
) -> None:
    client.force_login(member.user)
    html = client.get(POLICY).content.decode()
    assert "Rent controls" in html
    assert "<strong>rent controls</strong>" in html
    assert "<script>alert(1)" not in html  # escaped, and then cleaned away


def test_carried_but_unpublished_and_lost_motions_are_not_in_the_record(
    client: Client, conference: Conference, debate: Debate, cac: Any, member: Member
) -> None:
    carry(*debate, cac)  # carried, not yet published
    Motion.objects.filter(pk=debate[0].pk).update(carried_published_at=None)
    published(conference, 1, title="Lost motion")
    Motion.objects.filter(title="Lost motion 1").update(outcome=Outcome.LOST)
    client.force_login(member.user)
    html = client.get(POLICY).content.decode()
    assert "Rent controls" not in html and "Lost motion" not in html
    assert "No carried motion has been published yet" in html


def test_the_record_is_searched_by_words_year_and_topic(
    client: Client, carried: Motion, conference: Conference, member: Member
) -> None:
    earlier = ConferenceFactory.create(
        year=2026,
        title="Annual conference 2026",
        starts_on=dt.date(2026, 5, 30),
        registration_opens_at=timezone.now() - dt.timedelta(days=400),
        registration_closes_at=timezone.now() - dt.timedelta(days=200),
        eligibility_cutoff=dt.date(2026, 3, 1),
    )
    published(earlier, 1, topic="Transport", title="Free buses")
    client.force_login(member.user)

    def titles(**query: str) -> set[str]:
        page = client.get(POLICY, query).context["page"]
        return {motion.title for motion in page.object_list}

    assert titles() == {"Rent controls", "Free buses 1"}
    assert titles(q="rent controls") == {"Rent controls"}
    assert titles(year="2026") == {"Free buses 1"}
    assert titles(topic="Housing") == {"Rent controls"}
    assert titles(year="2027", topic="Transport") == set()
    assert titles(year="not a year", topic="<script>") == {"Rent controls", "Free buses 1"}  # ignored


def test_the_record_is_paginated_with_a_fixed_number_of_queries(
    client: Client, conference: Conference, member: Member, django_assert_max_num_queries: Any
) -> None:
    client.force_login(member.user)
    published(conference, 2)
    with django_assert_max_num_queries(12) as small:
        client.get(POLICY)
    published(conference, 60, title="More")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(POLICY, {"page": "2"})
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 20


def test_the_record_is_for_members(
    client: Client, carried: Motion, outsider: Any, applicant: Any, national_office: Any
) -> None:
    for user, status in ((outsider, 403), (applicant.member.user, 403), (national_office, 200)):
        client.force_login(user)
        assert client.get(POLICY).status_code == status
    client.logout()
    assert client.get(POLICY).status_code == 302
