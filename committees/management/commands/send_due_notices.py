"""Run the notice sweep now (beat runs the same sweep on an interval)."""

from __future__ import annotations

import datetime as dt

from awl.commands import SweepCommand
from committees import notices


class Command(SweepCommand):
    help = "Queue every committee notice due now (or at --now) into the outbox."

    def sweep(self, now: dt.datetime) -> str:
        result = notices.sweep(now)
        return (
            f"{result['notices']} notices due: {result['queued']} messages queued, "
            f"{result['skipped']} skipped"
        )
