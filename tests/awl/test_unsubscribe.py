"""Consent in the outbox, and the one-click unsubscribe link (RFC 8058).

Mail goes through the outbox to a real SMTP server (aiosmtpd, in the test's
process), so the headers checked are the ones a mail provider would see.
"""

from __future__ import annotations

import base64
import copy
import email
import socket
import threading
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.core import signing
from django.test import Client

from awl import consent, outbox
from awl.models import AuditEntry, OutboundMessage
from members import services
from members.models import Channel, Consent, Contact, Member

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


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


@pytest.fixture(autouse=True)
def test_templates(settings: Any, tmp_path: Path) -> None:
    """An e-mail template triad of the tests' own; the body shows the unsubscribe link when there is one."""
    emails = tmp_path / "emails"
    emails.mkdir()
    (emails / "news-subject.txt").write_text("News\n")
    (emails / "news-body.txt").write_text("Dear friend.\n{{ unsubscribe_url }}\n")
    (emails / "news-body.html").write_text("<p>Dear friend.</p>\n")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates


def queue(to: str, *, key: str = "news-1", transactional: bool) -> OutboundMessage | None:
    return outbox.queue_email(key=key, to=to, template="news", context={}, transactional=transactional)


def send(message: OutboundMessage | None) -> None:
    assert message is not None
    assert outbox.send_message_now(message.pk)


def unsubscribe_path(message: Message) -> str:
    """The one-click link's path, from the List-Unsubscribe header as the provider received it."""
    header = message["List-Unsubscribe"]
    assert header.startswith("<") and header.endswith(">"), header
    return urlsplit(header[1:-1]).path


def shows_address(token: str, address: str) -> bool:
    """Whether anyone reading the token could see the address (signing only base64-encodes its JSON)."""
    payload = signing.loads(token, salt=consent.SIGNING_NAMESPACE)
    sealed = base64.urlsafe_b64decode(payload["a"] + "=" * (-len(payload["a"]) % 4))
    return address in str(payload) or address.encode() in sealed


def email_consent(person: Member | Contact) -> bool | None:
    return services.current_consents(person).get(Channel.EMAIL)


@pytest.fixture
def sam(db: None) -> Contact:
    """A contact who agreed to e-mail at a stall."""
    return services.create_contact(
        actor=None,
        details={"full_name": "Sam Contact", "email": "sam@example.org"},
        consents={Channel.EMAIL: True},
        source="stall",
    )


@pytest.fixture
def rosa(member: Member) -> Member:
    """The member fixture, who ticked e-mail on her own details page."""
    services.update_own_details(actor=member.user, member=member, details={}, consents={Channel.EMAIL: True})
    return member


# The outbox ------------------------------------------------------------------------------------------
def test_a_non_transactional_message_carries_both_one_click_headers(sam: Contact, inbox: Inbox) -> None:
    send(queue("sam@example.org", transactional=False))

    [received] = inbox.messages
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = received["List-Unsubscribe"][1:-1]
    assert url.startswith("http") and "/unsubscribe/" in url
    assert not shows_address(url.rstrip("/").rsplit("/", 1)[1], "sam@example.org")
    assert consent.read_token(url.rstrip("/").rsplit("/", 1)[1]).address == "sam@example.org"


def test_a_transactional_message_has_no_unsubscribe_headers(sam: Contact, inbox: Inbox) -> None:
    send(queue("sam@example.org", transactional=True))

    [received] = inbox.messages
    assert received["List-Unsubscribe"] is None
    assert received["List-Unsubscribe-Post"] is None


def test_transactional_is_the_default_and_needs_no_consent(db: None, inbox: Inbox) -> None:
    message = outbox.queue_email(key="booking-1", to="stranger@example.org", template="news", context={})

    send(message)
    assert len(inbox.messages) == 1


@pytest.mark.parametrize("who", ["unknown", "withdrawn", "never_asked", "member_refused"])
def test_non_transactional_mail_to_someone_without_consent_is_not_queued(
    db: None, member: Member, who: str
) -> None:
    if who == "withdrawn":
        services.create_contact(
            actor=None,
            details={"full_name": "Wyn", "email": "to@example.org"},
            consents={Channel.EMAIL: True},
        )
        consent.withdraw_consent("to@example.org", Channel.EMAIL, "test")
    elif who == "never_asked":
        services.create_contact(actor=None, details={"full_name": "Nia", "email": "to@example.org"})
    elif who == "member_refused":
        # A member who said no answers for the address, though an old contact record said yes.
        services.create_contact(
            actor=None,
            details={"full_name": "Rosa", "email": "rosa@example.org"},
            consents={Channel.EMAIL: True},
        )
    to = "rosa@example.org" if who == "member_refused" else "to@example.org"

    assert queue(to, transactional=False) is None
    assert not OutboundMessage.objects.filter(key="news-1").exists()


def test_a_member_with_consent_gets_non_transactional_mail(rosa: Member, inbox: Inbox) -> None:
    send(queue("Rosa@Example.org", transactional=False))

    assert len(inbox.messages) == 1


def test_consent_withdrawn_after_queueing_stops_the_send(sam: Contact, inbox: Inbox) -> None:
    message = queue("sam@example.org", transactional=False)
    assert message is not None
    consent.withdraw_consent("sam@example.org", Channel.EMAIL, "test")

    assert not outbox.send_message_now(message.pk)
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED and message.last_error == outbox.WITHHELD
    assert inbox.messages == []


# The one-click link -----------------------------------------------------------------------------------
def test_one_click_post_withdraws_consent_and_later_mail_is_not_queued(
    sam: Contact, inbox: Inbox, client: Client
) -> None:
    send(queue("sam@example.org", transactional=False))
    path = unsubscribe_path(inbox.messages[0])

    # The provider posts with no cookie and no CSRF token, as RFC 8058 has it.
    response = Client(enforce_csrf_checks=True).post(path, ONE_CLICK)

    assert response.status_code == 200
    assert email_consent(sam) is False
    latest = sam.consents.get(granted=False)
    assert latest.source == "one-click unsubscribe"
    audit = AuditEntry.objects.get(action="consent.withdrawn")
    assert (audit.target_id, audit.actor_id) == (str(sam.pk), None)
    assert queue("sam@example.org", key="news-2", transactional=False) is None


def test_one_click_withdraws_a_members_consent(rosa: Member, client: Client) -> None:
    response = client.post(f"/unsubscribe/{consent.make_token('rosa@example.org')}/", ONE_CLICK)

    assert response.status_code == 200
    assert email_consent(rosa) is False


def test_a_get_of_the_link_withdraws_nothing(sam: Contact, client: Client) -> None:
    path = f"/unsubscribe/{consent.make_token('sam@example.org')}/"

    response = client.get(path)

    assert response.status_code == 200
    assert b'name="List-Unsubscribe" value="One-Click"' in response.content  # the button that POSTs
    assert email_consent(sam) is True
    assert not AuditEntry.objects.filter(action="consent.withdrawn").exists()


def test_the_pages_button_withdraws_and_redirects_to_the_done_page(sam: Contact, client: Client) -> None:
    path = f"/unsubscribe/{consent.make_token('sam@example.org')}/"

    response = client.post(path, {**ONE_CLICK, "from_page": "1"}, follow=True)

    assert response.redirect_chain[-1][1] == 302
    assert b"You are unsubscribed" in response.content
    assert email_consent(sam) is False


def test_a_post_without_the_one_click_body_withdraws_nothing(sam: Contact, client: Client) -> None:
    response = client.post(f"/unsubscribe/{consent.make_token('sam@example.org')}/", {})

    assert response.status_code == 400
    assert email_consent(sam) is True


@pytest.mark.parametrize("tamper", ["flip", "truncate", "made_up", "other_salt"])
def test_a_tampered_token_is_refused_and_changes_nothing(sam: Contact, client: Client, tamper: str) -> None:
    good = consent.make_token("sam@example.org")
    token = {
        "flip": good[:-3] + ("A" if good[-3] != "A" else "B") + good[-2:],
        "truncate": good[: len(good) // 2],
        "made_up": "c2FtQGV4YW1wbGUub3Jn",
        "other_salt": signing.dumps({"a": good.split(":")[0], "c": "email"}, salt="dayschools.booking"),
    }[tamper]

    response = client.post(f"/unsubscribe/{token}/", ONE_CLICK)

    assert response.status_code == 400
    assert b"does not work" in response.content
    assert email_consent(sam) is True
    assert Consent.objects.count() == 1


def test_the_answer_does_not_reveal_whether_the_address_is_known(sam: Contact, client: Client) -> None:
    known = client.post(f"/unsubscribe/{consent.make_token('sam@example.org')}/", ONE_CLICK)
    unknown = client.post(f"/unsubscribe/{consent.make_token('nobody@example.org')}/", ONE_CLICK)

    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content


def test_the_token_hides_the_address_and_two_tokens_differ() -> None:
    first, second = consent.make_token("sam@example.org"), consent.make_token("sam@example.org")

    assert first != second
    assert "sam" not in first and "example" not in first
    assert (
        consent.read_token(first)
        == consent.read_token(second)
        == consent.Unsubscribe("sam@example.org", "email")
    )
