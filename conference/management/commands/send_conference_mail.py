"""Run the conference mail sweep now (beat runs the same sweep on an interval)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from conference.programme import notices


class Command(BaseCommand):
    help = (
        "Queue the conference mail due now (or at --now) into the outbox: documents published or "
        "updated, and the practical-information reminder a week before."
    )

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
            f"{result['documents']} documents to tell: {result['document_mail']} messages queued; "
            f"{result['reminders']} reminders queued"
        )
