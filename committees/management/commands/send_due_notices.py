"""Run the notice sweep now (beat runs the same sweep on an interval)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from committees import notices


class Command(BaseCommand):
    help = "Queue every committee notice due now (or at --now) into the outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO 8601 date-time to sweep as of (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError:
                message = f"--now must be an ISO 8601 date-time, not {options['now']!r}"
                raise CommandError(message) from None
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        result = notices.sweep(now)
        self.stdout.write(
            f"{result['notices']} notices due: {result['queued']} messages queued, "
            f"{result['skipped']} skipped"
        )
