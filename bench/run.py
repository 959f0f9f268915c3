"""``make bench``: prepare a fresh database, serve it with gunicorn, measure each page against the baseline.

Only the figures go to stdout, one JSON object per line::

    {"bench": "dashboard", "metric": "rps", "value": 210.4, "unit": "req/s"}

Everything else (progress, the output of migrate and seed_demo, gunicorn's
log) goes to stderr. The database ``awl_bench`` is dropped and created at
the start and dropped at the end; DATABASE_URL, if set, names the PostgreSQL
server and credentials to use, but never the database, so that a developer's
own database is never the one dropped.

After the pages, ``booking_rush`` (``bench.rush``) has 500 guests book an
event of 100 places through the public booking form from 16 clients, and
``attendance_report`` reads a report over 100,000 bookings (the data from
``bench.dayschool_data``). ``booking_privacy`` (``bench.privacy``) times
the public booking form, on an event of its own, for members' addresses,
previous guests' and new ones, posted interleaved from one client (issue
15: the form must be no oracle, in its timings too). Then ``notice_fanout``
(``bench.fanout``) sends one meeting's notice to 5,000 committee members through a real Celery
worker on Redis and a real SMTP server. ``registration_rush``
(``bench.registration``) has 1,000 members register for conference from 16
clients, duplicates counted in the database. ``order_paper`` (``bench.order_paper``)
reads the order paper page over 150 motions and 400 amendments as the CAC,
and times its PDF. ``stv_count`` and ``stv_scotland`` (``bench.stv``) time the
Scottish STV count: 50,000 generated ballots, and all 1,100 real council
elections; they need no database or server, and on their own start neither.
``--only NAME`` (repeatable)
runs only the named benches; a page and the rushes bring the baseline with
them.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench.load import REQUEST_TIMEOUT, Result

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "awl_bench"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
CLIENTS = 16
WARMUP_SECONDS = 1.0
DEFAULT_SECONDS = 8.0
BRANCH_SIZE = 500
# The demo logins seed_demo creates (published; printed on every seed_demo run).
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105
HEALTHY_WITHIN_SECONDS = 60.0
SETUP_TIMEOUT_SECONDS = 600.0
FANOUT = "notice_fanout"
FANOUT_RECIPIENTS = 5000
FANOUT_TIMEOUT_SECONDS = 300.0
FANOUT_METRICS = {"messages_per_second": "msg/s", "duplicates": "count", "lost": "count"}
RUSH = "booking_rush"
RUSH_ATTEMPTS = 500
RUSH_TIMEOUT_SECONDS = 300.0
RUSH_FORM = "/dayschools/events/{event}/book/"  # the public booking form (public_views)
REPORT = "attendance_report"
REPORT_CLIENTS = 1  # one organiser reading: the time a report takes, not a queue behind 15 others
DAYSCHOOL_ORGANISER = "dayschools@awl.example"
REPORT_PATH = "/dayschools/reports/series/{series}/cities/"  # the report by city (report_views)
# Everyone in the rush comes from 127.0.0.1: the public form's per-address limit must let 500 through.
RUSH_RATE_LIMIT = "100000/h"
REGISTRATION = "registration_rush"  # 1,000 members register for conference (bench.registration)
REGISTRATION_MEMBERS = 1000
REGISTRATION_TIMEOUT_SECONDS = 600.0
ORDER_PAPER = (
    "order_paper"  # the order paper page and its PDF over 150 motions and 400 amendments (bench.order_paper)
)
CAC_LOGIN = "cac@awl.example"
PRIVACY = (
    "booking_privacy"  # the public form's timings: member's, previous guest's, new address (bench.privacy)
)
PRIVACY_COUNT = 100  # timed posts of each kind, after PRIVACY_WARMUP of each
PRIVACY_WARMUP = 5
PRIVACY_KINDS = ("member", "guest", "new")
PRIVACY_TIMEOUT_SECONDS = 300.0
STV_BENCHES = {"stv_count": {"seconds": "s"}, "stv_scotland": {"seconds": "s", "files": "count"}}  # bench.stv
STV_TIMEOUT_SECONDS = 900.0


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    login: str | None = None


BASELINE = Page("baseline", "/bench/baseline")
PAGES = [
    Page("dashboard", "/", login="member@awl.example"),
    Page("branch_members", "/branches/london/members/", login="london.organiser@awl.example"),
    Page("login", "/accounts/login/"),
]


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def emit(bench: str, metric: str, value: float | int | None, unit: str) -> None:
    print(json.dumps({"bench": bench, "metric": metric, "value": value, "unit": unit}), flush=True)


def bench_seconds() -> float:
    raw = os.environ.get("BENCH_SECONDS", "")
    if not raw:
        return DEFAULT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        raise SystemExit(f"BENCH_SECONDS must be a number of seconds, not {raw!r}") from None
    if not 0 < seconds <= 600:
        raise SystemExit(f"BENCH_SECONDS must be more than 0 and at most 600, not {raw!r}")
    return seconds


# Database ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Server:
    """The PostgreSQL server the bench database lives on."""

    host: str
    port: int
    user: str
    password: str

    @classmethod
    def from_environment(cls) -> Server:
        url = urllib.parse.urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_SERVER)
        if url.scheme not in {"postgres", "postgresql", "pgsql"}:
            raise SystemExit("make bench needs PostgreSQL: DATABASE_URL must be a postgres:// URL")
        return cls(
            host=url.hostname or "127.0.0.1",
            port=url.port or 5432,
            user=urllib.parse.unquote(url.username or "postgres"),
            password=urllib.parse.unquote(url.password or ""),
        )

    def url(self, database: str) -> str:
        credentials = urllib.parse.quote(self.user, safe="")
        if self.password:
            credentials += ":" + urllib.parse.quote(self.password, safe="")
        return f"postgres://{credentials}@{self.host}:{self.port}/{database}"

    def execute(self, statement: sql.Composed) -> None:
        with psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(statement)


@contextmanager
def fresh_database(server: Server) -> Iterator[str]:
    """Create the bench database empty; drop it afterwards, whatever happened."""
    name = sql.Identifier(DATABASE)
    server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
    server.execute(sql.SQL("CREATE DATABASE {}").format(name))
    log(f"created database {DATABASE} on {server.host}:{server.port}")
    try:
        yield server.url(DATABASE)
    finally:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        log(f"dropped database {DATABASE}")


def bench_environment(database_url: str, var_dir: str) -> dict[str, str]:
    """Production settings, minus TLS and two-factor, plus the baseline view."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-for-a-throwaway-database-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AWL_BENCH": "true",
        "AWL_DEMO": "true",  # seed_demo loads the pages' data
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "AWL_OFFICER_MFA_REQUIRED": "false",
        "CELERY_BROKER_URL": "memory://",
        "EMAIL_URL": "console://",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "awl.settings",
        "AWL_VAR_DIR": var_dir,
        "PYTHONUNBUFFERED": "1",
        "DAYSCHOOL_BOOKING_RATE": RUSH_RATE_LIMIT,
    }


DaySchoolData = dict[str, Any]


def prepare(env: dict[str, str], *, pages: bool, dayschools: bool) -> DaySchoolData | None:
    """Migrate; for the pages, also static files, the demo data and a London branch of 500.

    With ``dayschools``, also the day-school data (``bench.dayschool_data``),
    whose description (the rush event, the series) is returned.
    """
    steps = [["manage.py", "migrate", "--noinput"]]
    if pages:
        steps += [
            ["manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            ["manage.py", "seed_demo"],
            ["-m", "bench.topup", str(BRANCH_SIZE)],
        ]
    for step in steps:
        log(" ".join(step))
        subprocess.run(  # noqa: S603  (our own interpreter and arguments)
            [sys.executable, *step],
            cwd=ROOT,
            env=env,
            stdout=sys.stderr,
            check=True,
            timeout=SETUP_TIMEOUT_SECONDS,
        )
    if not dayschools:
        return None
    log("-m bench.dayschool_data")
    done = subprocess.run(
        [sys.executable, "-m", "bench.dayschool_data"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=SETUP_TIMEOUT_SECONDS,
    )
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        log(f"the day-school data could not be made (status {done.returncode}); those benches print null")
        return None
    data: DaySchoolData = json.loads(done.stdout.strip().splitlines()[-1])
    return data


# Server --------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


@contextmanager
def gunicorn(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn with sync workers, its log on stderr; stopped (terminated, then killed) on exit."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "awl.wsgi",
        "--workers",
        str(workers()),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    log(f"gunicorn with {workers()} sync workers on 127.0.0.1:{port}")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sys.stderr)  # noqa: S603
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log("gunicorn stopped")


def wait_until_healthy(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + HEALTHY_WITHIN_SECONDS
    url = f"http://127.0.0.1:{port}/healthz"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"/healthz did not answer 200 within {HEALTHY_WITHIN_SECONDS:.0f} s")


def log_in(port: int, email: str) -> str:
    """The Cookie header of a real login through the login form; empty if the login failed."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = f"http://127.0.0.1:{port}/accounts/login/"
    try:
        with opener.open(login_url, timeout=REQUEST_TIMEOUT) as response:
            form = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        if token is None:
            log("the login page has no CSRF token")
            return ""
        data = urllib.parse.urlencode(
            {"login": email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        with opener.open(login_url, data=data, timeout=REQUEST_TIMEOUT) as response:
            response.read()
    except (urllib.error.URLError, OSError) as exc:
        log(f"logging in as {email} failed: {exc}")
        return ""
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if session is None:
        log(f"logging in as {email} gave no session; its bench will count errors")
        return ""
    return f"sessionid={session}"


# Measuring -----------------------------------------------------------------------------------
def load(port: int, page: Page, cookie: str, seconds: float, clients: int = CLIENTS) -> Result | None:
    """Drive one page from the load process; None if that process failed."""
    command = [
        sys.executable,
        "-m",
        "bench.load",
        "--port",
        str(port),
        "--path",
        page.path,
        "--clients",
        str(clients),
        "--warmup",
        str(WARMUP_SECONDS),
        "--seconds",
        str(seconds),
    ]
    who = "1 client" if clients == 1 else f"{clients} clients"
    log(f"{page.name}: {who} on {page.path} for {WARMUP_SECONDS:g} + {seconds:g} s")
    try:
        done = subprocess.run(  # noqa: S603  (our own interpreter and arguments)
            command,
            cwd=ROOT,
            env={**os.environ, "BENCH_COOKIE": cookie},
            capture_output=True,
            text=True,
            check=True,
            timeout=WARMUP_SECONDS + seconds + REQUEST_TIMEOUT + 30,
        )
        result: Result = json.loads(done.stdout)
    except (subprocess.SubprocessError, json.JSONDecodeError) as exc:
        log(f"{page.name}: the load process failed: {exc}")
        return None
    return result


def report(name: str, result: Result | None, baseline_rps: float | None) -> None:
    rps = result["rps"] if result else None
    emit(name, "rps", None if rps is None else round(rps, 1), "req/s")
    for metric in ("p50_ms", "p95_ms"):
        value = result[metric] if result else None
        emit(name, metric, None if value is None else round(value, 2), "ms")
    if name != BASELINE.name:
        ratio = rps / baseline_rps if rps is not None and baseline_rps else None
        emit(name, "ratio_to_baseline", None if ratio is None else round(ratio, 3), "ratio")
    if result and result["errors"]:
        emit(name, "errors", result["errors"], "count")


def measure(port: int, seconds: float, pages: list[Page]) -> float | None:
    """The baseline and the pages; returns the baseline's rps for the benches after them."""
    baseline = load(port, BASELINE, "", seconds)
    baseline_rps = baseline["rps"] if baseline else None
    report(BASELINE.name, baseline, baseline_rps)
    for page in pages:
        cookie = log_in(port, page.login) if page.login else ""
        report(page.name, load(port, page, cookie, seconds), baseline_rps)
    return baseline_rps


def booking_rush(
    port: int, env: dict[str, str], data: DaySchoolData | None, baseline_rps: float | None
) -> None:
    """Run ``bench.rush`` against the rush event and print its figures (null if it could not run).

    The rush process counts what was written in the bench database (``env``'s DATABASE_URL).
    """
    result: dict[str, Any] = {}
    if data is not None:
        form = RUSH_FORM.format(event=data["rush_event"])
        command = [
            sys.executable, "-m", "bench.rush", "--port", str(port), "--form", form,
            "--event", str(data["rush_event"]), "--capacity", str(data["rush_capacity"]),
            "--attempts", str(RUSH_ATTEMPTS), "--clients", str(CLIENTS),
        ]  # fmt: skip
        places = data["rush_capacity"]
        log(f"{RUSH}: {RUSH_ATTEMPTS} guests book {places} places at {form} from {CLIENTS} clients")
        try:
            done = subprocess.run(  # noqa: S603  (our own interpreter and arguments)
                command,
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
                check=True,
                timeout=RUSH_TIMEOUT_SECONDS,
            )
            result = json.loads(done.stdout)
        except (subprocess.SubprocessError, json.JSONDecodeError) as exc:
            log(f"{RUSH}: the rush process failed: {exc}")
    rate = result.get("bookings_per_second")
    p95 = result.get("p95_ms")
    emit(RUSH, "bookings_per_second", None if rate is None else round(rate, 1), "bookings/s")
    emit(RUSH, "p95_ms", None if p95 is None else round(p95, 2), "ms")
    ratio = rate / baseline_rps if rate is not None and baseline_rps else None
    emit(RUSH, "ratio_to_baseline", None if ratio is None else round(ratio, 3), "ratio")
    emit(RUSH, "oversold", result.get("oversold"), "count")
    for check in ("errors", "position_clashes", "out_of_order"):
        if result.get(check):
            emit(RUSH, check, result[check], "count")


def registration_rush(port: int, env: dict[str, str], baseline_rps: float | None) -> None:
    """Run ``bench.registration`` (its own data, then the rush) and print its figures (null if it failed)."""
    command = [
        sys.executable, "-m", "bench.registration", "--port", str(port),
        "--members", str(REGISTRATION_MEMBERS), "--clients", str(CLIENTS),
    ]  # fmt: skip
    log(f"{REGISTRATION}: {REGISTRATION_MEMBERS} members register for conference from {CLIENTS} clients")
    result: dict[str, Any] = {}
    try:
        done = subprocess.run(  # noqa: S603  (our own interpreter and arguments)
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True,
            timeout=REGISTRATION_TIMEOUT_SECONDS,
        )  # fmt: skip
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, json.JSONDecodeError, IndexError) as exc:
        log(f"{REGISTRATION}: the rush process failed: {exc!r}")
    rate, p95 = result.get("registrations_per_second"), result.get("p95_ms")
    emit(
        REGISTRATION, "registrations_per_second", None if rate is None else round(rate, 1), "registrations/s"
    )
    emit(REGISTRATION, "p95_ms", None if p95 is None else round(p95, 2), "ms")
    ratio = rate / baseline_rps if rate is not None and baseline_rps else None
    emit(REGISTRATION, "ratio_to_baseline", None if ratio is None else round(ratio, 3), "ratio")
    emit(REGISTRATION, "duplicates", result.get("duplicates"), "count")
    if result.get("errors"):
        emit(REGISTRATION, "errors", result["errors"], "count")


def order_paper(port: int, env: dict[str, str], seconds: float) -> None:
    """The order paper page (one client, as the CAC) and its PDF, over 150 motions and 400 amendments."""
    from bench.order_paper import pdf_seconds

    result, pdf = None, {}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.order_paper"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            text=True, check=True, timeout=SETUP_TIMEOUT_SECONDS,
        )  # fmt: skip
        slug = json.loads(done.stdout.strip().splitlines()[-1])["slug"]
    except (subprocess.SubprocessError, json.JSONDecodeError, IndexError, KeyError) as exc:
        log(f"{ORDER_PAPER}: the data could not be made: {exc!r}")
    else:
        cookie = log_in(port, CAC_LOGIN)
        page = Page(ORDER_PAPER, f"/conference/{slug}/order-paper/", login=CAC_LOGIN)
        result = load(port, page, cookie, seconds, clients=REPORT_CLIENTS)
        log(f"{ORDER_PAPER}: the PDF, downloaded one after another")
        pdf = pdf_seconds(port, f"/conference/{slug}/order-paper.pdf", cookie)
    for metric in ("p50_ms", "p95_ms"):
        value = result[metric] if result else None
        emit(ORDER_PAPER, metric, None if value is None else round(value, 2), "ms")
    value = pdf.get("pdf_seconds")
    emit(ORDER_PAPER, "pdf_seconds", None if value is None else round(value, 3), "s")
    errors = (result["errors"] if result else 0) or 0
    if errors or pdf.get("errors"):
        emit(ORDER_PAPER, "errors", int(errors) + int(pdf.get("errors") or 0), "count")


def attendance_report(port: int, data: DaySchoolData | None, seconds: float) -> None:
    """The report page over the series' 100,000 bookings, read by a day-school organiser."""
    result = None
    if data is not None:
        page = Page(REPORT, REPORT_PATH.format(series=data["series"]), login=DAYSCHOOL_ORGANISER)
        result = load(port, page, log_in(port, DAYSCHOOL_ORGANISER), seconds, clients=REPORT_CLIENTS)
    for metric in ("p50_ms", "p95_ms"):
        value = result[metric] if result else None
        emit(REPORT, metric, None if value is None else round(value, 2), "ms")
    if result and result["errors"]:
        emit(REPORT, "errors", result["errors"], "count")


def booking_privacy(port: int, env: dict[str, str]) -> None:
    """Run ``bench.privacy`` (its own event, then one client) and print its figures (null if it failed)."""
    command = [
        sys.executable, "-m", "bench.privacy", "--port", str(port),
        "--count", str(PRIVACY_COUNT), "--warmup", str(PRIVACY_WARMUP),
    ]  # fmt: skip
    log(f"{PRIVACY}: {PRIVACY_COUNT} posts each of members', previous guests' and new addresses, one client")
    result: dict[str, Any] = {}
    try:
        done = subprocess.run(  # noqa: S603  (our own interpreter and arguments)
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True,
            timeout=PRIVACY_TIMEOUT_SECONDS,
        )  # fmt: skip
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, json.JSONDecodeError, IndexError) as exc:
        log(f"{PRIVACY}: the bench process failed: {exc!r}")
    for metric in ("p50_ms", "p95_ms"):
        for kind in PRIVACY_KINDS:
            value = result.get(f"{kind}_{metric}")
            emit(PRIVACY, f"{kind}_{metric}", None if value is None else round(value, 2), "ms")
    gap = result.get("max_p50_gap_ms")
    emit(PRIVACY, "max_p50_gap_ms", None if gap is None else round(gap, 2), "ms")
    emit(PRIVACY, "statuses_differ", result.get("statuses_differ"), "count")
    if result.get("errors"):
        emit(PRIVACY, "errors", result["errors"], "count")


def fanout(env: dict[str, str]) -> None:
    """Run ``bench.fanout`` in its own process and print its figures (null if it failed).

    On a timeout it gets SIGTERM first, so that it stops the worker it started.
    """
    command = [
        sys.executable, "-m", "bench.fanout",
        "--recipients", str(FANOUT_RECIPIENTS), "--timeout", str(FANOUT_TIMEOUT_SECONDS),
    ]  # fmt: skip
    log(f"{FANOUT}: {FANOUT_RECIPIENTS} recipients through a Celery worker and an SMTP server")
    result: dict[str, float | int | None] = {}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        output, _ = process.communicate(timeout=FANOUT_TIMEOUT_SECONDS + SETUP_TIMEOUT_SECONDS)
        result = json.loads(output.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        log(f"{FANOUT}: the bench process did not finish in time")
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    except (json.JSONDecodeError, IndexError) as exc:
        log(f"{FANOUT}: the bench process gave no result: {exc!r}")
    for metric, unit in FANOUT_METRICS.items():
        emit(FANOUT, metric, result.get(metric), unit)


def stv(names: list[str]) -> None:
    """Run ``bench.stv`` for these benches in its own process and pass its figures on (null if it failed)."""
    command = [sys.executable, "-m", "bench.stv", *(arg for name in names for arg in ("--only", name))]
    log(f"{', '.join(names)}: the Scottish STV count (no database, no server)")
    printed: set[tuple[str, str]] = set()
    try:
        done = subprocess.run(  # noqa: S603  (our own interpreter and arguments)
            command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True, timeout=STV_TIMEOUT_SECONDS
        )
        for line in done.stdout.splitlines():
            figure = json.loads(line)
            emit(figure["bench"], figure["metric"], figure["value"], figure["unit"])
            printed.add((figure["bench"], figure["metric"]))
    except (subprocess.SubprocessError, json.JSONDecodeError, KeyError) as exc:
        log(f"the STV bench process failed: {exc!r}")
    for name in names:
        for metric, unit in STV_BENCHES[name].items():
            if (name, metric) not in printed:
                emit(name, metric, None, unit)


BENCHES = [
    BASELINE.name, *(page.name for page in PAGES), RUSH, REPORT, PRIVACY, REGISTRATION, ORDER_PAPER, FANOUT,
    *STV_BENCHES,
]  # fmt: skip


def chosen(argv: list[str] | None) -> set[str]:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run the benchmarks.")
    parser.add_argument(
        "--only",
        action="append",
        choices=BENCHES,
        metavar="NAME",
        help=(
            f"run only this bench (repeatable): {', '.join(BENCHES)}; "
            "a page and the rushes bring the baseline with them"
        ),
    )
    args = parser.parse_args(argv)
    return set(args.only or BENCHES)


def main(argv: list[str] | None = None) -> int:
    selected = chosen(argv)
    pages = [page for page in PAGES if page.name in selected]
    dayschools = bool(selected & {RUSH, REPORT})
    baseline = bool(pages) or bool(selected & {BASELINE.name, RUSH, REGISTRATION})
    serve = baseline or dayschools or bool(selected & {PRIVACY, ORDER_PAPER})
    seconds = bench_seconds()
    counts = [name for name in STV_BENCHES if name in selected]
    if not (serve or FANOUT in selected):  # only the STV counts: no database, no server
        stv(counts)
        return 0
    server = Server.from_environment()
    with (
        tempfile.TemporaryDirectory(prefix="awl-bench-") as var_dir,
        fresh_database(server) as database_url,
    ):
        env = bench_environment(database_url, var_dir)
        data = prepare(env, pages=serve, dayschools=dayschools)
        if serve:
            port = free_port()
            with gunicorn(env, port) as process:
                wait_until_healthy(process, port)
                baseline_rps = measure(port, seconds, pages) if baseline else None
                if RUSH in selected:
                    booking_rush(port, env, data, baseline_rps)
                if REPORT in selected:
                    attendance_report(port, data, seconds)
                if PRIVACY in selected:
                    booking_privacy(port, env)
                if REGISTRATION in selected:
                    registration_rush(port, env, baseline_rps)
                if ORDER_PAPER in selected:
                    order_paper(port, env, seconds)
        if FANOUT in selected:
            fanout(env)
    if counts:
        stv(counts)
    return 0
