"""A Celery worker killed while it sends an e-mail: the mail is neither lost nor sent twice.

The outbox row, not the broker message, is the truth (awl/outbox.py). The
worker sends inside a transaction that holds the row's lock, so a worker
that dies mid-send leaves the row pending: PostgreSQL rolls the
transaction back when the connection drops. What brings the mail back
depends on how the worker died:

- the whole worker killed (the machine or container gone): the broker
  message stays unacknowledged in Redis until the visibility timeout (an
  hour), so the periodic sweep sends it; the broker's late redelivery then
  finds nothing to do;
- only the pool process killed (the OOM killer): Celery's main process
  sees it die and, with reject_on_worker_lost, puts the message straight
  back on the queue.

One window is left, and the last test pins it: once the mail server has
taken the message, a worker killed before it records the send leaves the
row pending, and the message goes out a second time. Both copies carry
the same Message-ID, so mail clients and servers that deduplicate on it
show one. The alternative (never resend a message whose fate is unknown)
would lose notices, which is worse for a membership body than a duplicate.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from email.message import Message
from typing import Any

import pytest
from django.db import connection, transaction

from awl import outbox
from awl.models import OutboundMessage
from awl.tasks import send_pending_messages
from members import services
from members.models import Application
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


def approve(application: Application, officer: Any) -> OutboundMessage:
    """Admit the applicant; the service queues the welcome e-mail, which a worker sends after commit."""
    services.approve_application(actor=officer, application=application)
    return OutboundMessage.objects.get(key=f"application-{application.pk}-approved")


def status_of(message: OutboundMessage) -> tuple[str, int]:
    message.refresh_from_db()
    return message.status, message.attempts


def sent(message: OutboundMessage) -> bool:
    return status_of(message)[0] == OutboundMessage.Status.SENT


def what_the_reader_sees(copy: Message) -> tuple[str, str, list[tuple[str, bytes]]]:
    """Recipient, subject and each body part: all but the Date header and MIME boundaries."""
    parts = [(part.get_content_type(), part.get_payload(decode=True)) for part in copy.walk()]
    return copy["To"], copy["Subject"], [(kind, body) for kind, body in parts if isinstance(body, bytes)]


def assert_a_concurrent_sweep_leaves_it_alone(message: OutboundMessage) -> None:
    """While a worker is mid-send, the sweep (run here, in another process) skips the locked row.

    A lock timeout makes a sweep that waited for the lock fail the test
    rather than hang it.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        assert outbox.send_message_now(message.pk) is False


SendHeld = Callable[[Hold, str], tuple[Worker, OutboundMessage]]


@pytest.fixture
def send_held(
    fault_broker: Broker,
    mail_server: MailServer,
    start_worker: StartWorker,
    publish_to: Callable[[str], None],
    applicant: Application,
    national_office: Any,
) -> SendHeld:
    """Start a worker (named), admit the applicant, and wait until the mail server holds the welcome e-mail
    at the given point of the SMTP conversation; returns the worker and the message."""

    def send(hold: Hold, name: str) -> tuple[Worker, OutboundMessage]:
        mail_server.hold(hold)
        worker = start_worker(fault_broker.url, name)
        publish_to(fault_broker.url)
        message = approve(applicant, national_office)
        mail_server.wait_until_holding()
        return worker, message

    return send


def wait_for_its_connection_to_go(worker: str) -> None:
    wait_until(
        lambda: not backend_pids(f"worker-{worker}"), "PostgreSQL to drop the killed worker's connection"
    )


def sweep_with_a_new_worker(
    fault_broker: Broker, start_worker: StartWorker, message: OutboundMessage
) -> Worker:
    """A second worker, and the sweep beat runs every minute: it sends the message, once."""
    second = start_worker(fault_broker.url, "second")
    sweep = send_pending_messages.delay()
    assert second.task_result(sweep.id) == "1"
    assert status_of(message) == (OutboundMessage.Status.SENT, 1)
    return second


def test_worker_killed_before_the_mail_server_took_the_message_sends_it_once_after_restart(
    fault_broker: Broker, mail_server: MailServer, start_worker: StartWorker, send_held: SendHeld
) -> None:
    # The worker is in the SMTP conversation, the row locked.
    first, message = send_held(Hold.BEFORE_ACCEPTING, "first")
    assert_a_concurrent_sweep_leaves_it_alone(message)

    first.kill()

    wait_for_its_connection_to_go("first")
    assert status_of(message) == (OutboundMessage.Status.PENDING, 0)  # the send's transaction rolled back
    assert mail_server.copies(message_id(message.key)) == []
    [killed_task] = fault_broker.unacked_task_ids()  # Redis hands it out again after the visibility timeout

    second = sweep_with_a_new_worker(fault_broker, start_worker, message)
    assert mail_server.message_ids() == [message_id(message.key)]

    # The visibility timeout passes: Redis hands the killed worker's task out again, and it does nothing.
    fault_broker.redeliver_unacked()
    assert second.task_result(killed_task) == "False"
    fault_broker.wait_until_idle()
    assert mail_server.message_ids() == [message_id(message.key)]


def test_pool_process_killed_mid_send_is_requeued_at_once_and_sends_once(
    fault_broker: Broker, mail_server: MailServer, start_worker: StartWorker, send_held: SendHeld
) -> None:
    worker, message = send_held(Hold.BEFORE_ACCEPTING, "only")
    [pool_process] = worker.pool_processes()

    os.kill(pool_process, signal.SIGKILL)

    # No sweep: Celery's main process requeues the task and a new pool process sends it.
    wait_until(lambda: sent(message), "the requeued task to send the message")
    fault_broker.wait_until_idle()
    assert status_of(message) == (OutboundMessage.Status.SENT, 1)
    assert mail_server.message_ids() == [message_id(message.key)]
    assert worker.pool_processes() != [pool_process]


def test_worker_killed_after_the_mail_server_took_the_message_resends_it_with_the_same_message_id(
    fault_broker: Broker, mail_server: MailServer, start_worker: StartWorker, send_held: SendHeld
) -> None:
    # The server has stored the message; the worker awaits its 250.
    first, message = send_held(Hold.AFTER_ACCEPTING, "first")
    assert len(mail_server.copies(message_id(message.key))) == 1
    first.kill()

    wait_for_its_connection_to_go("first")
    assert status_of(message) == (OutboundMessage.Status.PENDING, 0)  # the send was never recorded

    sweep_with_a_new_worker(fault_broker, start_worker, message)
    copies = mail_server.copies(message_id(message.key))
    assert len(copies) == 2
    first_copy, second_copy = copies
    assert what_the_reader_sees(first_copy) == what_the_reader_sees(second_copy)
