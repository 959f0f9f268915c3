"""Failed sends back off 1, 4, 16, 64 minutes, then fail for good; nothing sends a row before it is due."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone

from awl import outbox
from awl.models import OutboundMessage
from awl.tasks import send_message, send_pending_messages
from tests.awl.test_outbox import FAILING_BACKEND, WORKING_BACKEND, queue, use_backend
from tests.awl.test_outbox import test_templates as test_templates  # autouse: the tests' own e-mail
from tests.helpers.clock import frozen

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def reload(message: OutboundMessage) -> OutboundMessage:
    message.refresh_from_db()
    return message


def test_failures_back_off_1_4_16_64_minutes_then_the_message_fails(settings: Any) -> None:
    use_backend(settings, FAILING_BACKEND)
    with frozen(T0):
        message = queue()
    assert message is not None
    moment = T0
    waits = []
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        with frozen(moment):
            assert send_pending_messages() == 0  # tried, and failed
        message = reload(message)
        waits.append(message.next_attempt_at - moment)
        # One second early the sweep leaves it alone; on time it tries again.
        with frozen(message.next_attempt_at - dt.timedelta(seconds=1)):
            assert outbox.pending_message_ids() == []
        moment = message.next_attempt_at
        with frozen(moment):
            assert outbox.pending_message_ids() == [message.pk]

    with frozen(moment):
        send_pending_messages()

    assert waits == [dt.timedelta(minutes=m) for m in (1, 4, 16, 64)]
    message = reload(message)
    assert (message.status, message.attempts) == (OutboundMessage.Status.FAILED, outbox.MAX_ATTEMPTS)
    assert "refused the connection" in message.last_error
    with frozen(moment + dt.timedelta(days=1)):
        assert outbox.pending_message_ids() == []
        assert outbox.send_message_now(message.pk) is False
    assert reload(message).attempts == outbox.MAX_ATTEMPTS


def test_a_task_delivered_again_during_the_back_off_does_not_send_early(
    settings: Any, mailoutbox: list[EmailMessage]
) -> None:
    """The worker's task (say, redelivered by the broker) respects next_attempt_at like the sweep does."""
    use_backend(settings, FAILING_BACKEND)
    with frozen(T0):
        message = queue()
        assert message is not None
        assert send_message(message.pk) is False
    use_backend(settings, WORKING_BACKEND)

    with frozen(T0 + dt.timedelta(seconds=30)):
        assert send_message(message.pk) is False
    assert reload(message).attempts == 1
    assert mailoutbox == []

    with frozen(T0 + dt.timedelta(minutes=1)):
        assert send_message(message.pk) is True
    assert (reload(message).status, message.attempts, message.last_error) == ("sent", 2, "")
    assert len(mailoutbox) == 1


def test_the_sweep_sends_only_what_is_due_longest_waiting_first(
    settings: Any, mailoutbox: list[EmailMessage]
) -> None:
    with frozen(T0):
        waiting = queue(key="waiting", to="waiting@example.org")
        fresh = queue(key="fresh", to="fresh@example.org")
        later = queue(key="later", to="later@example.org")
    assert waiting is not None and fresh is not None and later is not None
    OutboundMessage.objects.filter(pk=waiting.pk).update(next_attempt_at=T0 - dt.timedelta(minutes=10))
    OutboundMessage.objects.filter(pk=later.pk).update(
        attempts=2, next_attempt_at=T0 + dt.timedelta(minutes=4)
    )

    with frozen(T0):
        assert outbox.pending_message_ids() == [waiting.pk, fresh.pk]
        assert send_pending_messages() == 2

    assert [m.to for m in mailoutbox] == [["waiting@example.org"], ["fresh@example.org"]]
    assert reload(later).status == OutboundMessage.Status.PENDING


def test_a_new_message_is_due_at_once() -> None:
    with frozen(T0):
        message = queue()
        assert message is not None
        assert message.next_attempt_at == timezone.now()
        assert outbox.pending_message_ids() == [message.pk]


def test_resend_puts_a_failed_message_back_with_a_fresh_allowance(
    settings: Any, mailoutbox: list[EmailMessage], django_capture_on_commit_callbacks: Any
) -> None:
    with frozen(T0):
        message = queue()
    assert message is not None
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundMessage.Status.FAILED, attempts=outbox.MAX_ATTEMPTS, last_error="mailbox full"
    )

    with frozen(T0 + dt.timedelta(hours=3)), django_capture_on_commit_callbacks(execute=True):
        outbox.resend_message(actor=None, message=message)

    message = reload(message)
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert len(mailoutbox) == 1


def test_resend_refuses_a_sent_message(mailoutbox: list[EmailMessage]) -> None:
    message = queue()
    assert message is not None
    assert outbox.send_message_now(message.pk) is True

    with pytest.raises(outbox.OutboxError, match="already been sent"):
        outbox.resend_message(actor=None, message=message)

    assert (reload(message).status, message.attempts) == ("sent", 1)
    assert len(mailoutbox) == 1
