"""Conference registration in a browser: a member registers and gets the e-mail; the office and a treasurer.

Rosa (the ``member``, in good standing) finds the coming conference from the
main menu, sees she is entitled to vote, and registers: the waged band,
step-free access, two children for the crèche, and her consent to share
those needs with the organising team. She sees them on "My registration".
The confirmation goes through the outbox to a real SMTP server (aiosmtpd)
that the test starts and points the site's mail settings at; what arrives
holds her needs and the conference as a calendar file (.ics).

The national office sets the conference's capacity, takes the entitlement
snapshot and grants an exception from a member's row; a treasurer records
a fee on a phone from the list of what is owed.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.utils import timezone
from playwright.sync_api import Page, expect

from awl.env import envemail
from awl.models import OutboundMessage
from awl.outbox import send_message_now
from conference.models import Band, Conference, EligibilityException, Registration
from conference.registration import services
from members.models import Member
from tests.conference.register_objects import conference_taking_registrations
from tests.e2e.pages import main_menu
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.e2e

# The name envemail reads first; never set, so the SMTP URL given as its default is used.
SMTP_URL_VARIABLE = "AWL_JOURNEY_SMTP_URL"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self._messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self._messages if address in str(m["To"])]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def smtp_inbox(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on a free port, and the site's mail settings pointed at it for this test."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {"default": envemail(SMTP_URL_VARIABLE, f"smtp://127.0.0.1:{port}", file_path="")}
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def coming_conference(db: None) -> Conference:
    return conference_taking_registrations(2040, title="Annual conference 2040")


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_member_registers_with_access_and_childcare_needs_and_receives_the_email(
    log_in: Callable[..., Page],
    member: Member,
    coming_conference: Conference,
    smtp_inbox: Inbox,
    viewport: str,
) -> None:
    page = log_in("member", viewport=viewport)
    # The dashboard says where she stands.
    panel = page.get_by_role("region", name="Annual conference 2040")
    expect(panel).to_contain_text("You are entitled to vote.")

    main_menu(page).get_by_role("link", name="Conference").click()
    expect(page.get_by_role("heading", level=1, name="Conference")).to_be_visible()
    page.get_by_role("link", name="Annual conference 2040").click()
    expect(page.get_by_role("heading", level=1, name="Annual conference 2040")).to_be_visible()
    expect(page.get_by_text("You are entitled to vote.")).to_be_visible()
    page.get_by_role("link", name="Register", exact=True).click()

    expect(page.get_by_role("heading", level=1, name="Register for Annual conference 2040")).to_be_visible()
    page.get_by_label("Waged: £30.00").check()
    page.get_by_label("Access needs (optional)").fill("Step-free access and a seat near the front")
    page.get_by_label("Children coming to the crèche").fill("2")
    page.get_by_label("Their ages").fill("3 and 6")
    page.get_by_label("I agree to share these needs with the organising team").check()
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("status").first).to_contain_text("You are registered for Annual conference 2040")
    expect(page.get_by_role("heading", level=1, name="My registration")).to_be_visible()
    expect(page.get_by_text("Step-free access and a seat near the front")).to_be_visible()
    expect(page.get_by_text("2 children (3 and 6)")).to_be_visible()
    registration = Registration.objects.get(conference=coming_conference, member=member)
    assert (registration.children, registration.children_ages, registration.consent_share_needs) == (
        2,
        "3 and 6",
        True,
    )

    # The outbox sends the confirmation (the site hands it to a worker on commit; sending it again, as
    # the sweep would, is safe) and the SMTP server has it once.
    outgoing = OutboundMessage.objects.get(key__startswith=f"conference-{coming_conference.pk}-registration-")
    send_message_now(outgoing.pk)
    outgoing.refresh_from_db()
    assert outgoing.status == OutboundMessage.Status.SENT
    [received] = smtp_inbox.to(member.user.email)
    assert received["Subject"] == "Registered: Annual conference 2040"
    body = received.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "You are registered for Annual conference 2040." in text
    assert "You are entitled to vote." in text
    assert "Access needs: Step-free access and a seat near the front" in text
    assert "Crèche: 2 children (3 and 6)" in text
    [calendar] = list(received.iter_attachments())
    assert calendar.get_filename() == "conference.ics"
    assert calendar.get_content_type() == "text/calendar"
    ics = calendar.get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "BEGIN:VEVENT" in ics and "SUMMARY:Annual conference 2040" in ics
    assert f"DTSTART;VALUE=DATE:{coming_conference.starts_on:%Y%m%d}" in ics
    assert "LOCATION:Conway Hall\\, 25 Red Lion Square\\, London" in ics


@pytest.fixture
def una(london: Any, dues_rates: Any) -> Member:
    """Una, admitted 200 days ago and never paid: not in good standing on the cut-off."""
    admitted = make_member(
        london,
        joined_on=timezone.localdate() - dt.timedelta(days=200),
        full_name="Una Unpaid",
        user=UserFactory(username="una", email="una@example.org"),
    )
    return Member.objects.get(pk=admitted.pk)


def test_the_office_sets_capacity_takes_the_snapshot_and_grants_an_exception_and_a_treasurer_records_a_fee(
    log_in: Callable[..., Page], member: Member, una: Member, coming_conference: Conference
) -> None:
    services.register(member=member, conference=coming_conference, fee_band=Band.WAGED)

    office = log_in("national_office")
    main_menu(office).get_by_role("link", name="Conference").click()
    office.get_by_role("link", name="Annual conference 2040").click()
    office.get_by_role("link", name="Edit the conference").click()
    office.get_by_label("Capacity").fill("250")
    office.get_by_role("button", name="Save").click()
    expect(office.get_by_role("status").first).to_contain_text("Annual conference 2040 is saved.")
    expect(office.get_by_text("249 of 250 left")).to_be_visible()

    office.get_by_role("link", name="Entitlement").click()
    office.get_by_role("link", name="Take the snapshot").click()
    office.get_by_role("button", name="Take the snapshot").click()
    expect(office.get_by_role("status").first).to_contain_text("Snapshot taken: 1 of 2 members entitled.")
    members = office.get_by_role("region", name="By member")
    expect(members).to_contain_text("beyond the grace period")
    members.get_by_role("link", name="Grant an exception to Una Unpaid").click()
    expect(office.get_by_label("The member's e-mail address")).to_have_value("una@example.org")
    office.get_by_label("Reason for the exception").fill("Paid at the branch meeting; the transfer was late")
    office.get_by_role("button", name="Grant the exception").click()
    expect(office.get_by_role("region", name="Exceptions granted")).to_contain_text(
        "Paid at the branch meeting; the transfer was late"
    )

    treasurer = log_in("treasurer", viewport="phone")
    treasurer.goto(f"/conference/{coming_conference.slug}/")
    treasurer.get_by_role("link", name="Payments outstanding").click()
    expect(treasurer.get_by_role("region", name="Owing")).to_contain_text("Rosa Lund")
    treasurer.get_by_role("link", name="Record a payment from Rosa Lund").click()
    treasurer.get_by_label("Amount (£)").fill("30.00")
    treasurer.get_by_label("Method").fill("Cash at the branch meeting")
    treasurer.get_by_role("button", name="Record the payment").click()
    expect(treasurer.get_by_role("status").first).to_contain_text("£30.00 recorded for Rosa Lund.")
    expect(treasurer.get_by_text("Nothing is outstanding.")).to_be_visible()
    coming_conference.refresh_from_db()
    assert coming_conference.capacity == 250
    assert EligibilityException.objects.get(conference=coming_conference).member == una
