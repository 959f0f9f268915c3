"""My action points: a dashboard panel with the open ones and a "done" button, and a page of them all.

Each person sees only their own points; the panel and the page run a fixed
number of queries however many points there are.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from committees import services
from committees.models import ActionPoint, Committee, Meeting
from members.models import Member
from tests.committees.record_helpers import call, hold
from tests.helpers.clock import frozen, london_time
from tests.helpers.http import as_user

NOW = london_time(2026, 3, 20, 12)


@pytest.fixture
def meetings(nc: Committee, ec: Committee, ec_members: list[Member], secretary: Member) -> list[Meeting]:
    """An EC meeting held on 9 March 2026 and an NC meeting held on 14 March 2026."""
    return [
        hold(call(ec, secretary, london_time(2026, 3, 9, 19)), secretary),
        hold(call(nc, secretary, london_time(2026, 3, 14, 11)), secretary),
    ]


def point(meeting: Meeting, secretary: Member, owner: Member, text: str, due: dt.date | None) -> ActionPoint:
    with frozen(NOW):
        return services.add_action_point(
            actor=secretary.user, meeting=meeting, text=text, owner=owner, due_on=due
        )


def dashboard(client: Client) -> str:
    with frozen(NOW):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_panel_lists_my_open_points_soonest_due_first_with_a_done_button(
    client: Client,
    meetings: list[Meeting],
    secretary: Member,
    plain_member: Member,
    people: dict[str, Member],
) -> None:
    ec_meeting, nc_meeting = meetings
    later = point(ec_meeting, secretary, plain_member, "Write to the trades council", dt.date(2026, 4, 30))
    overdue = point(nc_meeting, secretary, plain_member, "Book the hall", dt.date(2026, 3, 18))
    done = point(ec_meeting, secretary, plain_member, "Print leaflets", None)
    point(ec_meeting, secretary, people["Dev Anand"], "Someone else's job", None)
    with frozen(NOW):
        services.complete_action_point(actor=plain_member.user, point=done)

    as_user(client, plain_member)
    html = dashboard(client)
    assert "My action points" in html
    assert html.index("Book the hall") < html.index("Write to the trades council")
    assert "Overdue" in html  # the hall was due on 18 March
    assert "due 30 Apr 2026" in html
    assert "Print leaflets" not in html
    assert "Someone else" not in html
    for open_point in (overdue, later):
        assert reverse("committees:action_point_done", args=[open_point.pk]) in html

    with frozen(NOW):
        response = client.post(
            reverse("committees:action_point_done", args=[overdue.pk]), {"next": reverse("dashboard")}
        )
    assert response["Location"] == reverse("dashboard")
    after = dashboard(client)
    assert "Done: Book the hall" in after  # the message; the point has left the panel
    assert reverse("committees:action_point_done", args=[overdue.pk]) not in after
    assert reverse("committees:action_point_done", args=[later.pk]) in after


def test_no_panel_for_someone_with_no_open_action_points(
    client: Client, meetings: list[Meeting], secretary: Member, plain_member: Member, outsider: object
) -> None:
    point(meetings[0], secretary, plain_member, "Book the hall", None)
    as_user(client, secretary)
    assert "My action points" not in dashboard(client)
    as_user(client, outsider)
    assert "My action points" not in dashboard(client)


def test_the_page_lists_open_points_and_those_done_in_the_last_ninety_days(
    client: Client, meetings: list[Meeting], secretary: Member, plain_member: Member
) -> None:
    ec_meeting, nc_meeting = meetings
    point(ec_meeting, secretary, plain_member, "Write to the trades council", dt.date(2026, 4, 30))
    recent = point(nc_meeting, secretary, plain_member, "Book the hall", None)
    long_ago = point(ec_meeting, secretary, plain_member, "Order badges", None)
    with frozen(NOW - dt.timedelta(days=1)):
        services.complete_action_point(actor=plain_member.user, point=recent)
    ActionPoint.objects.filter(pk=long_ago.pk).update(done_at=NOW - dt.timedelta(days=91))

    as_user(client, plain_member)
    with frozen(NOW):
        response = client.get(reverse("committees:my_action_points"))
    assert [p.text for p in response.context["open_points"]] == ["Write to the trades council"]
    assert [p.text for p in response.context["done_points"]] == ["Book the hall"]
    assert "Order badges" not in response.content.decode()


def test_the_panel_and_the_page_run_the_same_queries_for_few_and_many_points(
    client: Client,
    meetings: list[Meeting],
    secretary: Member,
    plain_member: Member,
    django_assert_max_num_queries,
) -> None:
    point(meetings[0], secretary, plain_member, "First job", dt.date(2026, 4, 1))
    as_user(client, plain_member)
    counts = {}
    for name in ("dashboard", "committees:my_action_points"):
        with frozen(NOW), django_assert_max_num_queries(40) as few:
            client.get(reverse(name))
        counts[name] = len(few.captured_queries)
    for n in range(30):
        made = point(
            meetings[n % 2], secretary, plain_member, f"Job {n}", dt.date(2026, 4, 1) + dt.timedelta(n)
        )
        if n % 3 == 0:
            with frozen(NOW):
                services.complete_action_point(actor=plain_member.user, point=made)
    for name, count in counts.items():
        with frozen(NOW), django_assert_max_num_queries(count):
            response = client.get(reverse(name))
        assert response.status_code == 200
    assert len(response.context["open_points"]) == 21
    assert len(response.context["done_points"]) == 10
