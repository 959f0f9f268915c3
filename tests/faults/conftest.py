"""Real processes to break: a Celery worker, a Redis broker, a gunicorn web server, an SMTP server.

Every process here is started by a fixture in its own process group and
killed, with its children, when the test ends, whatever happened. The
workers and the web server use the test's own PostgreSQL database (the
tests commit their data: ``django_db(transaction=True)``), so what one
process writes the others see. Each process that talks to PostgreSQL sets
an ``application_name`` starting ``awl-fault-``, so a test can find (and
terminate) its connections in ``pg_stat_activity``.

The SMTP server runs in the test process (aiosmtpd) and counts what it
accepted by Message-ID, which the outbox derives from the message key:
"sent exactly once" is a count the test reads off a real server.

Redis and PostgreSQL must answer on 127.0.0.1; without them the tests skip
and say why, except under CI=true, where they fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import http.client
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import quote

import kombu
import pytest
import redis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import connection

from awl.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def _faults_redis_db() -> int:
    """Database 15 of the shared Redis, or one below it for each further xdist process (gw1: 14, ...).

    Each test empties its database before and after it runs, so two processes running fault tests at
    once must not share one: in CI's run of 2026-12-07 one test's flush took the other's unacknowledged
    task away (two failures in test_worker_killed.py).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker.removeprefix("gw")) if worker.removeprefix("gw").isdigit() else 0
    return 15 - index % 8  # databases 8-15; the site and the other tests use the low ones


FAULTS_REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{_faults_redis_db()}"
APPLICATION_PREFIX = "awl-fault-"
WAIT = 30.0  # the longest any single wait in these tests may take before the test fails


# --- Helpers -----------------------------------------------------------------------


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing(reason: str) -> None:
    """Skip for want of a service, or fail under CI, which must have every service."""
    if in_ci():
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(condition: Callable[[], Any], what: str | Callable[[], str], timeout: float = WAIT) -> Any:
    """Poll ``condition`` until it returns something truthy; fail naming ``what`` if it never does."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout:.0f} s waiting for {what() if callable(what) else what}")
        time.sleep(0.05)


def database_url_for(application_name: str) -> str:
    """A DATABASE_URL for the test database (test_<name>) that names its connections."""
    settings = connection.settings_dict
    user = quote(settings.get("USER") or "", safe="")
    password = quote(settings.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    # A socket directory (the embedded server's) goes in the URL's host part percent-encoded.
    host = quote(settings.get("HOST") or "127.0.0.1", safe="")
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return (
        f"postgres://{credentials}{host}{port}/{quote(settings['NAME'])}"
        f"?application_name={APPLICATION_PREFIX}{application_name}"
    )


def backend_pids(application_name: str) -> list[int]:
    """The PostgreSQL backends a process opened under ``application_name``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s ORDER BY pid",
            [connection.settings_dict["NAME"], APPLICATION_PREFIX + application_name],
        )
        return [pid for (pid,) in cursor.fetchall()]


def fault_backend_pids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name LIKE %s",
            [connection.settings_dict["NAME"], APPLICATION_PREFIX + "%"],
        )
        return [pid for (pid,) in cursor.fetchall()]


# --- Services every test here needs ----------------------------------------------------


@pytest.fixture
def postgres(transactional_db: None) -> None:
    """The test database is PostgreSQL: other processes share it, and the tests terminate its backends."""
    if connection.vendor != "postgresql":
        missing(f"the fault tests need PostgreSQL, and the tests run on {connection.vendor}")


# --- Processes ------------------------------------------------------------------------


@dataclass
class Process:
    """A subprocess in its own process group, its output in a log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the process and every process it started; wait until it is gone."""
        # The whole group, even if its leader has exited: a pool process or
        # gunicorn worker may outlive it.
        with contextlib.suppress(ProcessLookupError):  # the group is already gone
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.popen.pid}/task/{self.popen.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []


class Processes:
    """Starts processes for one test and kills every one of them at its end."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[Process] = []

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> Process:
        log = self.directory / f"{name}-{len(self.started)}.log"
        with log.open("wb") as output:
            popen = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, popen, log)
        self.started.append(process)
        return process

    def kill_all(self) -> None:
        for process in self.started:
            process.kill()


@pytest.fixture
def processes(postgres: None, tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.kill_all()
        # The database flush at the end of the test (and the final DROP DATABASE)
        # must not meet a connection a killed process left behind.
        wait_until(lambda: not fault_backend_pids(), "the killed processes' database connections to close")


def django_env(tmp_path: Path, application_name: str, **extra: str) -> dict[str, str]:
    """The environment of a Django process that shares the test's database."""
    return {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DEBUG": "false",
        "DATABASE_URL": database_url_for(application_name),
        "AWL_VAR_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


# --- SMTP --------------------------------------------------------------------------------


class Hold(Enum):
    """Where the SMTP server stops the next message until the test releases it."""

    BEFORE_ACCEPTING = "before accepting"  # at RCPT TO: the message has not been handed over
    AFTER_ACCEPTING = "after accepting"  # the message is stored; the server has not said 250 yet


class MailServer:
    """An SMTP server (aiosmtpd) that records every message it accepts.

    ``hold(...)`` makes the next SMTP conversation stop at one point, so
    that a test can kill the sender mid-send; the hold applies once.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self._lock = threading.Lock()
        self._accepted: list[Message] = []
        self._hold: Hold | None = None
        self.holding = threading.Event()
        self._released = threading.Event()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._released.set()
        self._controller.stop()

    def hold(self, where: Hold) -> None:
        self._hold = where
        self.holding.clear()
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def wait_until_holding(self) -> None:
        if not self.holding.wait(WAIT):
            pytest.fail(f"no message reached the SMTP server's hold within {WAIT:.0f} s")

    def copies(self, message_id: str) -> list[Message]:
        with self._lock:
            return [m for m in self._accepted if m["Message-ID"] == message_id]

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(m["Message-ID"]) for m in self._accepted]

    async def _wait_if_held(self, where: Hold) -> None:
        if self._hold is not where:
            return
        self._hold = None
        self.holding.set()
        # Polled rather than awaited on a thread: if the client goes away,
        # aiosmtpd cancels this coroutine, and the conversation ends here.
        deadline = time.monotonic() + WAIT
        while not self._released.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    # aiosmtpd handler hooks

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        await self._wait_if_held(Hold.BEFORE_ACCEPTING)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        with self._lock:
            self._accepted.append(email.message_from_bytes(content))
        await self._wait_if_held(Hold.AFTER_ACCEPTING)
        return "250 Message accepted for delivery"


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    chatter = logging.getLogger("mail.log")  # aiosmtpd logs every SMTP command at INFO
    level = chatter.level
    chatter.setLevel(logging.WARNING)
    server = MailServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        chatter.setLevel(level)


def message_id(key: str) -> str:
    """The Message-ID awl.outbox gives the message with this outbox key."""
    return f"<{key.replace(' ', '-')}@awl>"


# --- Redis brokers ---------------------------------------------------------------------------


@dataclass
class Broker:
    url: str
    client: redis.Redis = field(init=False)

    def __post_init__(self) -> None:
        self.client = redis.Redis.from_url(self.url)

    def queued(self) -> int:
        """Messages waiting in the default queue."""
        return int(self.client.llen("celery"))

    def unacked(self) -> int:
        """Messages a worker has taken but not acknowledged (acks_late: not finished)."""
        return int(self.client.hlen("unacked"))

    def wait_until_idle(self, *, unacked: int = 0) -> None:
        """Every message taken and finished, save ``unacked`` ones held for a worker that died."""
        wait_until(
            lambda: self.queued() == 0 and self.unacked() == unacked,
            f"the broker to have an empty queue and {unacked} unacknowledged message(s)",
        )

    def unacked_task_ids(self) -> list[str]:
        """The ids of the tasks in unacknowledged messages (kombu keeps [message, exchange, key])."""
        return [json.loads(raw)[0]["headers"]["id"] for raw in self.client.hvals("unacked")]

    def redeliver_unacked(self) -> None:
        """Put unacknowledged messages back on their queue, as Redis does once the visibility timeout passes.

        This is kombu's own restore, run with a visibility timeout of zero
        instead of waiting the hour the settings give it.
        """
        with kombu.Connection(self.url, transport_options={"visibility_timeout": 0}) as conn:
            conn.default_channel.qos.restore_visible(num=100)


@pytest.fixture
def fault_broker() -> Iterator[Broker]:
    """This process's database of the machine's Redis (FAULTS_REDIS_URL), emptied before and after."""
    if not answers(REDIS_HOST, REDIS_PORT):
        missing(f"no Redis answers on {REDIS_HOST}:{REDIS_PORT}")
    broker = Broker(FAULTS_REDIS_URL)
    broker.client.flushdb()
    try:
        yield broker
    finally:
        broker.client.flushdb()
        broker.client.close()


class RedisServer:
    """A Redis of the test's own, without persistence, that it can stop and start again on one port."""

    def __init__(self, processes: Processes, directory: Path) -> None:
        self.processes = processes
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Process | None = None

    def start(self) -> None:
        executable = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = self.processes.start(
            "redis",
            [
                executable,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.directory),
            ],
        )  # fmt: skip
        wait_until(lambda: answers("127.0.0.1", self.port), f"redis-server to listen on {self.port}")

    def stop(self) -> None:
        assert self.process is not None
        self.process.kill()
        wait_until(lambda: not answers("127.0.0.1", self.port), "redis-server to stop listening")


@pytest.fixture
def private_redis(processes: Processes, tmp_path: Path) -> RedisServer:
    if not (shutil.which("redis-server") or Path("/usr/bin/redis-server").exists()):
        missing("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(processes, tmp_path)
    server.start()
    return server


# --- The test process as a Celery client ---------------------------------------------------


def _forget_broker_connections() -> None:
    """Make the Celery app look its broker pools up again, so the next publish goes to the new URL.

    The pools themselves are kombu's, shared per URL, and stay open for the next user of that URL.
    """
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def publish_to() -> Iterator[Callable[[str], None]]:
    """Make ``task.delay()`` in this process publish to a real broker instead of running eagerly."""
    conf = celery_app.conf
    names = ("broker_url", "broker_read_url", "broker_write_url", "task_always_eager")
    saved = {name: conf[name] for name in names}

    def use(url: str) -> None:
        conf.update(broker_url=url, broker_read_url=url, broker_write_url=url, task_always_eager=False)
        _forget_broker_connections()

    try:
        yield use
    finally:
        conf.update(saved)
        _forget_broker_connections()


# --- Celery workers -----------------------------------------------------------------------


@dataclass
class Worker:
    process: Process

    def wait_until_ready(self) -> None:
        wait_until(
            lambda: " ready." in self.process.output() or not self.process.alive(),
            lambda: f"the Celery worker to be ready; its log:\n{self.process.output()}",
        )
        assert self.process.alive(), f"the Celery worker exited; its log:\n{self.process.output()}"

    def task_result(self, task_id: str) -> str:
        """Wait until this worker logs the task as done; what it returned, as logged."""
        done = re.compile(rf"Task [\w.]+\[{re.escape(task_id)}\] succeeded in \S+: (.*)")
        match = wait_until(
            lambda: done.search(self.process.output()),
            lambda: f"task {task_id} to finish; the worker's log:\n{self.process.output()}",
        )
        return str(match.group(1)).strip()

    def pool_processes(self) -> list[int]:
        return self.process.children()

    def kill(self) -> None:
        self.process.kill()


@pytest.fixture
def start_worker(
    processes: Processes, mail_server: MailServer, tmp_path: Path
) -> Callable[[str, str], Worker]:
    """Start real Celery workers (prefork, one pool process each) that send through ``mail_server``."""

    def start(broker_url: str, name: str) -> Worker:
        env = django_env(
            tmp_path,
            f"worker-{name}",
            CELERY_BROKER_URL=broker_url,
            CELERY_TASK_ALWAYS_EAGER="false",
            EMAIL_URL=mail_server.url,
        )
        command = [
            sys.executable, "-m", "celery", "-A", "awl", "worker",
            "--pool=prefork", "--concurrency=1", "--hostname", f"fault-{name}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        ]  # fmt: skip
        worker = Worker(processes.start(f"worker-{name}", command, env))
        worker.wait_until_ready()
        return worker

    return start


# --- The web server -------------------------------------------------------------------------


@dataclass
class WebServer:
    process: Process
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        """One HTTP request with the cookies set so far; redirects are returned, not followed."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            all_headers = dict(headers or {})
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            conn.close()


@pytest.fixture
def web_server(processes: Processes, tmp_path: Path) -> WebServer:
    """gunicorn serving the site on the test database: one sync worker, so one persistent connection."""
    port = free_port()
    env = django_env(
        tmp_path,
        "web",
        ALLOWED_HOSTS="127.0.0.1",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
    )
    command = [
        str(Path(sys.executable).with_name("gunicorn")), "awl.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "sync",
        "--timeout", "30", "--graceful-timeout", "1",
    ]  # fmt: skip
    server = WebServer(processes.start("web", command, env), port)
    wait_until(
        lambda: answers("127.0.0.1", port) or not server.process.alive(),
        lambda: f"gunicorn to listen; its log:\n{server.process.output()}",
    )
    assert server.process.alive(), f"gunicorn exited; its log:\n{server.process.output()}"
    return server
