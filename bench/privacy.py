"""The public booking form's timings by kind of address: ``python -m bench.privacy --port P``.

Issue 15: the public booking form must be no oracle, in its answers, its
status codes and its timings, whether the address is a member's, a previous
guest's or new. The answers and status codes are tested exactly
(``tests/dayschools/test_public_form_privacy.py``); this bench measures the
timings. Run on the bench database (DATABASE_URL in the environment, after
``seed_demo`` and ``bench.topup``) with gunicorn already serving it.

First the data: an event of its own (published, 10,000 places, so that no
answer depends on places running out, and booking open from an hour ago)
and the addresses, three kinds of ``--count`` (100) each plus ``--warmup``
(5) each:

* ``member``: real members' addresses, their users' e-mails from the
  database (members not erased, in primary-key order), none booked on this
  event; the form books a guest place and mails the address a claim link;
* ``guest``: previous guests, booked on this event first through the form
  itself, untimed; posted again, the form books nothing and mails "already
  booked";
* ``new``: addresses never seen; the form books a guest place.

Then one client, one request at a time (so that the three kinds see the
same server conditions), GETs the form once (its CSRF cookie and token and
hidden fields, as a browser would) and POSTs the addresses interleaved, one
of each kind per round, the order within the round rotated every round
(member, guest, new; guest, new, member; new, member, guest; ...) so that
no kind always follows the same one. The warm-up rounds come first and are
not counted. Each POST's latency includes its connect time (gunicorn's sync
workers close the connection after each response); the redirect is not
followed.

Every answer's status, ``Location`` path and the messages its
``messages`` cookie carries (what the page it leads to shows; the cookie
itself differs, signed with a timestamp) are compared with the first new
address's: ``statuses_differ`` counts those that differ (must be 0), and
``errors`` those that are not a redirect to the event's "booked" page or
failed (must be 0). The result is one JSON object on stdout, the per-kind
``p50_ms`` and ``p95_ms`` and ``max_p50_gap_ms`` (the largest difference
between two kinds' medians); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse
from collections import Counter
from typing import Any

from bench.rush import HOST, fetch_form, percentile, request

KINDS = ("member", "guest", "new")
CAPACITY = 10_000
SERIES_SLUG = "bench-privacy"
CITY_SLUG = "bench-privacy"
FORM = "/dayschools/events/{event}/book/"
BOOKED = "/dayschools/events/{event}/booked/"

Signature = tuple[int, str, str]


def log(message: str) -> None:
    print(f"bench: booking_privacy: {message}", file=sys.stderr, flush=True)


# The data ---------------------------------------------------------------------------------------
def create_event() -> int:
    """A published event of 10,000 places in a month's time, booking open from an hour ago."""
    from django.utils import timezone

    from dayschools.models import City, Event, EventStatus, School, Series

    now = timezone.now()
    city, _ = City.objects.get_or_create(
        slug=CITY_SLUG, defaults={"name": "Bench Privacy City", "region": "london"}
    )
    series = Series.objects.create(title="Bench: The public form", slug=SERIES_SLUG, season="2027")
    school = School.objects.create(series=series, number=1, title="An open school")
    starts = (now + dt.timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0)
    event = Event.objects.create(
        school=school,
        city=city,
        status=EventStatus.PUBLISHED,
        venue="Conway Hall",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=6),
        capacity=CAPACITY,
        booking_opens_at=now - dt.timedelta(hours=1),
        booking_closes_at=starts - dt.timedelta(days=1),
    )
    return int(event.pk)


def member_addresses(count: int) -> list[str]:
    """``count`` distinct e-mail addresses of members' users, from the database."""
    from members.models import Member

    seen: list[str] = []
    emails = (
        Member.objects.not_erased()
        .exclude(user__email="")
        .order_by("pk")
        .values_list("user__email", flat=True)
        .iterator()
    )
    for email in emails:
        if email.lower() not in seen:
            seen.append(email.lower())
        if len(seen) == count:
            return seen
    raise SystemExit(f"the database has {len(seen)} members with an address; the bench needs {count}")


def bookings(event: int) -> int:
    from dayschools.models import Booking

    return Booking.objects.filter(event_id=event).count()


# The client -------------------------------------------------------------------------------------
def fields(number: int, email: str) -> dict[str, str]:
    return {
        "name": f"Privacy Person {number:04d}",
        "email": email,
        "phone": "",
        "how_heard": "friend",
        "website": "",  # the honeypot: a person leaves it empty
    }


def post(
    port: int, path: str, form: tuple[str, dict[str, str]], body: dict[str, str]
) -> tuple[Signature, float]:
    """One POST of the form; its signature (status, Location path, messages cookie) and its seconds."""
    token, hidden = form
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={token}",
        "Origin": f"http://{HOST}:{port}",
        "Referer": f"http://{HOST}:{port}{path}",
    }
    data = urllib.parse.urlencode({**hidden, **body}).encode()
    started = time.perf_counter()
    answer = request(port, "POST", path, headers, data)
    took = time.perf_counter() - started
    target = urllib.parse.urlsplit(answer.location).path
    return (answer.status, target, shown(answer.cookies.get("messages", ""))), took


def shown(cookie: str) -> str:
    """The messages a ``messages`` cookie carries, as text; the cookie itself is signed with a timestamp."""
    if not cookie:
        return ""
    from http.cookies import SimpleCookie

    from django.contrib.messages.storage.cookie import CookieStorage, MessageSerializer
    from django.core import signing

    jar: SimpleCookie = SimpleCookie()
    jar.load(f"messages={cookie}")
    signer = signing.get_cookie_signer(salt=CookieStorage.key_salt)
    try:
        # django-stubs types the serializer as a JSONSerializer subclass; Django passes this one itself.
        decoded = signer.unsign_object(jar["messages"].value, serializer=MessageSerializer)  # type: ignore[arg-type]
    except (signing.BadSignature, ValueError):
        return f"undecodable: {cookie}"
    return repr([(message.level, str(message.message), message.extra_tags) for message in decoded])


def rounds(addresses: dict[str, list[str]], start: int, stop: int) -> list[tuple[str, str]]:
    """(kind, address) for rounds ``start`` to ``stop``, one of each kind per round, the order rotated."""
    order: list[tuple[str, str]] = []
    for number in range(start, stop):
        shift = number % len(KINDS)
        for kind in KINDS[shift:] + KINDS[:shift]:
            order.append((kind, addresses[kind][number]))
    return order


def measure(
    port: int, event: int, addresses: dict[str, list[str]], count: int, warmup: int
) -> dict[str, Any]:
    path, booked = FORM.format(event=event), BOOKED.format(event=event)
    empty: dict[str, Any] = {f"{kind}_{m}": None for kind in KINDS for m in ("p50_ms", "p95_ms")}
    empty |= {"max_p50_gap_ms": None, "statuses_differ": None, "errors": None}
    form = fetch_form(port, path, {}, log)
    if form is None:
        return empty
    errors = 0
    log(f"{len(addresses['guest'])} guests book {path} first (untimed)")
    for number, email in enumerate(addresses["guest"]):
        try:
            signature, _ = post(port, path, form, fields(number, email))
        except (OSError, http.client.HTTPException) as exc:
            log(f"booking guest {email} failed: {exc!r}")
            return empty
        if signature[:2] != (302, booked):
            log(f"booking guest {email} answered {signature[:2]}")
            return empty
    before = bookings(event)
    latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
    signatures: list[Signature] = []
    reference: Signature | None = None
    total = warmup + count
    log(f"{warmup} warm-up rounds, then {count} rounds of member, guest and new, from one client")
    for number, (kind, email) in enumerate(rounds(addresses, 0, total)):
        try:
            signature, took = post(port, path, form, fields(number, email))
        except (OSError, http.client.HTTPException) as exc:
            log(f"{kind} {email}: {exc!r}")
            errors += 1
            continue
        if signature[:2] != (302, booked):
            errors += 1
        if reference is None and kind == "new":
            reference = signature
        signatures.append(signature)
        if number >= warmup * len(KINDS):
            latencies[kind].append(took * 1000)
    if reference is None:
        return empty | {"errors": errors}
    differ = sum(signature != reference for signature in signatures)
    if differ:
        log(f"the answers differ: {Counter(signatures).most_common()}")
    added = bookings(event) - before
    expected = total * 2  # a member's address and a new one each book a guest place; a guest's books none
    if added != expected:
        log(f"the database holds {added} new bookings for the event, not {expected}")
    result: dict[str, Any] = {"statuses_differ": differ, "errors": errors, "bookings_added": added}
    medians = {}
    for kind, values in latencies.items():
        ordered = sorted(values)
        medians[kind] = statistics.median(ordered) if ordered else None
        result[f"{kind}_p50_ms"] = medians[kind]
        result[f"{kind}_p95_ms"] = percentile(ordered, 0.95) if ordered else None
    known = [m for m in medians.values() if m is not None]
    result["max_p50_gap_ms"] = max(known) - min(known) if len(known) == len(KINDS) else None
    log(
        "medians "
        + ", ".join(f"{kind} {m:.1f} ms" for kind, m in medians.items() if m is not None)
        + f"; {differ} answers differ, {errors} errors"
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.privacy", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=100, help="timed posts of each kind")
    parser.add_argument("--warmup", type=int, default=5, help="untimed posts of each kind first")
    args = parser.parse_args()
    # The settings log to stdout, and stdout is for the result alone: swap before they are read.
    result_stream, sys.stdout = sys.stdout, sys.stderr
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awl.settings")
    import django

    django.setup()
    total = args.warmup + args.count
    event = create_event()
    addresses = {
        "member": member_addresses(total),
        "guest": [f"privacy.guest{n:04d}@example.org" for n in range(total)],
        "new": [f"privacy.new{n:04d}@example.org" for n in range(total)],
    }
    result = measure(args.port, event, addresses, args.count, args.warmup)
    print(json.dumps(result), file=result_stream, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
