"""Minutes from draft to published, and action points carried forward to the next agenda."""

from __future__ import annotations

import datetime as dt

import pytest

from awl.models import OutboundMessage
from committees import notices, services
from committees.models import (
    STANDARD_ORDER,
    AgendaSection,
    Committee,
    Meeting,
    Minutes,
    MinutesStatus,
    NoticeKind,
    TermBasis,
    TermRole,
)
from committees.services import CommitteeError
from members.models import Member
from tests.committees.conftest import TERMS_FROM
from tests.helpers.clock import frozen, london_time


@pytest.fixture
def ec_meetings(ec: Committee, ec_members: list[Member], secretary: Member) -> list[Meeting]:
    """The EC's Monday meetings of 12, 19 and 26 January 2026, from its cycle."""
    with frozen(london_time(2026, 1, 5)):
        services.schedule_meetings(actor=secretary.user, committee=ec, until=dt.date(2026, 1, 26))
    return list(Meeting.objects.filter(committee=ec).order_by("starts_at"))


def hold(meeting: Meeting, secretary: Member) -> Meeting:
    with frozen(meeting.starts_at + dt.timedelta(minutes=5)):
        return services.mark_held(actor=secretary.user, meeting=meeting)


def minutes_messages(meeting: Meeting, version: int | None = None) -> list[str]:
    prefix = f"meeting-{meeting.pk}-{NoticeKind.MINUTES}-" + (f"v{version}-" if version is not None else "")
    return sorted(OutboundMessage.objects.filter(key__startswith=prefix).values_list("to", flat=True))


def emails(members: list[Member]) -> list[str]:
    return sorted(m.user.email for m in members)


def circulated(
    meeting: Meeting, secretary: Member, text: str = "Present: all. Agreed the budget."
) -> Minutes:
    with frozen(meeting.starts_at + dt.timedelta(days=1)):
        minutes = services.draft_minutes(actor=secretary.user, meeting=meeting, text=text)
        return services.circulate_minutes(actor=secretary.user, minutes=minutes)


# Minutes ---------------------------------------------------------------------------------------
def test_minutes_are_drafted_only_for_a_held_meeting(ec_meetings: list[Meeting], secretary: Member) -> None:
    first = ec_meetings[0]
    with frozen(first.starts_at + dt.timedelta(minutes=5)), pytest.raises(CommitteeError, match="held"):
        services.draft_minutes(actor=secretary.user, meeting=first, text="Too early")
    assert not Minutes.objects.exists()

    hold(first, secretary)
    with frozen(first.starts_at + dt.timedelta(hours=3)):
        minutes = services.draft_minutes(actor=secretary.user, meeting=first, text="Present: all.")
        with pytest.raises(CommitteeError, match="empty"):
            services.draft_minutes(actor=secretary.user, meeting=first, text="  ")
    assert (minutes.status, minutes.text, minutes.drafted_by) == (
        MinutesStatus.DRAFT,
        "Present: all.",
        secretary.user,
    )


def test_a_plain_member_cannot_draft_minutes_but_the_minutes_secretary_can(
    ec: Committee,
    ec_meetings: list[Meeting],
    secretary: Member,
    plain_member: Member,
    people: dict[str, Member],
) -> None:
    first = hold(ec_meetings[0], secretary)
    with frozen(first.starts_at + dt.timedelta(hours=3)):
        with pytest.raises(CommitteeError, match="minutes secretary"):
            services.draft_minutes(actor=plain_member.user, meeting=first, text="My version")
        assert not Minutes.objects.exists()

        writer = people["Cleo Rhys"]
        services.start_term(
            actor=None,
            committee=ec,
            member=writer,
            role=TermRole.MINUTES_SECRETARY,
            starts_on=TERMS_FROM,
            basis=TermBasis.ELECTED_BY_COMMITTEE,
        )
        minutes = services.draft_minutes(actor=writer.user, meeting=first, text="Present: all.")
        minutes = services.circulate_minutes(actor=writer.user, minutes=minutes)
    # Recording approval is the secretary's, not the minutes secretary's.
    second = hold(ec_meetings[1], secretary)
    with frozen(second.starts_at + dt.timedelta(hours=1)), pytest.raises(CommitteeError, match="secretary"):
        services.approve_minutes(actor=writer.user, minutes=minutes, at_meeting=second)


def test_circulating_sends_one_minutes_message_per_member_per_circulation(
    ec_meetings: list[Meeting], ec_members: list[Member], secretary: Member
) -> None:
    first = hold(ec_meetings[0], secretary)
    with frozen(first.starts_at + dt.timedelta(hours=3)):
        services.draft_minutes(actor=secretary.user, meeting=first, text="Draft only")
    notices.sweep(first.starts_at + dt.timedelta(hours=4))
    assert minutes_messages(first) == []  # a draft is not sent

    minutes = circulated(first, secretary, "Present: all. Agreed to back the strike.")
    sweep_at = minutes.circulated_at
    assert sweep_at is not None
    notices.sweep(sweep_at)
    notices.sweep(sweep_at)
    notices.sweep(sweep_at + dt.timedelta(hours=6))
    assert minutes_messages(first, version=1) == emails(ec_members)
    body = OutboundMessage.objects.filter(key__startswith=f"meeting-{first.pk}-minutes-v1-").first()
    assert body is not None and "Agreed to back the strike." in body.body_text

    # Corrected and circulated again: one more each, carrying the new text.
    minutes = circulated(first, secretary, "Present: all. Agreed to back the strike unanimously.")
    assert minutes.circulation_version == 2
    notices.sweep(minutes.circulated_at)
    notices.sweep(minutes.circulated_at)
    assert minutes_messages(first, version=2) == emails(ec_members)
    assert len(minutes_messages(first)) == 2 * len(ec_members)


def test_minutes_go_from_draft_to_circulated_to_approved_at_a_later_meeting_to_published(
    ec_meetings: list[Meeting], secretary: Member
) -> None:
    first, second, _ = ec_meetings
    hold(first, secretary)
    with frozen(first.starts_at + dt.timedelta(hours=3)):
        minutes = services.draft_minutes(actor=secretary.user, meeting=first, text="Present: all.")
        with pytest.raises(CommitteeError, match="circulated"):
            services.approve_minutes(actor=secretary.user, minutes=minutes, at_meeting=first)
        with pytest.raises(CommitteeError, match="approved"):
            services.publish_minutes(actor=secretary.user, minutes=minutes)
    minutes = circulated(first, secretary)
    hold(second, secretary)

    with frozen(second.starts_at + dt.timedelta(hours=1)):
        approved = services.approve_minutes(actor=secretary.user, minutes=minutes, at_meeting=second)
        assert (approved.status, approved.approved_at_meeting) == (MinutesStatus.APPROVED, second)
        with pytest.raises(CommitteeError, match="cannot be changed"):
            services.draft_minutes(actor=secretary.user, meeting=first, text="Rewritten")
        with pytest.raises(CommitteeError, match="not circulated again"):
            services.circulate_minutes(actor=secretary.user, minutes=approved)
        published = services.publish_minutes(actor=secretary.user, minutes=approved)

    published.refresh_from_db()
    assert published.status == MinutesStatus.PUBLISHED
    assert published.published_at == second.starts_at + dt.timedelta(hours=1)
    assert published.approved_at_meeting_id == second.pk
    assert published.text == "Present: all. Agreed the budget."


def test_minutes_cannot_be_approved_at_the_same_an_earlier_an_unheld_or_another_committees_meeting(
    nc: Committee, ec_meetings: list[Meeting], secretary: Member, nc_members: list[Member]
) -> None:
    first, second, third = ec_meetings
    hold(first, secretary)
    hold(second, secretary)
    minutes = circulated(second, secretary)
    with frozen(london_time(2026, 1, 5)):
        nc_meeting = services.call_meeting(
            actor=secretary.user,
            committee=nc,
            starts_at=london_time(2026, 1, 24, 11),
            ends_at=london_time(2026, 1, 24, 16),
        )
    hold(nc_meeting, secretary)

    with frozen(third.starts_at - dt.timedelta(hours=1)):
        for at_meeting, reason in [
            (first, "later meeting"),
            (second, "later meeting"),
            (nc_meeting, "same committee"),
            (third, "held"),
        ]:
            with pytest.raises(CommitteeError, match=reason):
                services.approve_minutes(actor=secretary.user, minutes=minutes, at_meeting=at_meeting)

    minutes.refresh_from_db()
    assert (minutes.status, minutes.approved_at_meeting) == (MinutesStatus.CIRCULATED, None)


# Agenda and action points ----------------------------------------------------------------------
def test_the_agenda_follows_the_standard_order_and_is_prepared_once(
    ec_meetings: list[Meeting], secretary: Member
) -> None:
    with frozen(london_time(2026, 1, 6)):
        items = services.prepare_agenda(actor=secretary.user, meeting=ec_meetings[0])
        again = services.prepare_agenda(actor=secretary.user, meeting=ec_meetings[0])
    assert [item.section for item in items] == [section.value for section in STANDARD_ORDER]
    assert [item.pk for item in again] == [item.pk for item in items]


def test_open_action_points_are_carried_forward_and_done_ones_are_not(
    ec_meetings: list[Meeting], secretary: Member, plain_member: Member, people: dict[str, Member]
) -> None:
    first, second, third = ec_meetings
    hold(first, secretary)
    with frozen(first.starts_at + dt.timedelta(hours=1)):
        services.add_action_point(
            actor=secretary.user, meeting=first, text="Book the hall for day school", owner=plain_member
        )
        leaflet = services.add_action_point(actor=secretary.user, meeting=first, text="Print strike leaflets")
        services.complete_action_point(actor=secretary.user, point=leaflet)

    with frozen(first.starts_at + dt.timedelta(days=1)):
        services.prepare_agenda(actor=secretary.user, meeting=second)
    matters = second.items.get(section=AgendaSection.MATTERS_ARISING)
    assert "Book the hall for day school (Ben Plain)" in matters.body
    assert "Print strike leaflets" not in matters.body

    hold(second, secretary)
    with frozen(second.starts_at + dt.timedelta(hours=1)):
        services.add_action_point(
            actor=secretary.user,
            meeting=second,
            text="Write to the trades council",
            owner=people["Dev Anand"],
        )
        hall = second.committee.meetings.get(pk=first.pk).action_points.get(text__startswith="Book the hall")
        # The owner closes their own action point.
        services.complete_action_point(actor=plain_member.user, point=hall)

    with frozen(second.starts_at + dt.timedelta(days=1)):
        services.prepare_agenda(actor=secretary.user, meeting=third)
    matters = third.items.get(section=AgendaSection.MATTERS_ARISING)
    assert matters.body == "Open action points carried forward:\n- Write to the trades council (Dev Anand)"
    assert matters.carried_from == second.items.get(section=AgendaSection.MATTERS_ARISING)


def test_someone_else_cannot_close_an_action_point(
    ec_meetings: list[Meeting], secretary: Member, plain_member: Member, people: dict[str, Member]
) -> None:
    first = hold(ec_meetings[0], secretary)
    with frozen(first.starts_at + dt.timedelta(hours=1)):
        point = services.add_action_point(
            actor=secretary.user, meeting=first, text="Book the hall", owner=people["Dev Anand"]
        )
        with pytest.raises(CommitteeError):
            services.complete_action_point(actor=plain_member.user, point=point)
    point.refresh_from_db()
    assert point.done_at is None
