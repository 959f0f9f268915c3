"""Rows for the secretary's scheduling and agenda pages in the permission matrix and robustness tests.

All on the NC of ``nc_meeting`` (the ``member`` fixture, Rosa Lund, sits on
it as an ordinary member), made through the services where a service makes
them, and only when a URL asks for them:

* ``cycle_committee``: the NC, given a meeting cycle (every sixth Saturday at 11:00);
* ``started_meeting``: an NC meeting that began an hour ago and is not yet marked held;
* ``agenda_meeting`` / ``agenda_item``: ``nc_meeting`` with its agenda prepared, and its first item;
* ``paper``: a small PDF attached to that item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from committees import services
from committees.models import AgendaItem, Committee, Meeting, Paper

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def with_cycle(committee: Committee) -> Committee:
    committee.cycle_rule = "FREQ=WEEKLY;INTERVAL=6;BYDAY=SA"
    committee.cycle_start = dt.datetime(2026, 1, 10, 11, tzinfo=dt.UTC)
    committee.save(update_fields=["cycle_rule", "cycle_start"])
    return committee


def started_meeting(meeting: Meeting) -> Meeting:
    starts = timezone.now() - dt.timedelta(hours=1)
    return Meeting.objects.create(
        committee=meeting.committee, starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )


def first_item(meeting: Meeting) -> AgendaItem:
    """The first item of the meeting's agenda, prepared from the standard order if need be."""
    return services.prepare_agenda(actor=None, meeting=meeting)[0]


def a_paper(meeting: Meeting) -> Paper:
    item = first_item(meeting)
    existing = item.papers.first()
    if existing is not None:
        return existing
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    return services.attach_paper(actor=None, item=item, title="Treasurer's report", upload=upload)


def meeting_objects(nc_meeting: Meeting) -> dict[str, Callable[[], list[Any]]]:
    return {
        "cycle_committee": lambda: [with_cycle(nc_meeting.committee).slug],
        "started_meeting": lambda: [started_meeting(nc_meeting).pk],
        "agenda_meeting": lambda: [first_item(nc_meeting).meeting_id],
        "agenda_item": lambda: [first_item(nc_meeting).pk],
        "paper": lambda: [a_paper(nc_meeting).pk],
    }
