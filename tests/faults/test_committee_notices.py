"""Notice of a National Committee meeting, sent by a real worker to a real mail server.

The notice sweep (committees/notices.py) writes one outbox row per current
NC member and, after commit, hands each to a Celery worker on Redis; the
worker sends them through an SMTP server running in this test (aiosmtpd),
which counts what it accepted by Message-ID. Every member must get exactly
one notice, carrying an ``.ics`` that a calendar can read back, even when
the worker is killed part-way through the batch and another takes over.

The kill happens while the worker is in the SMTP conversation for the next
message but before the server has taken it (held at RCPT TO), so the
outcome is deterministic; the window after the server has taken a message
is pinned in test_worker_killed.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.utils import timezone
from icalendar import Calendar

from awl.models import OutboundMessage
from awl.tasks import send_pending_messages
from committees import notices, services
from committees.models import Committee, CommitteeKind, Meeting, TermBasis, TermRole
from members.models import Branch, DuesRate, Member
from tests.factories import UserFactory, make_member
from tests.faults.conftest import (
    Broker,
    Hold,
    MailServer,
    Worker,
    backend_pids,
    message_id,
    wait_until,
)

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

StartWorker = Callable[[str, str], Worker]
NC_SIZE = 20
DELIVERED_BEFORE_THE_KILL = 7


class BatchMailServer(MailServer):
    """The fault tests' mail server, whose hold can wait until a number of messages have been accepted."""

    def __init__(self) -> None:
        super().__init__()
        self._hold_after = 0

    def hold_after(self, accepted: int) -> None:
        """Hold the first conversation that reaches RCPT TO once ``accepted`` messages are stored."""
        self._hold_after = accepted
        self.hold(Hold.BEFORE_ACCEPTING)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if len(self.message_ids()) < self._hold_after:
            envelope.rcpt_tos.append(address)
            return "250 OK"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture
def mail_server() -> Iterator[BatchMailServer]:
    """Overrides the conftest's server for this module, so ``start_worker`` sends through this one."""
    chatter = logging.getLogger("mail.log")
    level = chatter.level
    chatter.setLevel(logging.WARNING)
    server = BatchMailServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        chatter.setLevel(level)


@pytest.fixture
def national_committee(postgres: None, london: Branch, dues_rates: dict[str, DuesRate]) -> list[Member]:
    """Twenty current NC members, each with an account and an e-mail address of their own."""
    committee = Committee.objects.create(
        name="National Committee", slug="nc", kind=CommitteeKind.NATIONAL, notice_days=14, reminder_hours=48
    )
    today = timezone.localdate()
    members = []
    for number in range(1, NC_SIZE + 1):
        username = f"nc.member{number:02d}"
        member = make_member(
            london,
            joined_on=today - dt.timedelta(days=400),
            full_name=f"NC Member {number:02d}",
            user=UserFactory(username=username, email=f"{username}@example.org"),
        )
        services.start_term(
            actor=None,
            committee=committee,
            member=member,
            role=TermRole.MEMBER,
            starts_on=today - dt.timedelta(days=30),
            basis=TermBasis.ELECTED_AT_CONFERENCE,
        )
        members.append(member)
    return members


@pytest.fixture
def meeting(national_committee: list[Member]) -> Meeting:
    """An NC meeting ten days ahead, called just now: its notice is due at once.

    On the hour, because iCalendar times carry no fraction of a second.
    """
    starts = (timezone.now() + dt.timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    return Meeting.objects.create(
        committee=Committee.objects.get(slug="nc"),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        venue="Conway Hall, London",
    )


def notice_key(meeting: Meeting, member: Member) -> str:
    return f"meeting-{meeting.pk}-notice-v0-member-{member.pk}"


def statuses(meeting: Meeting) -> dict[str, str]:
    rows = OutboundMessage.objects.filter(key__startswith=f"meeting-{meeting.pk}-notice-")
    return dict(rows.values_list("key", "status"))


def all_sent(meeting: Meeting) -> bool:
    rows = statuses(meeting)
    return len(rows) == NC_SIZE and set(rows.values()) == {OutboundMessage.Status.SENT}


def assert_each_member_got_one_notice(
    mail_server: MailServer, meeting: Meeting, members: list[Member]
) -> None:
    expected = sorted(message_id(notice_key(meeting, member)) for member in members)
    assert sorted(mail_server.message_ids()) == expected
    for member in members:
        [copy] = mail_server.copies(message_id(notice_key(meeting, member)))
        assert copy["To"] == member.user.email
        [attachment] = [part for part in copy.walk() if part.get_content_type() == "text/calendar"]
        assert attachment.get_filename() == "meeting.ics"
        payload = attachment.get_payload(decode=True)
        assert isinstance(payload, bytes)
        [event] = Calendar.from_ical(payload).walk("VEVENT")
        assert str(event["UID"]) == meeting.uid
        assert event.decoded("DTSTART") == meeting.starts_at


def test_every_nc_member_receives_one_notice_with_a_calendar_entry(
    fault_broker: Broker,
    mail_server: BatchMailServer,
    start_worker: StartWorker,
    publish_to: Callable[[str], None],
    national_committee: list[Member],
    meeting: Meeting,
) -> None:
    start_worker(fault_broker.url, "only")
    publish_to(fault_broker.url)

    assert notices.sweep(timezone.now()) == {"notices": 1, "queued": NC_SIZE, "skipped": 0}

    wait_until(lambda: all_sent(meeting), lambda: f"every notice to be sent; the outbox: {statuses(meeting)}")
    fault_broker.wait_until_idle()
    assert_each_member_got_one_notice(mail_server, meeting, national_committee)
    # A second sweep finds the notice dispatched and queues nothing more.
    assert notices.sweep(timezone.now()) == {"notices": 0, "queued": 0, "skipped": 0}


def test_worker_killed_mid_batch_and_replaced_still_delivers_each_notice_once(
    fault_broker: Broker,
    mail_server: BatchMailServer,
    start_worker: StartWorker,
    publish_to: Callable[[str], None],
    national_committee: list[Member],
    meeting: Meeting,
) -> None:
    mail_server.hold_after(DELIVERED_BEFORE_THE_KILL)
    first = start_worker(fault_broker.url, "first")
    publish_to(fault_broker.url)

    assert notices.sweep(timezone.now())["queued"] == NC_SIZE
    mail_server.wait_until_holding()  # seven delivered; the worker is mid-conversation for the eighth
    assert len(mail_server.message_ids()) == DELIVERED_BEFORE_THE_KILL

    first.kill()

    wait_until(lambda: not backend_pids("worker-first"), "PostgreSQL to drop the killed worker's connection")
    rows = statuses(meeting)
    assert list(rows.values()).count(OutboundMessage.Status.SENT) == DELIVERED_BEFORE_THE_KILL
    assert list(rows.values()).count(OutboundMessage.Status.PENDING) == NC_SIZE - DELIVERED_BEFORE_THE_KILL
    killed_tasks = fault_broker.unacked_task_ids()  # Redis hands them out again after the visibility timeout
    assert killed_tasks

    second = start_worker(fault_broker.url, "second")
    # The new worker sends the rest of the batch from the queue, then the sweep (queued behind it)
    # sends what the killed worker had taken: those messages stay unacknowledged for an hour.
    sweep = send_pending_messages.delay()  # what beat does every minute

    assert second.task_result(sweep.id) == str(len(killed_tasks))
    fault_broker.wait_until_idle(unacked=len(killed_tasks))
    assert all_sent(meeting)
    assert_each_member_got_one_notice(mail_server, meeting, national_committee)

    # The visibility timeout passes: the killed worker's tasks come round again and send nothing.
    fault_broker.redeliver_unacked()
    for task_id in killed_tasks:
        assert second.task_result(task_id) == "False"
    fault_broker.wait_until_idle()
    assert_each_member_got_one_notice(mail_server, meeting, national_committee)
