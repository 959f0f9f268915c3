"""The broker stopped and restarted: no request fails for it, and every e-mail goes out once.

A service queues its e-mail inside its transaction and hands it to the
broker after commit. With the broker down that hand-over fails; the
committed work must stand and the service must return normally, leaving
the outbox row pending for the sweep. Redis here runs without persistence,
as the machine's does, so a restart forgets whatever it held: the outbox,
not the broker, has to bring the messages back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import pytest

from awl.models import OutboundMessage
from awl.tasks import send_pending_messages
from members import services
from members.models import Application, Branch, DuesRate, Member, MemberStatus
from tests.factories import make_application
from tests.faults.conftest import (
    Broker,
    MailServer,
    RedisServer,
    Worker,
    message_id,
    wait_until,
)

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]


def approve(application: Application, officer: Any) -> OutboundMessage:
    services.approve_application(actor=officer, application=application)
    return OutboundMessage.objects.get(key=f"application-{application.pk}-approved")


def test_mail_queued_while_the_broker_is_down_is_sent_once_after_it_restarts(
    private_redis: RedisServer,
    mail_server: MailServer,
    start_worker: Callable[[str, str], Worker],
    publish_to: Callable[[str], None],
    london: Branch,
    dues_rates: dict[str, DuesRate],
    national_office: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before, during, also_during = (
        make_application(london, full_name=name) for name in ("Ada Before", "Bo During", "Cy During")
    )
    broker = Broker(private_redis.url)
    worker = start_worker(private_redis.url, "only")
    publish_to(private_redis.url)

    sent_before = approve(before, national_office)
    wait_until(lambda: mail_server.message_ids() == [message_id(sent_before.key)], "the first message")

    private_redis.stop()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="awl.outbox"):
        queued_during = [approve(application, national_office) for application in (during, also_during)]
    took = time.monotonic() - started

    # The approvals stand, their e-mails wait in the outbox, and nobody waited long for the broker.
    assert Member.objects.filter(status=MemberStatus.MEMBER).count() == 3
    assert [m.status for m in queued_during] == [OutboundMessage.Status.PENDING] * 2
    assert took < 10, f"two approvals took {took:.1f} s with the broker down"
    assert [r.message_id for r in caplog.records if hasattr(r, "message_id")] == [m.pk for m in queued_during]

    private_redis.start()
    # What beat does every minute; the worker takes it once it has reconnected.
    sweep = send_pending_messages.delay()

    assert worker.task_result(sweep.id) == "2"
    broker.wait_until_idle()
    assert OutboundMessage.objects.filter(status=OutboundMessage.Status.SENT).count() == 3
    every_key = [m.key for m in (sent_before, *queued_during)]
    assert sorted(mail_server.message_ids()) == sorted(message_id(key) for key in every_key)
