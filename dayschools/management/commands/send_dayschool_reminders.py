"""Queue the day-before day-school reminders now (beat runs the same sweep on an interval)."""

from __future__ import annotations

import datetime as dt

from awl.commands import SweepCommand
from dayschools import mail


class Command(SweepCommand):
    help = "Queue every day-school reminder due now (or at --now) into the outbox."

    def sweep(self, now: dt.datetime) -> str:
        result = mail.queue_reminders(now)
        return f"{result['due']} bookings due a reminder: {result['queued']} messages queued"
