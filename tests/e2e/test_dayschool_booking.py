"""A guest books a day school on a phone, gets the e-mail, and cancels through its link.

Nobody logs in. The guest finds the London school on the public list, books
a place with a workshop, and is told it is booked. The confirmation goes
through the outbox to a real SMTP server (aiosmtpd, in the test's process)
as a worker sends it (``send_message_now``); the guest opens the link in the
message that server received, sees the booking with its code and QR code,
and cancels it after confirming.
"""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
import threading
from collections.abc import Callable, Iterator
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.utils import timezone
from playwright.sync_api import Page, expect

from awl import outbox
from awl.models import OutboundMessage
from dayschools.models import Booking, BookingStatus, Event, School
from tests.dayschools.booking_objects import open_school_day
from tests.factories import CityFactory, SeriesFactory

pytestmark = pytest.mark.e2e


class Inbox:
    """A real SMTP server on a free local port that keeps every message it accepts."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        with self._lock:
            self.messages.append(email.message_from_bytes(content))
        return "250 Message accepted for delivery"

    def __enter__(self) -> Inbox:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    with Inbox() as server:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10},
            }
        }
        yield server


@pytest.fixture
def london_school(db: None) -> Event:
    """School 1 in London three weeks ahead, taking bookings, with two workshops side by side."""
    series = SeriesFactory.create(slug="crises")
    school = School.objects.create(
        series=series, number=1, title="What is capitalism?", description="Capital, volume one, in a day."
    )
    city = CityFactory.create(name="London")
    return open_school_day(
        school,
        city,
        days_ahead=21,
        venue="Conway Hall",
        address="25 Red Lion Square, London WC1R 4RL",
        accessibility="Step-free access to the main hall; hearing loop.",
        booking_opened=timezone.now() - dt.timedelta(days=7),
    )


def part(message: Message, content_type: str) -> str:
    for piece in message.walk():
        if piece.get_content_type() == content_type and not piece.get_filename():
            payload = piece.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(piece.get_content_charset() or "utf-8")
    raise AssertionError(f"no {content_type} part")


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_guest_books_on_a_phone_gets_the_email_and_cancels_through_its_link(
    browse: Callable[..., Page],
    london_school: Event,
    inbox: Inbox,
    monkeypatch: pytest.MonkeyPatch,
    viewport: str,
) -> None:
    # The worker's part is played below, by the test, so the send is the one it can watch.
    monkeypatch.setattr(outbox, "enqueue_send", lambda message_id: None)
    day = timezone.localtime(london_school.starts_at)

    # The guest finds the London school on the public list and books a place with a workshop.
    page = browse(viewport=viewport)
    page.goto("/dayschools/")
    expect(page.get_by_role("heading", level=1, name="Day schools")).to_be_visible()
    page.get_by_role("link", name=f"London, {day:%A %-d %B %Y}").click()
    expect(page.get_by_role("heading", level=1, name="What is capitalism?")).to_be_visible()
    expect(page.get_by_text("Step-free access to the main hall; hearing loop.")).to_be_visible()
    page.get_by_label("Your name").fill("Nadia Guest")
    page.get_by_label("Your e-mail address").fill("nadia@example.org")
    page.get_by_label("How did you hear about the day school?").select_option(label="A stall or leaflet")
    page.get_by_label("Crisis theory (20 places left)").check()
    page.get_by_label("You may contact me about future day schools").check()
    page.get_by_role("button", name="Book my place").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Check your e-mail: we have sent you a message about this booking."
    )
    booking = Booking.objects.get()
    assert (booking.name, booking.email, booking.status) == ("Nadia Guest", "nadia@example.org", "confirmed")
    assert [w.title for w in booking.workshops.all()] == ["Crisis theory"]

    # A worker sends the confirmation from the outbox to the SMTP server.
    message = OutboundMessage.objects.get(key=f"dayschool-booking-{booking.pk}-confirmation")
    assert outbox.send_message_now(message.pk) is True
    [received] = inbox.messages
    assert received["To"] == "nadia@example.org"
    text = part(received, "text/plain")
    assert f"Your booking code: {booking.code}" in text
    assert f'alt="QR code of your booking code {booking.code}"' in part(received, "text/html")
    assert [p.get_filename() for p in received.walk() if p.get_filename()] == ["dayschool.ics"]

    # The guest opens the link from the e-mail, sees the booking with its code, and cancels it.
    [link] = re.findall(r"https?://\S+/dayschools/booking/\S+/", text)
    page.goto(urlsplit(link).path)
    expect(page.get_by_role("heading", level=1, name="Your booking")).to_be_visible()
    expect(page.get_by_text(booking.code, exact=True)).to_be_visible()
    expect(page.get_by_role("img", name=f"QR code of your booking code {booking.code}")).to_be_visible()
    page.get_by_role("link", name="Cancel my booking").click()
    expect(page.get_by_role("heading", level=1, name="Cancel your booking")).to_be_visible()
    page.get_by_role("button", name="Yes, cancel my booking").click()
    expect(page.get_by_role("status")).to_contain_text("Your booking is cancelled.")
    expect(page.get_by_text("Cancelled on")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert not page.get_by_role("link", name="Cancel my booking").is_visible()
