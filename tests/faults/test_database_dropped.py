"""The database connection dropped: the request that meets it fails cleanly, the next one succeeds.

The site runs under gunicorn with one sync worker, so every request uses
the one persistent connection (CONN_MAX_AGE with health checks, from
awl.env.envdatabase). The test kills that connection from PostgreSQL's
side with pg_terminate_backend, as a database restart or failover would.
"""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import urlencode

import psycopg
import pytest
from django.db import connection
from django.test import Client

from awl.models import AuditEntry
from members.models import Member
from tests.faults.conftest import WAIT, WebServer, backend_pids, wait_until

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]


def terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_until(lambda: pid not in backend_pids("web"), f"backend {pid} to end")


def test_a_connection_dropped_between_requests_is_replaced_before_the_next_one_uses_it(
    web_server: WebServer,
) -> None:
    assert web_server.request("GET", "/healthz")[0] == 200
    [first] = backend_pids("web")  # kept open for the next request

    terminate(first)

    status, _, body = web_server.request("GET", "/healthz")
    assert (status, body) == (200, '{"status": "ok", "database": true, "broker": true}')
    [second] = backend_pids("web")
    assert second != first


def signed_in(web_server: WebServer, user: Any) -> None:
    """Give the web server's client a session for ``user``, made as the test client makes one."""
    client = Client()
    client.force_login(user)
    web_server.cookies["sessionid"] = client.cookies["sessionid"].value


def edit_form(web_server: WebServer) -> dict[str, str]:
    """GET the edit page as a browser would, for its CSRF cookie and token."""
    status, _, page = web_server.request("GET", "/membership/edit/")
    assert status == 200
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match is not None
    return {"csrfmiddlewaretoken": match.group(1)}


def post_details(web_server: WebServer, form: dict[str, str]) -> tuple[int, dict[str, str], str]:
    return web_server.request(
        "POST",
        "/membership/edit/",
        body=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def waits_for_a_lock_having_written(pid: int) -> set[str]:
    """The tables backend ``pid`` has written to in its open transaction, if it now waits for a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relation::regclass::text FROM pg_locks "
            "WHERE pid = %s AND granted AND locktype = 'relation' AND mode = 'RowExclusiveLock' "
            "AND EXISTS (SELECT FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock')",
            [pid, pid],
        )
        return {name for (name,) in cursor.fetchall()}


def test_a_connection_dropped_during_a_request_fails_that_request_cleanly_and_the_next_succeeds(
    web_server: WebServer, member: Member
) -> None:
    signed_in(web_server, member.user)
    form = {
        **edit_form(web_server),
        "full_name": "Rosa Luxemburg Lund",
        "phone": member.phone,
        "workplace": member.workplace,
        "industry": member.industry,
        "trade_union": member.trade_union,
    }
    [web_backend] = backend_pids("web")

    # The audit log is locked from another connection, so the request stops at
    # its last write, after it has updated the member, until its connection dies.
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
    ) as blocker:
        blocker.execute(f"LOCK TABLE {AuditEntry._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        responses: list[tuple[int, dict[str, str], str]] = []
        request = threading.Thread(target=lambda: responses.append(post_details(web_server, form)))
        request.start()
        try:
            wait_until(
                lambda: Member._meta.db_table in waits_for_a_lock_having_written(web_backend),
                "the request to update the member and wait for the audit table",
            )
            terminate(web_backend)
            request.join(WAIT)
        finally:
            blocker.rollback()
            request.join(WAIT)

    assert not request.is_alive(), "the request hung after its connection was terminated"
    [(status, _, body)] = responses
    assert status == 500
    assert "Something went wrong" in body  # the site's own error page, not a traceback
    assert "Traceback" not in body and "OperationalError" not in body
    member.refresh_from_db()
    assert member.full_name == "Rosa Lund"  # nothing of the failed request was kept
    assert not AuditEntry.objects.filter(action="member.details_updated").exists()

    status, headers, _ = post_details(web_server, form)

    assert (status, headers["Location"]) == (302, "/membership/")
    member.refresh_from_db()
    assert member.full_name == "Rosa Luxemburg Lund"
    assert AuditEntry.objects.filter(action="member.details_updated").count() == 1
