"""Minutes from draft to published through the pages, and decisions and action points per item.

The minutes secretary drafts and circulates; the secretary records approval
at a later meeting that was held, then publishes. The committee reads the
minutes at every stage; the body that elects it only once published;
nobody else ever. Minutes text is shown escaped, paragraphs kept.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from committees import services
from committees.models import (
    ActionPoint,
    AgendaSection,
    Committee,
    Decision,
    Meeting,
    Minutes,
    MinutesStatus,
    TermBasis,
    TermRole,
)
from members.models import Member
from tests.committees.conftest import TERMS_FROM
from tests.committees.record_helpers import call, hold
from tests.helpers.clock import frozen, london_time
from tests.helpers.http import as_user, shown

FIRST, SECOND, THIRD = london_time(2026, 3, 2, 19), london_time(2026, 3, 9, 19), london_time(2026, 3, 23, 19)
AFTER_ALL = london_time(2026, 3, 20, 12)


@pytest.fixture
def meetings(ec: Committee, ec_members: list[Member], secretary: Member) -> list[Meeting]:
    """Three EC Mondays in March 2026, the first two held, the third (23 March) still to come on 20 March."""
    first, second, third = (call(ec, secretary, moment) for moment in (FIRST, SECOND, THIRD))
    return [hold(first, secretary), hold(second, secretary), third]


@pytest.fixture
def writer(ec: Committee, people: dict[str, Member]) -> Member:
    """Cleo Rhys, the EC's minutes secretary."""
    services.start_term(
        actor=None,
        committee=ec,
        member=people["Cleo Rhys"],
        role=TermRole.MINUTES_SECRETARY,
        starts_on=TERMS_FROM,
        basis=TermBasis.ELECTED_BY_COMMITTEE,
    )
    return people["Cleo Rhys"]


def url(name: str, meeting: Meeting) -> str:
    return reverse(f"committees:{name}", args=[meeting.pk])


def circulated(meeting: Meeting, writer: Member, text: str = "Present: all.") -> Minutes:
    with frozen(AFTER_ALL):
        minutes = services.draft_minutes(actor=writer.user, meeting=meeting, text=text)
        return services.circulate_minutes(actor=writer.user, minutes=minutes)


# Drafting and circulating ---------------------------------------------------------------------------
def test_the_minutes_secretary_drafts_and_circulates_and_the_committee_reads_the_draft(
    client: Client, meetings: list[Meeting], writer: Member, plain_member: Member
) -> None:
    first = meetings[0]
    as_user(client, writer)
    with frozen(AFTER_ALL):
        page = client.get(url("minutes", first))
        assert url("minutes_draft", first) in page.content.decode()
        response = client.post(url("minutes_draft", first), {"text": "Present: all.\n\nAgreed the budget."})
        assert response.status_code == 302
        assert response["Location"] == url("minutes", first)
        circulate = client.post(url("minutes_circulate", first), follow=True)

    minutes = Minutes.objects.get(meeting=first)
    assert (minutes.status, minutes.drafted_by, minutes.circulation_version) == (
        MinutesStatus.CIRCULATED,
        writer.user,
        1,
    )
    assert shown(circulate)[-1] == "The minutes are circulated: each member of the committee is e-mailed."

    as_user(client, plain_member)
    with frozen(AFTER_ALL):
        read = client.get(url("minutes", first))
    assert read.status_code == 200
    assert "<p>Agreed the budget.</p>" in read.content.decode()
    assert url("minutes_draft", first) not in read.content.decode()


def test_minutes_text_is_escaped_with_its_paragraphs_kept(
    client: Client, meetings: list[Meeting], writer: Member
) -> None:
    circulated(meetings[0], writer, "<script>alert(1)</script>\nline two\n\nSecond paragraph")
    as_user(client, writer)
    with frozen(AFTER_ALL):
        html = client.get(url("minutes", meetings[0])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;<br>line two</p>" in html
    assert "<p>Second paragraph</p>" in html


def test_minutes_are_not_drafted_for_a_meeting_not_yet_held_nor_by_a_plain_member(
    client: Client, meetings: list[Meeting], writer: Member, plain_member: Member
) -> None:
    third = meetings[2]
    as_user(client, writer)
    with frozen(AFTER_ALL):
        page = client.get(url("minutes_draft", third))
        refused = client.post(url("minutes_draft", third), {"text": "Too early"})
    assert "Minutes are written after the meeting has been held." in page.content.decode()
    assert refused.status_code == 409
    assert "held" in refused.content.decode()

    as_user(client, plain_member)
    with frozen(AFTER_ALL):
        assert client.get(url("minutes_draft", meetings[0])).status_code == 403
        assert client.post(url("minutes_draft", meetings[0]), {"text": "My version"}).status_code == 403
        assert client.post(url("minutes_circulate", meetings[0])).status_code == 403
    assert not Minutes.objects.exists()


def test_an_empty_draft_and_circulating_nothing_are_refused(
    client: Client, meetings: list[Meeting], writer: Member
) -> None:
    as_user(client, writer)
    with frozen(AFTER_ALL):
        empty = client.post(url("minutes_draft", meetings[0]), {"text": "   "})
        nothing = client.post(url("minutes_circulate", meetings[0]))
    assert empty.status_code == 200
    assert "This field is required." in empty.content.decode()
    assert nothing.status_code == 409
    assert "no minutes to circulate" in nothing.content.decode()
    assert not Minutes.objects.exists()


# Approval and publication -------------------------------------------------------------------------------
def test_the_secretary_approves_at_a_later_held_meeting_and_publishes(
    client: Client, meetings: list[Meeting], writer: Member, secretary: Member
) -> None:
    first, second, _ = meetings
    circulated(first, writer)
    as_user(client, secretary)
    with frozen(AFTER_ALL):
        page = client.get(url("minutes_approve", first))
        # Only later meetings that were held: not the meeting itself, nor the one still to come.
        assert list(page.context["form"].fields["at_meeting"].queryset) == [second]
        approved = client.post(url("minutes_approve", first), {"at_meeting": second.pk})
        published = client.post(url("minutes_publish", first), follow=True)

    assert approved.status_code == 302
    minutes = Minutes.objects.get(meeting=first)
    assert (minutes.status, minutes.approved_at_meeting) == (MinutesStatus.PUBLISHED, second)
    assert minutes.published_at is not None
    assert shown(published)[-1] == "The minutes are published."
    assert "Approved at the meeting of 9 March 2026." in published.content.decode()


def test_approving_at_an_earlier_or_unheld_meeting_is_refused_and_nothing_written(
    client: Client, meetings: list[Meeting], writer: Member, secretary: Member
) -> None:
    first, second, third = meetings
    circulated(second, writer)
    as_user(client, secretary)
    with frozen(AFTER_ALL):
        earlier = client.post(url("minutes_approve", second), {"at_meeting": first.pk})
        not_held = client.post(url("minutes_approve", second), {"at_meeting": third.pk})
        itself = client.post(url("minutes_approve", second), {"at_meeting": second.pk})
        publish_first = client.post(url("minutes_publish", second))
    for response in (earlier, not_held, itself):
        assert response.status_code == 200
        assert (
            "Choose one of the committee&#x27;s later meetings that were held." in response.content.decode()
        )
    assert publish_first.status_code == 409
    assert "Only approved minutes are published." in publish_first.content.decode()
    minutes = Minutes.objects.get(meeting=second)
    assert (minutes.status, minutes.approved_at_meeting) == (MinutesStatus.CIRCULATED, None)


def test_approval_and_publication_are_the_secretarys_not_the_minutes_secretarys(
    client: Client, meetings: list[Meeting], writer: Member
) -> None:
    circulated(meetings[0], writer)
    as_user(client, writer)
    with frozen(AFTER_ALL):
        assert client.get(url("minutes_approve", meetings[0])).status_code == 403
        assert (
            client.post(url("minutes_approve", meetings[0]), {"at_meeting": meetings[1].pk}).status_code
            == 403
        )
        assert client.post(url("minutes_publish", meetings[0])).status_code == 403
    assert Minutes.objects.get(meeting=meetings[0]).status == MinutesStatus.CIRCULATED


def test_the_electing_body_reads_only_published_minutes_and_outsiders_nothing(
    client: Client,
    meetings: list[Meeting],
    writer: Member,
    secretary: Member,
    people: dict[str, Member],
    outsider: object,
) -> None:
    first, second, _ = meetings
    minutes = circulated(first, writer, "Agreed to back the strike.")
    with frozen(AFTER_ALL):
        services.add_action_point(
            actor=secretary.user, meeting=first, text="Book the hall", owner=people["Ben Plain"]
        )
    nc_only = people["Hal Burke"]  # on the NC, which elects the EC; not on the EC

    as_user(client, nc_only)
    with frozen(AFTER_ALL):
        assert client.get(url("minutes", first)).status_code == 404
    as_user(client, outsider)
    with frozen(AFTER_ALL):
        assert client.get(url("minutes", first)).status_code == 404

    with frozen(AFTER_ALL):
        services.approve_minutes(actor=secretary.user, minutes=minutes, at_meeting=second)
    as_user(client, nc_only)
    with frozen(AFTER_ALL):
        assert client.get(url("minutes", first)).status_code == 404  # approved, not yet published
        services.publish_minutes(actor=secretary.user, minutes=minutes)
        read = client.get(url("minutes", first))
    assert read.status_code == 200
    html = read.content.decode()
    assert "Agreed to back the strike." in html
    assert "Book the hall" not in html  # action points are the committee's own business
    as_user(client, outsider)
    with frozen(AFTER_ALL):
        assert client.get(url("minutes", first)).status_code == 404


# Decisions and action points ------------------------------------------------------------------------
def test_a_decision_is_recorded_against_an_agenda_item(
    client: Client, meetings: list[Meeting], secretary: Member, writer: Member
) -> None:
    first, second, _ = meetings
    with frozen(FIRST - dt.timedelta(days=2)):
        services.prepare_agenda(actor=secretary.user, meeting=first)
    with frozen(SECOND - dt.timedelta(days=2)):
        services.prepare_agenda(actor=secretary.user, meeting=second)
    motions = first.items.get(section=AgendaSection.MOTIONS)
    elsewhere = second.items.get(section=AgendaSection.MOTIONS)

    as_user(client, writer)
    with frozen(AFTER_ALL):
        response = client.post(url("decision_add", first), {"item": motions.pk, "text": "Back the strike."})
        wrong_item = client.post(url("decision_add", first), {"item": elsewhere.pk, "text": "Misfiled."})
        page = client.get(url("minutes", first))

    assert response.status_code == 302
    assert response["Location"] == url("minutes", first) + "#decisions"
    assert wrong_item.status_code == 200
    assert "Choose an item on this meeting&#x27;s agenda." in wrong_item.content.decode()
    assert list(Decision.objects.values_list("meeting", "item", "text")) == [
        (first.pk, motions.pk, "Back the strike.")
    ]
    assert "Back the strike." in page.content.decode()


def test_nothing_is_recorded_for_a_meeting_that_has_not_begun(
    client: Client, meetings: list[Meeting], writer: Member, plain_member: Member
) -> None:
    third = meetings[2]
    as_user(client, writer)
    with frozen(AFTER_ALL):
        decision = client.post(url("decision_add", third), {"text": "Premature."})
        point = client.post(url("action_point_add", third), {"text": "Premature.", "owner": plain_member.pk})
    assert decision.status_code == point.status_code == 409
    assert "once the meeting has begun" in decision.content.decode()
    assert not Decision.objects.exists()
    assert not ActionPoint.objects.exists()


def test_nothing_is_recorded_for_a_cancelled_meeting_once_its_time_has_come(
    client: Client, meetings: list[Meeting], secretary: Member, writer: Member, plain_member: Member
) -> None:
    third = meetings[2]
    with frozen(AFTER_ALL):
        services.cancel_meeting(actor=secretary.user, meeting=third, reason="The venue is flooded")
    as_user(client, writer)
    with frozen(THIRD + dt.timedelta(hours=1)):
        page = client.get(url("minutes", third))
        decision = client.post(url("decision_add", third), {"text": "Despite it all."})
        point = client.post(
            url("action_point_add", third), {"text": "Despite it all.", "owner": plain_member.pk}
        )
        with pytest.raises(services.CommitteeError, match="cancelled meeting"):
            services.record_attendance(actor=secretary.user, meeting=third, member=plain_member, present=True)

    assert not page.context["may_record"]
    assert decision.status_code == point.status_code == 409
    assert "Nothing is recorded for a cancelled meeting." in decision.content.decode()
    assert not Decision.objects.exists()
    assert not ActionPoint.objects.exists()


def test_an_action_point_needs_an_owner_on_the_committee_and_a_due_date_after_the_meeting(
    client: Client, meetings: list[Meeting], writer: Member, plain_member: Member, people: dict[str, Member]
) -> None:
    first = meetings[0]
    as_user(client, writer)
    with frozen(AFTER_ALL):
        outsider_owner = client.post(
            url("action_point_add", first), {"text": "Book the hall", "owner": people["Hal Burke"].pk}
        )
        too_early = client.post(
            url("action_point_add", first),
            {"text": "Book the hall", "owner": plain_member.pk, "due_on": "2026-02-27"},
        )
        added = client.post(
            url("action_point_add", first),
            {"text": "Book the hall", "owner": plain_member.pk, "due_on": "2026-03-31"},
            follow=True,
        )
    assert outsider_owner.status_code == 200
    assert "The owner must be a member of the committee." in outsider_owner.content.decode()
    assert too_early.status_code == 409
    assert "cannot be due before the meeting" in too_early.content.decode()
    assert list(ActionPoint.objects.values_list("text", "owner", "due_on")) == [
        ("Book the hall", plain_member.pk, dt.date(2026, 3, 31))
    ]
    assert shown(added) == ["Action point recorded for Ben Plain."]


def test_an_owner_who_is_not_on_the_committee_is_refused_by_the_service_too(
    meetings: list[Meeting], secretary: Member, people: dict[str, Member]
) -> None:
    with frozen(AFTER_ALL), pytest.raises(services.CommitteeError, match="must be a member"):
        services.add_action_point(
            actor=secretary.user, meeting=meetings[0], text="Book the hall", owner=people["Hal Burke"]
        )
    assert not ActionPoint.objects.exists()


def test_the_owner_or_an_officer_marks_an_action_point_done_and_nobody_else(
    client: Client,
    meetings: list[Meeting],
    secretary: Member,
    plain_member: Member,
    people: dict[str, Member],
    outsider: object,
) -> None:
    first = meetings[0]
    with frozen(AFTER_ALL):
        hall = services.add_action_point(
            actor=secretary.user, meeting=first, text="Book hall", owner=plain_member
        )
        leaflets = services.add_action_point(
            actor=secretary.user, meeting=first, text="Print leaflets", owner=people["Dev Anand"]
        )
    done_url = reverse("committees:action_point_done", args=[hall.pk])

    as_user(client, people["Dev Anand"])  # on the committee, not the owner nor an officer
    with frozen(AFTER_ALL):
        assert client.get(done_url).status_code == 403
        assert client.post(done_url).status_code == 403
    as_user(client, outsider)
    with frozen(AFTER_ALL):
        assert client.post(done_url).status_code == 404
    hall.refresh_from_db()
    assert hall.done_at is None

    as_user(client, plain_member)
    with frozen(AFTER_ALL):
        page = client.get(url("minutes", first)).content.decode()
        assert done_url in page  # the owner's own point has a done button...
        assert reverse("committees:action_point_done", args=[leaflets.pk]) not in page  # ...not others'
        response = client.post(done_url, {"next": url("minutes", first)})
    assert response.status_code == 302
    assert response["Location"] == url("minutes", first)
    hall.refresh_from_db()
    assert hall.done_at is not None

    as_user(client, secretary)
    with frozen(AFTER_ALL):
        response = client.post(
            reverse("committees:action_point_done", args=[leaflets.pk]), {"next": "https://evil.example/"}
        )
    assert response["Location"] == url("minutes", first) + "#action-points"  # not off the site
    leaflets.refresh_from_db()
    assert leaflets.done_at is not None


def test_the_minutes_page_runs_the_same_queries_for_few_and_many_decisions_and_action_points(
    client: Client,
    meetings: list[Meeting],
    secretary: Member,
    writer: Member,
    ec_members: list[Member],
    django_assert_max_num_queries,
) -> None:
    first = meetings[0]
    with frozen(FIRST - dt.timedelta(days=2)):
        items = services.prepare_agenda(actor=secretary.user, meeting=first)

    def record(n: int) -> None:
        with frozen(AFTER_ALL):
            services.record_decision(
                actor=writer.user, meeting=first, text=f"Decision {n}", item=items[n % len(items)]
            )
            services.add_action_point(
                actor=writer.user,
                meeting=first,
                text=f"Job {n}",
                owner=ec_members[n % len(ec_members)],
                due_on=dt.date(2026, 4, 1),
                item=items[n % len(items)],
            )

    record(0)
    circulated(first, writer)
    as_user(client, writer)
    with frozen(AFTER_ALL), django_assert_max_num_queries(30) as few:
        client.get(url("minutes", first))
    for n in range(1, 25):
        record(n)
    with frozen(AFTER_ALL), django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("minutes", first))
    assert len(response.context["decisions"]) == 25
    assert len(response.context["point_rows"]) == 25
    assert "Job 24" in response.content.decode()
