"""The decisions register: a committee's decisions, searchable by text and year, newest first.

The committee sees every decision; the body that elects it sees those of
meetings whose minutes are published; anyone else gets 404. The page runs a
fixed number of queries however many decisions there are.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from committees import services
from committees.models import AgendaSection, Committee, Meeting
from members.models import Member
from tests.committees.record_helpers import call, hold
from tests.helpers.clock import frozen, london_time
from tests.helpers.http import as_user

LATER = london_time(2026, 4, 1, 12)


def held_meeting(committee: Committee, secretary: Member, starts_at: dt.datetime) -> Meeting:
    return hold(call(committee, secretary, starts_at), secretary)


def decide(meeting: Meeting, secretary: Member, *texts: str, item_section: str | None = None) -> None:
    item = meeting.items.get(section=item_section) if item_section else None
    with frozen(meeting.starts_at + dt.timedelta(hours=1)):
        for text in texts:
            services.record_decision(actor=secretary.user, meeting=meeting, text=text, item=item)


def publish(meeting: Meeting, at: Meeting, secretary: Member) -> None:
    with frozen(LATER):
        minutes = services.draft_minutes(actor=secretary.user, meeting=meeting, text="Minutes.")
        minutes = services.circulate_minutes(actor=secretary.user, minutes=minutes)
        minutes = services.approve_minutes(actor=secretary.user, minutes=minutes, at_meeting=at)
        services.publish_minutes(actor=secretary.user, minutes=minutes)


@pytest.fixture
def ec_year(ec: Committee, ec_members: list[Member], secretary: Member) -> list[Meeting]:
    """EC meetings held on 1 December 2025, 12 January 2026 and 9 March 2026, with decisions;
    the first two meetings' minutes are published."""
    december = held_meeting(ec, secretary, london_time(2025, 12, 1, 19))
    january = held_meeting(ec, secretary, london_time(2026, 1, 12, 19))
    march = held_meeting(ec, secretary, london_time(2026, 3, 9, 19))
    with frozen(london_time(2026, 1, 5)):
        services.prepare_agenda(actor=secretary.user, meeting=january)
    decide(december, secretary, "Affiliate to the trades council.")
    decide(january, secretary, "Back the bus STRIKE with a levy.", item_section=AgendaSection.MOTIONS)
    decide(march, secretary, "Hold a day school on the strike in May.")
    publish(december, january, secretary)
    publish(january, march, secretary)
    return [december, january, march]


def register(client: Client, committee: Committee, **params: str) -> list[str]:
    with frozen(LATER):
        response = client.get(reverse("committees:decisions", args=[committee.slug]), params)
    assert response.status_code == 200
    return [decision.text for decision in response.context["page"].object_list]


def test_the_committee_sees_every_decision_newest_first_with_its_meeting_and_item(
    client: Client, ec: Committee, ec_year: list[Meeting], plain_member: Member
) -> None:
    as_user(client, plain_member)
    assert register(client, ec) == [
        "Hold a day school on the strike in May.",
        "Back the bus STRIKE with a levy.",
        "Affiliate to the trades council.",
    ]
    with frozen(LATER):
        html = client.get(reverse("committees:decisions", args=[ec.slug])).content.decode()
    assert "12 Jan 2026" in html
    assert "Motions" in html  # the item the January decision was recorded against
    assert 'role="region" aria-labelledby="decisions-caption" tabindex="0"' in html


def test_the_electing_body_sees_decisions_of_published_minutes_only_and_outsiders_nothing(
    client: Client, ec: Committee, ec_year: list[Meeting], people: dict[str, Member], outsider: object
) -> None:
    as_user(client, people["Hal Burke"])  # on the NC, which elects the EC
    assert register(client, ec) == ["Back the bus STRIKE with a levy.", "Affiliate to the trades council."]
    assert register(client, ec, q="day school") == []
    as_user(client, outsider)
    with frozen(LATER):
        assert client.get(reverse("committees:decisions", args=[ec.slug])).status_code == 404


def test_searching_the_text_and_filtering_by_year(
    client: Client, ec: Committee, ec_year: list[Meeting], plain_member: Member
) -> None:
    as_user(client, plain_member)
    assert register(client, ec, q="strike") == [
        "Hold a day school on the strike in May.",
        "Back the bus STRIKE with a levy.",
    ]
    assert register(client, ec, year="2025") == ["Affiliate to the trades council."]
    assert register(client, ec, q="strike", year="2026") == [
        "Hold a day school on the strike in May.",
        "Back the bus STRIKE with a levy.",
    ]
    with frozen(LATER):
        page = client.get(reverse("committees:decisions", args=[ec.slug]))
    assert [value for value, _ in page.context["form"].fields["year"].choices] == ["", "2026", "2025"]


@pytest.mark.parametrize("params", [{"year": "1999"}, {"year": "abc"}, {"q": "x" * 500}, {"page": "-3"}])
def test_filters_a_person_could_type_wrongly_are_ignored_not_an_error(
    client: Client, ec: Committee, ec_year: list[Meeting], plain_member: Member, params: dict[str, str]
) -> None:
    as_user(client, plain_member)
    assert len(register(client, ec, **params)) == 3


def test_the_register_is_paginated_fifty_to_a_page(
    client: Client, ec: Committee, ec_year: list[Meeting], secretary: Member, plain_member: Member
) -> None:
    decide(ec_year[2], secretary, *(f"Routine decision {n}" for n in range(57)))
    as_user(client, plain_member)
    assert len(register(client, ec)) == 50
    assert len(register(client, ec, page="2")) == 10
    assert len(register(client, ec, page="99")) == 10  # past the end: the last page


def test_the_register_runs_the_same_queries_for_few_and_many_decisions(
    client: Client,
    ec: Committee,
    ec_year: list[Meeting],
    secretary: Member,
    plain_member: Member,
    people: dict[str, Member],
    django_assert_max_num_queries,
) -> None:
    url = reverse("committees:decisions", args=[ec.slug])
    readers = [plain_member, people["Hal Burke"]]  # the committee; the body that elects it
    few = {}
    for reader in readers:
        as_user(client, reader)
        with frozen(LATER), django_assert_max_num_queries(30) as counted:
            client.get(url)
        few[reader.pk] = len(counted.captured_queries)

    more = [held_meeting(ec, secretary, london_time(2026, 3, day, 19)) for day in (16, 23, 30)]
    for meeting in more:
        with frozen(meeting.starts_at - dt.timedelta(days=2)):
            services.prepare_agenda(actor=secretary.user, meeting=meeting)
        decide(meeting, secretary, *(f"Decision {n}" for n in range(12)), item_section=AgendaSection.REPORTS)
    publish(more[0], more[1], secretary)
    publish(more[1], more[2], secretary)

    for reader, expected in zip(readers, (39, 26), strict=True):
        as_user(client, reader)
        with frozen(LATER), django_assert_max_num_queries(few[reader.pk]):
            response = client.get(url)
        assert response.context["page"].paginator.count == expected
        assert len(response.context["page"].object_list) == min(expected, 50)
