"""The booking rush: ``python -m bench.rush --port P --form /path/ --event N``.

``--attempts`` distinct guests (500) book one event of ``--capacity``
places (100) through the public booking form, from ``--clients`` (16)
concurrent clients, each a thread with its own connections, as a browser
would: it first GETs the form once (its CSRF cookie and token, and the
form's hidden fields, the honeypot left empty as a person leaves it), then
POSTs one guest after another (name, e-mail, phone, how they heard,
consent) until the 500 are used up. The clock starts when every client has
its form and stops at the last answer; each POST's latency includes its
connect time (gunicorn's sync workers close the connection after every
response). A redirect (the booking's own page) is a booking taken, on the
list or on the waiting list; any other answer, a timeout or a broken
connection is an error.

Then the database (DATABASE_URL in the environment) is asked what was
written: confirmed and waiting bookings, ``oversold`` (confirmed places
beyond the capacity: must be 0), position clashes (two bookings with one
place in the queue: must be 0) and waiting bookings queued before a
confirmed one (arrival order broken: must be 0). The result is one JSON
object on stdout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import psycopg

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 10.0
USER_AGENT = "awl-bench"


def log(message: str) -> None:
    print(f"bench: booking_rush: {message}", file=sys.stderr, flush=True)


class FormFields(HTMLParser):
    """The hidden inputs of the page's POST forms (the CSRF token among them), names and values."""

    def __init__(self) -> None:
        super().__init__()
        self.in_post_form = False
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.in_post_form = attributes.get("method", "").lower() == "post"
        elif (
            tag == "input"
            and self.in_post_form
            and attributes.get("type", "").lower() == "hidden"
            and attributes.get("name")
        ):
            self.hidden[attributes["name"]] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_post_form = False


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    cookies: dict[str, str]
    body: str


def request(port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> Answer:
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                if "=" in pair:
                    key, _, cookie = pair.partition("=")
                    cookies[key.strip()] = cookie.strip()
        return Answer(response.status, response.getheader("Location") or "", cookies, text)
    finally:
        connection.close()


def guest(number: int) -> dict[str, str]:
    return {
        "name": f"Rush Guest {number:04d}",
        "email": f"rush{number:04d}@example.org",
        "phone": f"07700 9{number:05d}",
        "how_heard": "social",
        "consent_to_contact": "on",
        "website": "",  # the honeypot: a person leaves it empty
    }


@dataclass
class Tally:
    """What the clients saw; shared between their threads under a lock."""

    attempts: int
    next_guest: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take_guest(self) -> int | None:
        with self.lock:
            if self.next_guest >= self.attempts:
                return None
            self.next_guest += 1
            return self.next_guest

    def record(self, outcome: str, seconds: float | None) -> None:
        with self.lock:
            self.statuses[outcome] = self.statuses.get(outcome, 0) + 1
            if seconds is None:
                self.errors += 1
            else:
                self.latencies.append(seconds)


@dataclass(frozen=True)
class Form:
    cookie: str
    hidden: dict[str, str]


def fetch_form(
    port: int, path: str, headers: dict[str, str], log: Callable[[str], None] = log
) -> tuple[str, dict[str, str]] | None:
    """GET a page's POST form as a browser would: its CSRF cookie's value and its hidden fields."""
    try:
        answer = request(port, "GET", path, {"Accept": "text/html", **headers})
    except (OSError, http.client.HTTPException) as exc:
        log(f"GET {path} failed: {exc!r}")
        return None
    if answer.status != 200:
        log(f"GET {path} answered {answer.status} (Location: {answer.location or '-'})")
        return None
    parser = FormFields()
    parser.feed(answer.body)
    if "csrfmiddlewaretoken" not in parser.hidden or "csrftoken" not in answer.cookies:
        log(f"GET {path} gave no CSRF cookie and token")
        return None
    return answer.cookies["csrftoken"], parser.hidden


def open_form(port: int, path: str) -> Form | None:
    """GET the booking form as a browser would: its CSRF cookie and its hidden fields."""
    fetched = fetch_form(port, path, {})
    return None if fetched is None else Form(cookie=f"csrftoken={fetched[0]}", hidden=fetched[1])


def client(port: int, path: str, form: Form, start: threading.Barrier, tally: Tally) -> None:
    start.wait()
    while (number := tally.take_guest()) is not None:
        body = urllib.parse.urlencode({**form.hidden, **guest(number)}).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": form.cookie,
            "Origin": f"http://{HOST}:{port}",
            "Referer": f"http://{HOST}:{port}{path}",
        }
        started = time.perf_counter()
        try:
            answer = request(port, "POST", path, headers, body)
        except (OSError, http.client.HTTPException) as exc:
            tally.record(type(exc).__name__, None)
            continue
        took = time.perf_counter() - started
        target = urllib.parse.urlsplit(answer.location).path
        booked = answer.status in {302, 303} and target.rstrip("/") != path.rstrip("/")
        tally.record(str(answer.status), took if booked else None)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def check_database(event: int, capacity: int) -> dict[str, int]:
    """What the rush left in the database: the figures that must hold whatever the timings."""
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        row = conn.execute(
            """
            SELECT count(*) FILTER (WHERE status = 'confirmed'),
                   count(*) FILTER (WHERE status = 'waiting'),
                   count(*) - count(DISTINCT position),
                   count(*) FILTER (WHERE status = 'waiting' AND position < (
                       SELECT coalesce(max(position), 0) FROM dayschools_booking
                       WHERE event_id = %(event)s AND status = 'confirmed'))
            FROM dayschools_booking WHERE event_id = %(event)s
            """,
            {"event": event},
        ).fetchone()
        counter = conn.execute("SELECT confirmed FROM dayschools_event WHERE id = %s", (event,)).fetchone()
    assert row is not None and counter is not None  # noqa: S101  (aggregates always give a row)
    confirmed, waiting, clashes, out_of_order = (int(value) for value in row)
    return {
        "confirmed": confirmed,
        "waiting": waiting,
        "oversold": max(0, confirmed - capacity),
        "position_clashes": clashes,
        "out_of_order": out_of_order,
        "counter": int(counter[0]),
    }


def rush(port: int, path: str, event: int, capacity: int, attempts: int, clients: int) -> dict[str, Any]:
    forms = []
    for _ in range(clients):
        form = open_form(port, path)
        if form is None:
            return {"bookings_per_second": None, "p95_ms": None, "oversold": None, "errors": None}
        forms.append(form)
    tally = Tally(attempts=attempts)
    start = threading.Barrier(clients + 1)
    threads = [
        threading.Thread(target=client, args=(port, path, form, start, tally), daemon=True) for form in forms
    ]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies = sorted(tally.latencies)
    checked = check_database(event, capacity)
    if checked["confirmed"] + checked["waiting"] != len(latencies):
        log(
            f"{len(latencies)} bookings answered, but the database holds "
            f"{checked['confirmed']} confirmed and {checked['waiting']} waiting"
        )
    log(
        f"{len(latencies)} of {attempts} booked in {seconds:.2f} s (answers: {tally.statuses}); "
        f"database: {checked}"
    )
    return {
        "bookings_per_second": len(latencies) / seconds,
        "p95_ms": percentile(latencies, 0.95) * 1000 if latencies else None,
        "errors": tally.errors,
        "attempts": attempts,
        "booked": len(latencies),
        "seconds": round(seconds, 3),
        **checked,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rush", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--form", required=True, help="the path of the public booking form")
    parser.add_argument("--event", type=int, required=True, help="the event's primary key")
    parser.add_argument("--capacity", type=int, required=True)
    parser.add_argument("--attempts", type=int, default=500)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    if not re.fullmatch(r"/[\w/-]*", args.form):
        parser.error("--form must be a path such as /dayschools/events/1/book/")
    print(json.dumps(rush(args.port, args.form, args.event, args.capacity, args.attempts, args.clients)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
