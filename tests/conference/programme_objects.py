"""Rows for the timetable and documents pages in the permission matrix and the robustness tests.

A conference of its own (year 2092, slug ``programme-objects``), two months
after *now*, since those suites run at the real time, with one plenary on
its first day and a document for every member published a day ago, with a
small PDF (so the matrix's member, Rosa, registered or not, may download it):

* ``programme_conference``: the conference (timetable, documents, the CAC's pages);
* ``programme_session``: its plenary;
* ``programme_document``: its document.

The rows are made through the services, and only when a URL asks for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conference.models import (
    Audience,
    Band,
    Conference,
    Document,
    DocumentKind,
    Session,
    SessionKind,
)
from conference.programme import services as programme
from tests.factories import ConferenceFactory

SLUG = "programme-objects"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def programme_conference(slug: str = SLUG, year: int = 2092) -> Conference:
    """A conference two months ahead whose registration is open now."""
    existing = Conference.objects.filter(slug=slug).first()
    if existing is not None:
        return existing
    return ConferenceFactory.create(year=year, slug=slug, fees={Band.WAGED: "30.00"})


def opening_plenary(conference: Conference) -> Session:
    existing = conference.sessions.first()
    if existing is not None:
        return existing
    starts = timezone.make_aware(dt.datetime.combine(conference.starts_on, dt.time(10, 0)))
    return programme.add_session(
        actor=None,
        conference=conference,
        title="Opening plenary",
        kind=SessionKind.PLENARY,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        room="Main hall",
        chair="The CAC chair",
    )


def members_document(conference: Conference) -> Document:
    existing = conference.documents.first()
    if existing is not None:
        return existing
    return programme.add_document(
        actor=None,
        conference=conference,
        title="Pre-conference bulletin 1",
        kind=DocumentKind.BULLETIN,
        audience=Audience.MEMBERS,
        publish_on=timezone.now() - dt.timedelta(days=1),
        summary="Arrangements, the standing orders and the first motions.",
        upload=SimpleUploadedFile("bulletin.pdf", PDF, content_type="application/pdf"),
    )


def programme_objects() -> dict[str, Callable[[], list[Any]]]:
    conference = programme_conference
    return {
        "programme_conference": lambda: [conference().slug],
        "programme_session": lambda: [conference().slug, opening_plenary(conference()).pk],
        "programme_document": lambda: [conference().slug, members_document(conference()).pk],
    }
