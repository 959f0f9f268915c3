"""The notice sweep: each notice once per member per version, late sweeps, calendars and apology links."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import signing
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from icalendar import Calendar, Component

from awl.models import OutboundMessage
from committees import notices, services
from committees.models import (
    Apology,
    ApologyChannel,
    Committee,
    Meeting,
    NoticeDispatch,
    NoticeKind,
    Term,
)
from members.models import Member
from tests.helpers.clock import frozen, london_time


def meeting_messages() -> QuerySet[OutboundMessage]:
    """Every meeting message in the outbox (admitting the members queued welcome e-mails)."""
    return OutboundMessage.objects.filter(key__startswith="meeting-")


def messages(meeting: Meeting, kind: str) -> QuerySet[OutboundMessage]:
    return OutboundMessage.objects.filter(key__startswith=f"meeting-{meeting.pk}-{kind}-")


def emails(members: list[Member]) -> list[str]:
    return sorted(m.user.email for m in members)


def recipients(meeting: Meeting, kind: str) -> list[str]:
    return sorted(messages(meeting, kind).values_list("to", flat=True))


def sweep_at(moment: dt.datetime) -> dict[str, int]:
    with frozen(moment):
        return notices.sweep(moment)


def event_of(message: OutboundMessage) -> tuple[Calendar, Component]:
    """The message's calendar and its one event, parsed from the .ics attachment."""
    [attachment] = message.attachments
    assert attachment["filename"].endswith(".ics")
    assert attachment["content_type"] == "text/calendar"
    calendar = Calendar.from_ical(attachment["content"])
    [event] = calendar.walk("VEVENT")
    return calendar, event


@pytest.fixture
def ec_meeting(ec: Committee, ec_members: list[Member], secretary: Member) -> Meeting:
    """An EC meeting on Monday 9 February 2026 at 19:00, called on 20 January: notice due Friday 6th 19:00."""
    with frozen(london_time(2026, 1, 20)):
        return services.call_meeting(
            actor=secretary.user,
            committee=ec,
            starts_at=london_time(2026, 2, 9, 19),
            ends_at=london_time(2026, 2, 9, 20, 30),
        )


@pytest.fixture
def nc_meeting(nc: Committee, nc_members: list[Member], secretary: Member) -> Meeting:
    """The NC's cycle meeting of Saturday 21 February 2026 at 11:00: notice due Saturday 7th 11:00."""
    with frozen(london_time(2026, 1, 5)):
        services.schedule_meetings(actor=secretary.user, committee=nc, until=dt.date(2026, 2, 28))
    return Meeting.objects.get(committee=nc)


# The notice ------------------------------------------------------------------------------------
def test_the_notice_goes_to_every_current_member_notice_days_before_exactly_once(
    nc_meeting: Meeting, nc_members: list[Member]
) -> None:
    assert nc_meeting.starts_at == london_time(2026, 2, 21, 11)

    sweep_at(london_time(2026, 2, 7, 10, 59))
    assert not messages(nc_meeting, NoticeKind.NOTICE).exists()

    result = sweep_at(london_time(2026, 2, 7, 11))
    assert result == {"notices": 1, "queued": 8, "skipped": 0}
    assert recipients(nc_meeting, NoticeKind.NOTICE) == emails(nc_members)
    assert all(
        m.subject.startswith("Notice of meeting: National Committee") for m in messages(nc_meeting, "notice")
    )

    # The same moment again, and later sweeps, write nothing more.
    total = meeting_messages().count()
    assert sweep_at(london_time(2026, 2, 7, 11)) == {"notices": 0, "queued": 0, "skipped": 0}
    sweep_at(london_time(2026, 2, 8, 9))
    assert meeting_messages().count() == total
    assert NoticeDispatch.objects.filter(meeting=nc_meeting, kind=NoticeKind.NOTICE).count() == 1


def test_the_notice_skips_members_whose_term_has_ended(nc_meeting: Meeting, nc_members: list[Member]) -> None:
    leaver = nc_members[-1]
    services.end_term(
        actor=None,
        term=Term.objects.get(member=leaver, committee=nc_meeting.committee),
        ends_on=dt.date(2026, 2, 1),
        reason="resigned",
    )
    sweep_at(london_time(2026, 2, 7, 11))
    assert recipients(nc_meeting, NoticeKind.NOTICE) == emails(nc_members[:-1])


def test_the_reminder_goes_out_reminder_hours_before_exactly_once(
    ec_meeting: Meeting, ec_members: list[Member]
) -> None:
    sweep_at(london_time(2026, 2, 6, 19))
    sweep_at(london_time(2026, 2, 8, 18, 59))
    assert not messages(ec_meeting, NoticeKind.REMINDER).exists()

    sweep_at(london_time(2026, 2, 8, 19))
    sweep_at(london_time(2026, 2, 8, 19))
    sweep_at(london_time(2026, 2, 9, 12))

    assert recipients(ec_meeting, NoticeKind.REMINDER) == emails(ec_members)
    assert recipients(ec_meeting, NoticeKind.NOTICE) == emails(ec_members)


# Moves and cancellations -----------------------------------------------------------------------
def test_each_move_after_the_notice_sends_one_moved_message_per_member(
    ec_meeting: Meeting, ec_members: list[Member], secretary: Member
) -> None:
    sweep_at(london_time(2026, 2, 6, 19))
    assert messages(ec_meeting, NoticeKind.NOTICE).count() == 4

    with frozen(london_time(2026, 2, 7, 10)):
        services.move_meeting(
            actor=secretary.user,
            meeting=ec_meeting,
            starts_at=london_time(2026, 2, 10, 19),
            ends_at=london_time(2026, 2, 10, 20, 30),
        )
    sweep_at(london_time(2026, 2, 7, 10, 5))
    sweep_at(london_time(2026, 2, 7, 10, 5))
    sweep_at(london_time(2026, 2, 7, 11))
    assert recipients(ec_meeting, NoticeKind.MOVED) == emails(ec_members)

    with frozen(london_time(2026, 2, 7, 12)):
        services.move_meeting(
            actor=secretary.user,
            meeting=ec_meeting,
            starts_at=london_time(2026, 2, 10, 19),
            ends_at=london_time(2026, 2, 10, 20, 30),
            venue="Marx Memorial Library",
        )
    sweep_at(london_time(2026, 2, 7, 12, 5))
    sweep_at(london_time(2026, 2, 7, 12, 10))

    moved = messages(ec_meeting, NoticeKind.MOVED)
    assert moved.count() == 8
    assert sorted(moved.filter(key__contains="-v2-").values_list("to", flat=True)) == emails(ec_members)
    # The notice itself is not sent again.
    assert messages(ec_meeting, NoticeKind.NOTICE).count() == 4
    latest = moved.filter(key__contains="-v2-").first()
    assert latest is not None
    assert "Marx Memorial Library" in latest.body_text


def test_a_move_before_the_notice_sends_the_notice_once_with_the_new_time(
    ec_meeting: Meeting, ec_members: list[Member], secretary: Member
) -> None:
    with frozen(london_time(2026, 1, 25)):
        services.move_meeting(
            actor=secretary.user,
            meeting=ec_meeting,
            starts_at=london_time(2026, 2, 10, 19),
            ends_at=london_time(2026, 2, 10, 20, 30),
        )
    sweep_at(london_time(2026, 1, 26))
    sweep_at(london_time(2026, 2, 6, 19))  # the old time's notice moment: nothing yet
    assert not meeting_messages().exists()

    sweep_at(london_time(2026, 2, 7, 19))
    assert recipients(ec_meeting, NoticeKind.NOTICE) == emails(ec_members)
    assert not messages(ec_meeting, NoticeKind.MOVED).exists()
    _, event = event_of(messages(ec_meeting, NoticeKind.NOTICE).first())  # type: ignore[arg-type]
    assert event.decoded("dtstart") == london_time(2026, 2, 10, 19)


def test_cancelling_after_the_notice_sends_one_cancelled_message_per_member(
    ec_meeting: Meeting, ec_members: list[Member], secretary: Member
) -> None:
    sweep_at(london_time(2026, 2, 6, 19))
    with frozen(london_time(2026, 2, 7, 9)):
        services.cancel_meeting(actor=secretary.user, meeting=ec_meeting, reason="The venue is flooded")
    sweep_at(london_time(2026, 2, 7, 9, 5))
    sweep_at(london_time(2026, 2, 7, 9, 5))
    sweep_at(london_time(2026, 2, 8, 19))  # no reminder for a cancelled meeting

    assert recipients(ec_meeting, NoticeKind.CANCELLED) == emails(ec_members)
    assert not messages(ec_meeting, NoticeKind.REMINDER).exists()
    message = messages(ec_meeting, NoticeKind.CANCELLED).first()
    assert message is not None
    assert "The venue is flooded" in message.body_text
    calendar, event = event_of(message)
    assert str(calendar["method"]) == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert event.decoded("sequence") == 1


def test_cancelling_before_any_notice_is_recorded_as_skipped_and_sends_nothing(
    ec_meeting: Meeting, secretary: Member
) -> None:
    with frozen(london_time(2026, 1, 25)):
        services.cancel_meeting(actor=secretary.user, meeting=ec_meeting, reason="Clashes with conference")
    sweep_at(london_time(2026, 1, 25, 0, 5))
    sweep_at(london_time(2026, 2, 6, 19))

    assert not meeting_messages().exists()
    [dispatch] = NoticeDispatch.objects.filter(meeting=ec_meeting)
    assert (dispatch.kind, dispatch.skipped, dispatch.skip_reason) == (
        "cancelled",
        True,
        "no notice had gone out",
    )


# A late sweep ---------------------------------------------------------------------------------
def test_a_late_sweep_sends_what_is_still_useful_and_records_the_rest_as_skipped(
    ec_meeting: Meeting, nc_meeting: Meeting, ec_members: list[Member], nc_members: list[Member]
) -> None:
    """The last sweep ran on Saturday 7 February at 10:00; the system was down until Monday 20:00.

    Meanwhile the NC notice fell due (Saturday 11:00: twelve days before its
    meeting, still worth sending), and the EC reminder fell due (Sunday 19:00)
    for a meeting that had started by the time the sweep came back.
    """
    sweep_at(london_time(2026, 2, 7, 10))
    assert recipients(ec_meeting, NoticeKind.NOTICE) == emails(ec_members)
    assert not messages(nc_meeting, NoticeKind.NOTICE).exists()

    result = sweep_at(london_time(2026, 2, 9, 20))

    assert result == {"notices": 2, "queued": 8, "skipped": 1}
    assert recipients(nc_meeting, NoticeKind.NOTICE) == emails(nc_members)
    assert not messages(ec_meeting, NoticeKind.REMINDER).exists()
    reminder = NoticeDispatch.objects.get(meeting=ec_meeting, kind=NoticeKind.REMINDER)
    assert reminder.skipped
    assert reminder.skip_reason == "the meeting had already started"
    assert reminder.recipients == 0
    sent = NoticeDispatch.objects.get(meeting=nc_meeting, kind=NoticeKind.NOTICE)
    assert (sent.skipped, sent.recipients) == (False, 8)

    # Catching up is also done once.
    assert sweep_at(london_time(2026, 2, 9, 20))["notices"] == 0
    assert NoticeDispatch.objects.filter(meeting=ec_meeting, kind=NoticeKind.REMINDER).count() == 1


# Calendar attachments -------------------------------------------------------------------------
def test_every_message_carries_an_ics_with_the_meetings_uid_and_sequence(
    ec_meeting: Meeting, secretary: Member
) -> None:
    sweep_at(london_time(2026, 2, 6, 19))
    with frozen(london_time(2026, 2, 7, 9)):
        services.move_meeting(
            actor=secretary.user,
            meeting=ec_meeting,
            starts_at=london_time(2026, 2, 11, 18, 30),
            ends_at=london_time(2026, 2, 11, 20),
        )
    sweep_at(london_time(2026, 2, 7, 9, 5))

    for kind, sequence, starts in [
        (NoticeKind.NOTICE, 0, london_time(2026, 2, 9, 19)),
        (NoticeKind.MOVED, 1, london_time(2026, 2, 11, 18, 30)),
    ]:
        found = messages(ec_meeting, kind)
        assert found.count() == 4
        for message in found:
            calendar, event = event_of(message)
            assert str(calendar["method"]) == "PUBLISH"
            assert str(event["uid"]) == ec_meeting.uid == f"meeting-{ec_meeting.pk}@awl"
            assert event.decoded("sequence") == sequence
            assert event.decoded("dtstart") == starts


# Apologies ---------------------------------------------------------------------------------------
def test_an_apology_token_round_trips_and_a_tampered_one_is_refused(
    ec_meeting: Meeting, plain_member: Member
) -> None:
    token = notices.apology_token(ec_meeting, plain_member)
    assert notices.read_apology_token(token) == (ec_meeting.pk, plain_member.pk)

    payload, _, signature = token.partition(":")
    for tampered in [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        payload[:-1] + ("A" if payload[-1] != "A" else "B") + ":" + signature,
        signing.dumps({"m": ec_meeting.pk, "p": plain_member.pk}, salt="another.purpose"),
        signing.dumps({"m": ec_meeting.pk, "p": plain_member.pk}, salt=notices.APOLOGY_SALT, key="x" * 50),
    ]:
        with pytest.raises(signing.BadSignature):
            notices.read_apology_token(tampered)


def test_the_apology_link_in_the_notice_records_an_apology_without_logging_in(
    ec_meeting: Meeting, plain_member: Member, client: Client
) -> None:
    sweep_at(london_time(2026, 2, 6, 19))
    message = messages(ec_meeting, NoticeKind.NOTICE).get(to=plain_member.user.email)
    match = re.search(r"https?://\S+/apologies/(\S+)/", message.body_text)
    assert match is not None
    url = reverse("committees:apology_link", args=[match.group(1)])

    with frozen(london_time(2026, 2, 7, 9)):
        response = client.post(url, {"note": "On a picket line"})
        client.post(url, {"note": "Second click"})
        shown = client.get(url)

    assert response.status_code == 302  # post, then redirect to the link's page
    assert "have been sent" in shown.content.decode()
    [apology] = Apology.objects.all()
    assert (apology.meeting_id, apology.member_id) == (ec_meeting.pk, plain_member.pk)
    assert (apology.channel, apology.note) == (ApologyChannel.LINK, "On a picket line")


def test_a_tampered_apology_link_gives_400_and_writes_nothing(
    ec_meeting: Meeting, plain_member: Member, client: Client
) -> None:
    token = notices.apology_token(ec_meeting, plain_member)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    with frozen(london_time(2026, 2, 7, 9)):
        response = client.post(reverse("committees:apology_link", args=[tampered]), {"note": "x"})
    assert response.status_code == 400
    assert not Apology.objects.exists()


def test_an_apology_link_after_the_meeting_has_started_is_refused(
    ec_meeting: Meeting, plain_member: Member, client: Client
) -> None:
    token = notices.apology_token(ec_meeting, plain_member)
    with frozen(london_time(2026, 2, 9, 19, 30)):
        response = client.post(reverse("committees:apology_link", args=[token]))
    assert response.status_code == 409
    assert not Apology.objects.exists()


def test_a_meeting_moved_months_ahead_is_announced_at_once(
    ec_meeting: Meeting, ec_members: list[Member], secretary: Member
) -> None:
    sweep_at(london_time(2026, 2, 6, 19))
    with frozen(london_time(2026, 2, 7, 10)):
        services.move_meeting(
            actor=secretary.user,
            meeting=ec_meeting,
            starts_at=london_time(2026, 6, 8, 19),
            ends_at=london_time(2026, 6, 8, 20, 30),
        )

    sweep_at(london_time(2026, 2, 7, 10, 5))

    assert recipients(ec_meeting, NoticeKind.MOVED) == emails(ec_members)


def test_a_committee_with_a_long_notice_period_gets_its_notice_on_time(
    ec: Committee, ec_members: list[Member], secretary: Member
) -> None:
    ec.notice_days = 90
    ec.save(update_fields=["notice_days"])
    with frozen(london_time(2026, 1, 5)):
        meeting = services.call_meeting(
            actor=secretary.user,
            committee=ec,
            starts_at=london_time(2026, 6, 8, 19),
            ends_at=london_time(2026, 6, 8, 20, 30),
        )

    sweep_at(london_time(2026, 3, 10, 19))  # 90 days before

    assert recipients(meeting, NoticeKind.NOTICE) == emails(ec_members)


def test_an_apology_link_older_than_its_lifetime_gives_400_and_writes_nothing(
    ec: Committee, ec_members: list[Member], secretary: Member, plain_member: Member, client: Client
) -> None:
    with frozen(london_time(2026, 1, 5)):
        far_ahead = services.call_meeting(
            actor=secretary.user,
            committee=ec,
            starts_at=london_time(2026, 9, 7, 19),
            ends_at=london_time(2026, 9, 7, 20, 30),
        )
        token = notices.apology_token(far_ahead, plain_member)

    with frozen(london_time(2026, 1, 5) + dt.timedelta(days=121)):  # the meeting is still to come
        response = client.post(reverse("committees:apology_link", args=[token]), {"note": "x"})

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not Apology.objects.exists()
