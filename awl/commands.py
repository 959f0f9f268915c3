"""The shape of a command that runs one of the sweeps beat runs on an interval, now or as of ``--now``.

Each app's command names its sweep and how to report it, and nothing else::

    class Command(SweepCommand):
        help = "Queue every committee notice due now (or at --now) into the outbox."

        def sweep(self, now: dt.datetime) -> str:
            result = notices.sweep(now)
            return f"{result['notices']} notices due: {result['queued']} messages queued"

``--now`` takes an ISO 8601 date-time; one without an offset is read in the site's time zone (London).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


def moment(value: str | None) -> dt.datetime:
    """The ``--now`` given (a naive one read as local time), or the present moment when none is."""
    if not value:
        return timezone.now()
    try:
        now = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now must be an ISO 8601 date-time, not {value!r}") from None
    return timezone.make_aware(now) if timezone.is_naive(now) else now


class SweepCommand(BaseCommand):
    """Run a sweep as of now (or ``--now``) and write the one line that says what it did."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO 8601 date-time to sweep as of (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(self.sweep(moment(options["now"])))

    def sweep(self, now: dt.datetime) -> str:
        """Run the sweep as of ``now``; the summary to print."""
        raise NotImplementedError
