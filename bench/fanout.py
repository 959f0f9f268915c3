"""The notice fan-out bench: ``python -m bench.fanout --recipients 5000``.

One committee meeting whose notice is due, a committee of ``--recipients``
current members, and the real path a notice takes: ``notices.sweep`` writes
one outbox row per member and, after commit, hands each to Celery on Redis;
a real worker (``celery -A awl worker``, prefork) sends them over SMTP to a
server in this process (aiosmtpd) that notes who got which Message-ID and
when. The clock runs from the start of the sweep until every member has a
copy (or ``--timeout`` passes); once the broker is idle, the copies are
counted again so that a late duplicate still shows.

Run by ``bench.run`` on the bench database (DATABASE_URL in the
environment). The broker is database 14 of the Redis on 127.0.0.1:6379
(the fault tests use 15), emptied before and after, so no other worker
takes these tasks. With ``--broker filesystem`` it is instead the embedded
broker ``make run`` uses (kombu's filesystem transport, polled every
``CELERY_FILESYSTEM_POLLING_INTERVAL`` seconds) in a folder of its own, and
``--concurrency 1`` is ``make run``'s worker: ``--recipients 300`` measures
how long a 300-member notice takes on the embedded defaults. The result is one JSON object on stdout:
messages_per_second (members reached per second), duplicates (messages
beyond one per member: a second copy, or a copy to an address outside the
committee), lost (members never reached), all null when the bench could not
run; and for the log, recipients, delivered, seconds and sweep_seconds. Django's
log, which the settings send to stdout, goes to stderr here.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import django
import redis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from bench.run import ROOT, free_port

REDIS_URL = "redis://127.0.0.1:6379/14"
CONCURRENCY = os.cpu_count() or 1  # what Celery itself starts by default
READY_WITHIN_SECONDS = 60.0
IDLE_WITHIN_SECONDS = 30.0
STOP_WITHIN_SECONDS = 20.0
POLL_SECONDS = 0.05


def log(message: str) -> None:
    print(f"bench: notice_fanout: {message}", file=sys.stderr, flush=True)


class Stopped(BaseException):
    """SIGTERM from the orchestrator: unwind, so that every process started here is stopped."""


def on_sigterm(signum: int, frame: object) -> None:
    raise Stopped


# The SMTP server ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Delivery:
    recipient: str
    message_id: str
    at: float


class Mailbox:
    """An SMTP server in a thread of this process that notes each recipient, Message-ID and arrival time."""

    def __init__(self) -> None:
        self.port = free_port()
        self._lock = threading.Lock()
        self._deliveries: list[Delivery] = []
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def deliveries(self, start: int = 0) -> list[Delivery]:
        with self._lock:
            return self._deliveries[start:]

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)  # noqa: S101  (aiosmtpd keeps the raw bytes unless told to decode)
        message_id = str(BytesHeaderParser().parsebytes(content)["Message-ID"])
        arrived = time.perf_counter()
        with self._lock:
            self._deliveries.extend(Delivery(rcpt.lower(), message_id, arrived) for rcpt in envelope.rcpt_tos)
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_server() -> Iterator[Mailbox]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    mailbox = Mailbox()
    mailbox.start()
    log(f"SMTP server (aiosmtpd) on 127.0.0.1:{mailbox.port}")
    try:
        yield mailbox
    finally:
        mailbox.stop()


# The broker and the worker -----------------------------------------------------------------
class RedisBroker:
    """Database 14 of the local Redis, emptied before and after."""

    def __init__(self) -> None:
        self.url = REDIS_URL
        self.client = redis.Redis.from_url(REDIS_URL)

    def __enter__(self) -> RedisBroker:
        self.client.ping()
        self.client.flushdb()
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.flushdb()
        self.client.close()

    def idle(self) -> bool:
        """Every task taken and acknowledged (acks_late: finished) from the default queue."""
        return int(self.client.llen("celery")) == 0 and int(self.client.hlen("unacked")) == 0


class FilesystemBroker:
    """kombu's filesystem transport in a fresh folder: the broker ``make run`` uses."""

    def __init__(self, var_dir: Path) -> None:
        self.url = "filesystem://"
        self.var_dir = var_dir / "fanout-broker"
        self.queue = self.var_dir / "broker" / "queue"

    def __enter__(self) -> FilesystemBroker:
        shutil.rmtree(self.var_dir, ignore_errors=True)
        for folder in ("queue", "processed", "control"):
            (self.var_dir / "broker" / folder).mkdir(parents=True)
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.var_dir, ignore_errors=True)

    def idle(self) -> bool:
        """A message's file is removed when the worker takes it."""
        return not any(self.queue.iterdir())


@contextlib.contextmanager
def worker(
    log_path: Path, concurrency: int, mail_port: int, environment: dict[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker in a session of its own; a warm shutdown at the end, then nothing left."""
    command = [
        sys.executable, "-m", "celery", "-A", "awl", "worker",
        "--pool=prefork", f"--concurrency={concurrency}", "--hostname", "bench-fanout@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
    ]  # fmt: skip
    with log_path.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            command,
            cwd=ROOT,
            env={**os.environ, **environment, "EMAIL_URL": f"smtp://127.0.0.1:{mail_port}"},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    log(f"Celery worker, prefork, concurrency {concurrency} (pid {process.pid}, log {log_path})")
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=STOP_WITHIN_SECONDS)
        # Its pool processes share its process group: none may outlive the bench.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log("Celery worker stopped")


def wait_until_ready(process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while " ready." not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the Celery worker did not become ready; its log ends:\n{tail}")
        time.sleep(POLL_SECONDS)


# The data ----------------------------------------------------------------------------------
def create_committee(recipients: int) -> tuple[Any, set[str]]:
    """A committee of ``recipients`` current members and a meeting whose notice is due now.

    Plain rows in bulk, in the state the services make them
    (``tests.helpers.bulk``). Returns the meeting and the members' addresses.
    """
    from django.db import transaction
    from django.utils import timezone

    from committees.models import Committee, CommitteeKind, Meeting, Term, TermBasis, TermRole
    from members.models import Branch
    from tests.helpers.bulk import add_members

    today = timezone.localdate()
    joined = today - dt.timedelta(days=400)
    with transaction.atomic():
        branch = Branch.objects.create(name="Bench fan-out", slug="bench-fanout", city="London")
        members = add_members(
            branch,
            recipients,
            username="fanout{i:05d}",
            email="fanout{i:05d}@fanout.awl.example",
            full_name="Fan-out Member {i:05d}",
            joined=joined,
            reason="Benchmark data",
        )
        users = [member.user for member in members]
        committee = Committee.objects.create(
            name="Bench fan-out committee", slug="bench-fanout", kind=CommitteeKind.OTHER, notice_days=14
        )
        Term.objects.bulk_create(
            Term(
                committee=committee,
                member=member,
                role=TermRole.MEMBER,
                starts_on=today - dt.timedelta(days=30),
                basis=TermBasis.ELECTED_AT_CONFERENCE,
            )
            for member in members
        )
        # Ten days ahead with fourteen days' notice, called just now: the notice is due at once.
        starts = (timezone.now() + dt.timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
        meeting = Meeting.objects.create(
            committee=committee,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            venue="Conway Hall, London",
        )
    return meeting, {user.email.lower() for user in users}


# Measuring ---------------------------------------------------------------------------------
@dataclass
class Tally:
    """The copies of one meeting's notices the SMTP server has taken, per recipient."""

    prefix: str
    expected: set[str]
    copies: Counter[str]
    unexpected: int = 0
    other: int = 0
    seen: int = 0
    last_first_copy: float = 0.0

    def update(self, mailbox: Mailbox) -> None:
        for delivery in mailbox.deliveries(self.seen):
            self.seen += 1
            if not delivery.message_id.startswith(self.prefix):
                self.other += 1  # another committee's notice due at the same moment
                continue
            if delivery.recipient not in self.expected:
                self.unexpected += 1
                continue
            self.copies[delivery.recipient] += 1
            if self.copies[delivery.recipient] == 1:
                self.last_first_copy = delivery.at

    @property
    def delivered(self) -> int:
        return len(self.copies)

    @property
    def duplicates(self) -> int:
        """Messages beyond one per member: later copies, whatever their Message-ID, and strays."""
        return sum(count - 1 for count in self.copies.values()) + self.unexpected


def measure(
    recipients: int,
    timeout: float,
    concurrency: int,
    var_dir: Path,
    queue: RedisBroker | FilesystemBroker,
) -> dict[str, Any]:
    from django.db.models import Count
    from django.utils import timezone

    from awl.models import OutboundMessage
    from committees import notices

    log(f"creating a committee of {recipients} members")
    meeting, expected = create_committee(recipients)
    tally = Tally(prefix=f"<meeting-{meeting.pk}-", expected=expected, copies=Counter())
    log_path = var_dir / "fanout-worker.log"
    # The worker's settings find the filesystem broker's folders under its var directory.
    environment = {"AWL_VAR_DIR": str(queue.var_dir)} if isinstance(queue, FilesystemBroker) else {}
    with (
        queue,
        smtp_server() as mailbox,
        worker(log_path, concurrency, mailbox.port, environment) as process,
    ):
        wait_until_ready(process, log_path)
        started = time.perf_counter()
        outcome = notices.sweep(timezone.now())
        sweep_seconds = time.perf_counter() - started
        log(f"sweep: {outcome} in {sweep_seconds:.1f} s")
        deadline = started + timeout
        while tally.delivered < recipients and time.perf_counter() < deadline:
            if process.poll() is not None:
                log(f"the Celery worker exited with status {process.returncode}")
                break
            time.sleep(POLL_SECONDS)
            tally.update(mailbox)
        complete = tally.delivered == recipients
        seconds = (tally.last_first_copy if complete else time.perf_counter()) - started
        # A duplicate would come after the last first copy: count again once the broker is idle.
        idle_by = time.monotonic() + IDLE_WITHIN_SECONDS
        while not queue.idle() and time.monotonic() < idle_by and process.poll() is None:
            time.sleep(POLL_SECONDS)
        time.sleep(0.5)  # kombu moves a message from the queue to the unacked hash in two steps
        tally.update(mailbox)
    statuses = dict(
        OutboundMessage.objects.filter(key__startswith=f"meeting-{meeting.pk}-")
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    log(
        f"{tally.delivered} of {recipients} delivered in {seconds:.1f} s; outbox: {statuses}; "
        f"other notices: {tally.other}; to unexpected addresses: {tally.unexpected}"
    )
    return {
        "messages_per_second": round(tally.delivered / seconds, 1) if seconds > 0 else None,
        "duplicates": tally.duplicates,
        "lost": recipients - tally.delivered,
        "recipients": recipients,
        "delivered": tally.delivered,
        "seconds": round(seconds, 2),
        "sweep_seconds": round(sweep_seconds, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for every copy")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="the worker's pool processes")
    parser.add_argument(
        "--broker",
        choices=["redis", "filesystem"],
        default="redis",
        help="Redis database 14 (production's broker), or the filesystem broker of `make run`",
    )
    args = parser.parse_args()
    # The settings log to stdout, and stdout is for the result alone: swap before they are read.
    result_stream, sys.stdout = sys.stdout, sys.stderr
    signal.signal(signal.SIGTERM, on_sigterm)
    var_dir = Path(os.environ.get("AWL_VAR_DIR") or ROOT / "var")
    queue = RedisBroker() if args.broker == "redis" else FilesystemBroker(var_dir)
    # This process publishes the sweep's tasks; the worker inherits the same broker.
    os.environ["CELERY_BROKER_URL"] = queue.url
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awl.settings")
    if isinstance(queue, FilesystemBroker):
        if not os.environ.get("DATABASE_URL"):
            raise SystemExit("bench.fanout: set DATABASE_URL (its var directory is moved for the broker)")
        os.environ["AWL_VAR_DIR"] = str(queue.var_dir)
    django.setup()
    result: dict[str, Any]
    try:
        result = measure(args.recipients, args.timeout, args.concurrency, var_dir, queue)
    except Stopped:
        log("stopped before the end")
        return 128 + signal.SIGTERM
    except (redis.RedisError, RuntimeError) as exc:
        log(f"could not run: {exc}")
        result = {"messages_per_second": None, "duplicates": None, "lost": None}
    print(json.dumps(result), file=result_stream, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
