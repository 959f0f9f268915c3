"""The registration rush: ``python -m bench.registration --port P``.

``--members`` (1,000) members register for the annual conference through
the members' registration form, from ``--clients`` (16) concurrent clients,
each request signed in as a different member. Run on the bench database
(DATABASE_URL in the environment) with gunicorn already serving it.

First the data, in bulk (a few seconds): a conference open for registration
now with its fee bands, and the members in the state the services leave
them (admitted a year ago, dues paid two years ahead, so in good standing on
the cut-off date and entitled), each with a verified e-mail address and the
known password ``PASSWORD``, one hash computed once and given to all. Each
member is signed in by a session written the way ``django.contrib.auth.login``
writes one (user, backend and session hash), since 1,000 logins through the
form would measure the password hasher (PBKDF2, about half a second of CPU
each) rather than registering.

Then the rush. Each client first GETs the registration form once (its CSRF
cookie and token, as a browser would; Django's CSRF token is not tied to
the session); the clock starts when every client has its form and stops at
the last answer. The clients then POST one member after another (fee band,
needs for some) until all are used up; every tenth member submits twice in
a row (a double click, picked up by two clients at about the same time),
which must be refused the second time. A redirect to the member's own
registration page is a registration; the repeat's refusal (the form again,
"already registered") is expected; any other answer, a timeout or a broken
connection is an error. Each POST's latency includes its connect time.

Last, the database is asked what was written: ``duplicates`` (registrations
beyond one per member: must be 0), the registrations counted, and the
conference's ``registered`` counter. The result is one JSON object on
stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import psycopg

from bench.rush import HOST, fetch_form, percentile, request

SLUG = "bench-registration"
YEAR = 2099
PASSWORD = "bench-registration-2026"  # noqa: S105  (throwaway members of a throwaway database)
REPEAT_EVERY = 10  # every tenth member submits twice


def log(message: str) -> None:
    print(f"bench: registration_rush: {message}", file=sys.stderr, flush=True)


# The data ---------------------------------------------------------------------------------------
def create_data(count: int) -> dict[str, Any]:
    """The conference and ``count`` signed-in members; returns the conference and the session keys."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from conference.models import Band
    from members.models import Branch
    from tests.factories import ConferenceFactory
    from tests.helpers.bulk import add_members, pay_up

    started = time.perf_counter()
    now, today = timezone.now(), timezone.localdate()
    joined = today - dt.timedelta(days=365)
    with transaction.atomic():
        branch, _ = Branch.objects.get_or_create(slug="london", defaults={"name": "London", "city": "London"})
        conference = ConferenceFactory.create(
            year=YEAR,
            title="Bench annual conference",
            slug=SLUG,
            registration_opens_at=now - dt.timedelta(hours=1),
            registration_closes_at=now + dt.timedelta(days=1),
            eligibility_cutoff=today - dt.timedelta(days=1),
            fees={
                Band.WAGED: "30.00",
                Band.LOW_WAGED: "15.00",
                Band.UNWAGED: "5.00",
                Band.SOLIDARITY: "50.00",
            },
        )
        members = add_members(
            branch,
            count,
            username="reg{i:04d}",
            email="reg{i:04d}@bench.awl.example",
            full_name="Registering Member {i:04d}",
            joined=joined,
            password=make_password(PASSWORD),
            reason="Benchmark data",
        )
        pay_up(members, paid_on=joined)
        users = [member.user for member in members]
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in users
        )
        # What django.contrib.auth.login writes into a session, for each member.
        store = SessionStore()
        sessions = [
            Session(
                session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
                session_data=store.encode(
                    {
                        SESSION_KEY: str(user.pk),
                        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                        HASH_SESSION_KEY: user.get_session_auth_hash(),
                    }
                ),
                expire_date=now + dt.timedelta(days=1),
            )
            for user in users
        ]
        Session.objects.bulk_create(sessions)
    took = time.perf_counter() - started
    log(f"{count} members signed in, and a conference open for registration, in {took:.1f} s")
    return {
        "conference": conference.pk,
        "slug": conference.slug,
        "sessions": [s.session_key for s in sessions],
    }


# The rush -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Form:
    csrf_cookie: str
    hidden: dict[str, str]


def open_form(port: int, path: str, session: str) -> Form | None:
    """GET the registration form as a signed-in member: the CSRF cookie and the form's hidden fields."""
    fetched = fetch_form(port, path, {"Cookie": f"sessionid={session}"}, log)
    return None if fetched is None else Form(csrf_cookie=fetched[0], hidden=fetched[1])


def details(number: int) -> dict[str, str]:
    """What one member types: a fee band, and needs for some (with their consent to share them)."""
    fields = {
        "fee_band": ("waged", "low_waged", "unwaged", "solidarity")[number % 4],
        "access_needs": "",
        "dietary_needs": "",
        "children": "0",
        "children_ages": "",
        "offers_beds": "0",
    }
    if number % 5 == 0:
        fields.update({"dietary_needs": "Vegan", "consent_share_needs": "on"})
    if number % 7 == 0:
        fields["first_conference"] = "on"
    return fields


@dataclass
class Tally:
    """What the clients saw; shared between their threads under a lock."""

    queue: list[tuple[int, bool]]  # (member number, is a repeat submit)
    taken: int = 0
    latencies: list[float] = field(default_factory=list)
    registered: list[int] = field(default_factory=list)
    repeats_refused: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> tuple[int, bool] | None:
        with self.lock:
            if self.taken >= len(self.queue):
                return None
            self.taken += 1
            return self.queue[self.taken - 1]


def client(
    port: int, path: str, form: Form, sessions: list[str], start: threading.Barrier, tally: Tally
) -> None:
    start.wait()
    while (item := tally.take()) is not None:
        number, _ = item
        body = urllib.parse.urlencode({**form.hidden, **details(number)}).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={sessions[number]}; csrftoken={form.csrf_cookie}",
            "Origin": f"http://{HOST}:{port}",
            "Referer": f"http://{HOST}:{port}{path}",
        }
        started = time.perf_counter()
        try:
            answer = request(port, "POST", path, headers, body)
        except (OSError, http.client.HTTPException) as exc:
            with tally.lock:
                tally.errors += 1
                tally.statuses[type(exc).__name__] = tally.statuses.get(type(exc).__name__, 0) + 1
            continue
        took = time.perf_counter() - started
        target = urllib.parse.urlsplit(answer.location).path
        registered = answer.status in {302, 303} and target.endswith("/my-registration/")
        refused_repeat = answer.status in {200, 409} and "already registered" in answer.body
        with tally.lock:
            tally.statuses[str(answer.status)] = tally.statuses.get(str(answer.status), 0) + 1
            if registered:
                tally.registered.append(number)
                tally.latencies.append(took)
            elif refused_repeat and number % REPEAT_EVERY == 0:
                tally.repeats_refused += 1
            else:
                tally.errors += 1


def check_database(conference: int) -> dict[str, int]:
    """What the rush left in the database: the figures that must hold whatever the timings."""
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        row = conn.execute(
            """
            SELECT count(*), count(DISTINCT member_id), count(*) FILTER (WHERE status = 'registered')
            FROM conference_registration WHERE conference_id = %s AND member_id IS NOT NULL
            """,
            (conference,),
        ).fetchone()
        counter = conn.execute(
            "SELECT registered FROM conference_conference WHERE id = %s", (conference,)
        ).fetchone()
    assert row is not None and counter is not None  # noqa: S101  (aggregates always give a row)
    rows, members, current = (int(value) for value in row)
    return {
        "rows": rows,
        "members": members,
        "duplicates": rows - members,
        "current": current,
        "counter": int(counter[0]),
    }


def rush(port: int, data: dict[str, Any], clients: int) -> dict[str, Any]:
    path = f"/conference/{data['slug']}/register/"
    sessions: list[str] = data["sessions"]
    nothing = {"registrations_per_second": None, "p95_ms": None, "duplicates": None, "errors": None}
    forms = []
    for n in range(clients):
        form = open_form(port, path, sessions[n])
        if form is None:
            return nothing
        forms.append(form)
    queue = []
    for number in range(len(sessions)):
        queue.append((number, False))
        if number % REPEAT_EVERY == 0:
            queue.append((number, True))
    tally = Tally(queue=queue)
    start = threading.Barrier(clients + 1)
    threads = [
        threading.Thread(target=client, args=(port, path, form, sessions, start, tally), daemon=True)
        for form in forms
    ]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies = sorted(tally.latencies)
    checked = check_database(data["conference"])
    missing = len(sessions) - len(set(tally.registered))
    if checked["current"] != len(latencies) or checked["counter"] != checked["current"]:
        log(
            f"{len(latencies)} registrations answered, but the database holds {checked['current']} "
            f"(counter {checked['counter']})"
        )
    log(
        f"{len(latencies)} of {len(sessions)} members registered in {seconds:.2f} s, {missing} not; "
        f"{tally.repeats_refused} of {len(queue) - len(sessions)} repeat submits refused "
        f"(answers: {tally.statuses}); database: {checked}"
    )
    return {
        "registrations_per_second": len(latencies) / seconds,
        "p95_ms": percentile(latencies, 0.95) * 1000 if latencies else None,
        "duplicates": checked["duplicates"],
        "errors": tally.errors,
        "members": len(sessions),
        "registered": len(latencies),
        "repeats_refused": tally.repeats_refused,
        "seconds": round(seconds, 3),
        **{f"database_{key}": value for key, value in checked.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.registration", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    if not 1 <= args.clients <= args.members:
        parser.error("--clients must be between 1 and --members")
    # The settings log to stdout, and stdout is for the result alone: swap before they are read.
    result_stream, sys.stdout = sys.stdout, sys.stderr
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awl.settings")
    import django

    django.setup()
    data = create_data(args.members)
    print(json.dumps(rush(args.port, data, args.clients)), file=result_stream, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
