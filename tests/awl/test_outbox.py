"""The outbox: one row per message key, sent once, failures kept for retry."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from awl import outbox
from awl.models import OutboundMessage
from awl.tasks import send_pending_messages


class FailingBackend(BaseEmailBackend):
    """A mail transport that is down."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ConnectionRefusedError("SMTP server refused the connection")


FAILING_BACKEND = f"{__name__}.FailingBackend"
WORKING_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def use_backend(settings: Any, backend: str) -> None:
    """Swap the mail transport (through MAILERS once the settings have moved to it)."""
    if hasattr(settings, "MAILERS"):
        settings.MAILERS = {"default": {"BACKEND": backend}}
    else:
        settings.EMAIL_BACKEND = backend


@pytest.fixture(autouse=True)
def test_templates(settings: Any, tmp_path: Path) -> None:
    """An e-mail template triad of the tests' own, so these tests do not depend on the site's wording."""
    emails = tmp_path / "emails"
    emails.mkdir()
    (emails / "greeting-subject.txt").write_text("Hello {{ name }}\n")
    (emails / "greeting-body.txt").write_text("Dear {{ name }},\nSee {{ site_url }}.\n")
    (emails / "greeting-body.html").write_text("<p>Dear {{ name }},</p>\n")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates


def queue(key: str = "greeting-1", to: str = "ada@example.org") -> OutboundMessage | None:
    return outbox.queue_email(key=key, to=to, template="greeting", context={"name": "Ada"})


def test_queue_email_renders_the_template_triad(db: None, settings: Any) -> None:
    message = queue()

    assert message is not None
    assert (message.to, message.subject, message.status) == ("ada@example.org", "Hello Ada", "pending")
    assert message.body_text == f"Dear Ada,\nSee {settings.SITE_URL}.\n"
    assert message.body_html == "<p>Dear Ada,</p>\n"


def test_queue_email_with_the_same_key_twice_makes_one_row(db: None) -> None:
    first = queue()
    second = queue()

    assert first is not None
    assert second is None
    assert OutboundMessage.objects.count() == 1


def test_queued_message_is_sent_after_commit(
    db: None, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue()
        assert mailoutbox == []

    assert len(callbacks) == 1
    assert [m.subject for m in mailoutbox] == ["Hello Ada"]
    assert OutboundMessage.objects.get().status == OutboundMessage.Status.SENT


def test_send_message_now_sends_once(db: None, mailoutbox: list[EmailMultiAlternatives]) -> None:
    message = queue()
    assert message is not None

    assert outbox.send_message_now(message.pk) is True
    assert outbox.send_message_now(message.pk) is False

    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert (sent.to, sent.subject, sent.body) == (["ada@example.org"], "Hello Ada", message.body_text)
    assert sent.alternatives[0][0] == "<p>Dear Ada,</p>\n"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert message.sent_at is not None


def test_transport_failure_is_recorded_and_left_pending_for_retry(
    db: None, settings: Any, mailoutbox: list[EmailMessage]
) -> None:
    message = queue()
    assert message is not None
    use_backend(settings, FAILING_BACKEND)

    assert outbox.send_message_now(message.pk) is False

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "refused the connection" in message.last_error
    assert outbox.pending_message_ids() == []  # waiting out its back-off (tests/awl/test_outbox_backoff.py)

    use_backend(settings, WORKING_BACKEND)
    with time_machine.travel(message.next_attempt_at, tick=False):
        assert outbox.pending_message_ids() == [message.pk]
        assert send_pending_messages() == 1

    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, "")
    assert len(mailoutbox) == 1


def test_message_is_marked_failed_after_the_last_attempt(db: None, settings: Any) -> None:
    message = queue()
    assert message is not None
    use_backend(settings, FAILING_BACKEND)

    for _ in range(outbox.MAX_ATTEMPTS):
        message.refresh_from_db()
        with time_machine.travel(message.next_attempt_at, tick=False):  # each attempt once it is due
            outbox.send_message_now(message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert outbox.pending_message_ids() == []
    assert outbox.send_message_now(message.pk) is False


def test_pending_sweep_sends_only_pending_messages(db: None, mailoutbox: list[EmailMessage]) -> None:
    sent = queue(key="greeting-sent", to="sent@example.org")
    assert sent is not None
    outbox.send_message_now(sent.pk)
    queue(key="greeting-waiting", to="waiting@example.org")

    assert send_pending_messages() == 1

    assert [m.to for m in mailoutbox] == [["sent@example.org"], ["waiting@example.org"]]
