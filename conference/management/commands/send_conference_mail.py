"""Run the conference mail sweep now (beat runs the same sweep on an interval)."""

from __future__ import annotations

import datetime as dt

from awl.commands import SweepCommand
from conference.programme import notices


class Command(SweepCommand):
    help = (
        "Queue the conference mail due now (or at --now) into the outbox: documents published or "
        "updated, and the practical-information reminder a week before."
    )

    def sweep(self, now: dt.datetime) -> str:
        result = notices.sweep(now)
        return (
            f"{result['documents']} documents to tell: {result['document_mail']} messages queued; "
            f"{result['reminders']} reminders queued"
        )
