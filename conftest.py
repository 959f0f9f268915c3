"""Repository-wide pytest hooks. Fixtures live in tests/conftest.py."""

from __future__ import annotations

import os
from typing import Any

import pytest


def _describe_database(database: dict[str, Any]) -> str:
    """One line naming the database, e.g. postgresql (postgres@127.0.0.1:5432/awl), never its password."""
    user = database.get("USER") or ""
    host = database.get("HOST") or "localhost"
    where = f"socket {host}" if host.startswith("/") else host
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgresql ({user}{'@' if user else ''}{where}{port}, database {database.get('NAME')})"


def pytest_report_header(config: pytest.Config) -> list[str]:
    from django.conf import settings

    if not settings.configured:
        return ["database: Django settings not configured"]
    lines = [f"database: {_describe_database(settings.DATABASES['default'])}"]
    note = getattr(settings, "AWL_TEST_DATABASE_NOTE", None)
    if note:
        lines.append(f"database choice: {note}")
    return lines


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Under CI=true a skipped test is a failure: CI must run the PostgreSQL, Redis and browser tests.

    Locally a skip stays a skip, and its reason says what is missing.
    """
    outcome = yield
    report = outcome.get_result()
    if _in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which must run every test: {reason}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The test database, with autovacuum off for every table.

    Tests write rows inside transactions that are rolled back, and transactional tests commit rows
    and then empty the tables. Autovacuum would analyze a table at whatever moment it happened to be
    empty, and a later test that fills it inside its transaction would be planned as if it held one
    row: nested loops over whole tables, a seconds-long test taking minutes, depending on the order
    and timing of what ran before. Never analyzed, a table is planned from its real size instead.
    """
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            """
            DO $$
            DECLARE t record;
            BEGIN
                FOR t IN SELECT schemaname, tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
                    EXECUTE format(
                        'ALTER TABLE %I.%I SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)',
                        t.schemaname, t.tablename
                    );
                END LOOP;
            END $$
            """
        )
