"""The committee and meeting pages read in a number of queries that does not grow with their rows.

What these pages offer the reader (the feed and the undelivered mail, the
secretary's links, the agenda, apologies, the live quorum and the links on
the day) is computed by their views from ``committees.selectors``, so these
counts measure the whole page. Each test builds N rows, counts, builds up to
3N, and asserts the same bound.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from awl.models import OutboundMessage
from committees import services
from committees.models import AgendaSection, Committee, Meeting, Paper, TermRole
from committees.notices import mail_group
from members.models import Branch, Member
from tests.committees.conftest import admit, elect
from tests.committees.record_helpers import call
from tests.helpers.clock import frozen, london_time
from tests.helpers.http import as_user

N = 5
EC_MONDAY = london_time(2026, 3, 9, 19)  # an EC meeting; the EC has four members
ON_THE_NIGHT = EC_MONDAY + dt.timedelta(minutes=10)
A_WEEK_BEFORE = EC_MONDAY - dt.timedelta(days=7)


def queries(client: Client, url: str, bound: int, django_assert_max_num_queries: Any) -> int:
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


# The meeting page on the night ---------------------------------------------------------------------------
def add_members(meeting: Meeting, branch: Branch, secretary: Member, start: int, count: int) -> None:
    """Members who sit on the committee, half of them sent apologies, each marked present or absent."""
    for n in range(start, start + count):
        member = admit(branch, f"Extra Member {n}")
        elect(meeting.committee, member, TermRole.MEMBER)
        if n % 2:
            with frozen(A_WEEK_BEFORE):
                services.send_apologies(meeting=meeting, member=member)
        with frozen(ON_THE_NIGHT):
            services.record_attendance(
                actor=secretary.user, meeting=meeting, member=member, present=n % 2 == 0
            )


def add_agenda(meeting: Meeting, start: int, count: int) -> None:
    for n in range(start, start + count):
        item = services.add_agenda_item(
            actor=None, meeting=meeting, section=AgendaSection.REPORTS, title=f"Report {n}", body="Text"
        )
        Paper.objects.create(
            item=item, title=f"Paper {n}", file=f"papers/{n}.pdf", content_type="application/pdf", size=10
        )


@pytest.mark.parametrize("who", ["secretary", "plain member"])
def test_the_meeting_page_on_the_night_reads_the_same_queries_for_n_and_3n_members_and_items(
    client: Client,
    ec: Committee,
    ec_members: list[Member],
    secretary: Member,
    plain_member: Member,
    london: Branch,
    django_assert_max_num_queries: Any,
    who: str,
) -> None:
    with frozen(A_WEEK_BEFORE):
        meeting = call(ec, secretary, EC_MONDAY)
        add_agenda(meeting, 0, N)
        services.publish_agenda(actor=secretary.user, meeting=meeting)
    add_members(meeting, london, secretary, 0, N)
    url = reverse("committees:meeting_detail", args=[meeting.pk])
    as_user(client, secretary if who == "secretary" else plain_member)
    with frozen(ON_THE_NIGHT):
        client.get(url)  # warm the per-process caches (content types, roles)
        with_n = queries(client, url, 40, django_assert_max_num_queries)

    add_members(meeting, london, secretary, N, 2 * N)
    with frozen(A_WEEK_BEFORE):
        add_agenda(meeting, N, 2 * N)
    with frozen(ON_THE_NIGHT):
        with_3n = queries(client, url, with_n, django_assert_max_num_queries)
        response = client.get(url)

    assert with_3n == with_n
    day = response.context["on_the_day"]
    assert day.live and day.quorum.members == len(ec_members) + 3 * N
    assert day.can_record == (who == "secretary")
    assert len(response.context["agenda"].items) == 3 * N
    assert f"Paper {3 * N - 1}" in response.content.decode()


# The committee page for its secretary ----------------------------------------------------------------------
def add_failed_mail(committee: Committee, start: int, count: int) -> None:
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            key=f"test:failed:{committee.pk}:{n}",
            to=f"member{n}@example.org",
            subject="Notice of meeting",
            body_text="Text",
            status=OutboundMessage.Status.FAILED,
            group=mail_group(committee),
        )
        for n in range(start, start + count)
    )


@pytest.mark.parametrize("who", ["secretary", "plain member"])
def test_the_committee_page_reads_the_same_queries_for_n_and_3n_members_meetings_and_failed_messages(
    client: Client,
    ec: Committee,
    ec_members: list[Member],
    secretary: Member,
    plain_member: Member,
    london: Branch,
    django_assert_max_num_queries: Any,
    who: str,
) -> None:
    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            elect(ec, admit(london, f"Extra Member {n}"), TermRole.MEMBER)
        add_failed_mail(ec, start, count)
        services.schedule_meetings(
            actor=None, committee=ec, until=dt.date(2026, 3, 2) + dt.timedelta(weeks=start + count)
        )

    url = reverse("committees:committee_detail", args=[ec.slug])
    as_user(client, secretary if who == "secretary" else plain_member)
    with frozen(london_time(2026, 3, 1, 12)):
        add(0, N)
        client.get(url)  # warm the per-process caches
        with_n = queries(client, url, 40, django_assert_max_num_queries)
        add(N, 2 * N)
        with_3n = queries(client, url, with_n, django_assert_max_num_queries)
        response = client.get(url)

    assert with_3n == with_n
    assert len(response.context["terms"]) == len(ec_members) + 3 * N
    feeds = response.context["feeds"]
    assert feeds.manage == (who == "secretary") == response.context["can_manage"]
    if who == "secretary":
        assert f"{3 * N} failed" in response.content.decode()
