"""The timetable and the conference papers: who may see what, and the CAC's changes to them.

Reads first: a document is visible from its ``publish_on`` onwards, and
only to its audience (every member, or those with a current registration
for the conference); the CAC (``conference.run``) sees every document,
published or not, so it can check one before members do. A document the
reader may not see is a 404, so a member cannot tell a registered-only
paper exists; someone who is neither a member nor registered is refused the
pages altogether (403).

Then the writes, each in one transaction with an ``actor`` and an audit
entry, raising ``ConferenceError`` with a message fit to show. A document's
file is checked by ``committees.papers`` (its type judged by name and
contents, its size capped), never by the browser's word. Replacing the
file of a document already published bumps its ``version``, which the
notice sweep (``conference.notices``) tells the audience about once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.fields.files import FieldFile
from django.shortcuts import get_object_or_404
from django.utils import timezone

from awl.audit import log_action
from awl.permissions import has_rule
from committees import papers
from conference.models import (
    Audience,
    Conference,
    Document,
    DocumentKind,
    Registration,
    RegistrationStatus,
    Session,
    SessionKind,
)
from conference.registration import selectors
from conference.registration.services import ConferenceError
from conference.rules import RUN
from members.models import Member, MemberStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TITLE_MAX = 200


# Reads ------------------------------------------------------------------------------------------
def is_registered(member: Member | None, conference: Conference) -> bool:
    """A current (not cancelled) registration for the conference."""
    return member is not None and (
        Registration.objects.filter(
            conference=conference, member=member, status=RegistrationStatus.REGISTERED
        ).exists()
    )


@dataclass(frozen=True)
class Reader:
    """Who is reading the conference's pages, and so which documents they may see."""

    runs: bool  # the CAC or the national office: every document, published or not
    member: bool  # a member (status member): the timetable and every-member documents
    registered: bool  # a current registration: registered-only documents too

    @property
    def admitted(self) -> bool:
        return self.runs or self.member or self.registered


def reader_for(user: User, conference: Conference) -> Reader:
    member = selectors.own_member(user)
    return Reader(
        runs=bool(has_rule(user, RUN, conference)),
        member=member is not None and member.status == MemberStatus.MEMBER,
        registered=is_registered(member, conference),
    )


def admitted_reader(user: User, conference: Conference) -> Reader:
    """The reader; 403 for someone who is neither a member, registered, nor running the conference."""
    reader = reader_for(user, conference)
    if not reader.admitted:
        raise PermissionDenied("The conference's timetable and papers are for members.")
    return reader


def visible_documents(
    conference: Conference, reader: Reader, now: dt.datetime | None = None
) -> QuerySet[Document]:
    documents = Document.objects.filter(conference=conference)
    if reader.runs:
        return documents
    now = now or timezone.now()
    audiences = [Audience.MEMBERS, Audience.REGISTERED] if reader.registered else [Audience.MEMBERS]
    if not reader.member and not reader.registered:
        return documents.none()
    return documents.filter(publish_on__lte=now, audience__in=audiences)


def get_document_for_user(user: User, conference: Conference, pk: int) -> Document:
    """A document the user may see now; 404 for one not yet published, or not for them."""
    reader = reader_for(user, conference)
    return get_object_or_404(visible_documents(conference, reader), pk=pk)


@dataclass(frozen=True)
class Day:
    date: dt.date
    sessions: list[Session]


def timetable(conference: Conference) -> list[Day]:
    """The conference's sessions grouped by their day in London, in order (one query)."""
    days: dict[dt.date, list[Session]] = {}
    for session in Session.objects.filter(conference=conference).order_by("starts_at", "room", "pk"):
        days.setdefault(timezone.localdate(session.starts_at), []).append(session)
    return [Day(date, sessions) for date, sessions in days.items()]


def conference_days(conference: Conference) -> list[dt.date]:
    span = (conference.ends_on - conference.starts_on).days
    return [conference.starts_on + dt.timedelta(days=n) for n in range(span + 1)]


def session_of(conference: Conference, pk: int) -> Session:
    return get_object_or_404(Session, conference=conference, pk=pk)


def document_of(conference: Conference, pk: int) -> Document:
    return get_object_or_404(Document, conference=conference, pk=pk)


def all_documents(conference: Conference) -> QuerySet[Document]:
    """Every document of the conference, for the CAC, in order of publication."""
    return Document.objects.filter(conference=conference).order_by("publish_on", "title", "pk")


def registered_members(conference: Conference) -> QuerySet[Member]:
    """Members with a current registration for the conference (the registered-only audience)."""
    current = Registration.objects.filter(
        conference=conference, member=OuterRef("pk"), status=RegistrationStatus.REGISTERED
    )
    return Member.objects.filter(Exists(current), erased_at__isnull=True, user__is_active=True)


def audience_members(document: Document) -> QuerySet[Member]:
    """Who a document is for: every member, or the members registered for its conference."""
    if document.audience == Audience.MEMBERS:
        return Member.objects.filter(status=MemberStatus.MEMBER, erased_at__isnull=True, user__is_active=True)
    return registered_members(document.conference)


# Writes: the timetable --------------------------------------------------------------------------
def _require_run(actor: User | None, conference: Conference, message: str) -> None:
    if actor is not None and not has_rule(actor, RUN, conference):
        raise ConferenceError(message)


def _lock(conference: Conference) -> Conference:
    return Conference.objects.select_for_update().get(pk=conference.pk)


def _check_session(
    conference: Conference, *, title: str, kind: str, starts_at: dt.datetime, ends_at: dt.datetime
) -> str:
    title = title.strip()
    if not title:
        raise ConferenceError("A session needs a title.")
    if len(title) > TITLE_MAX:
        raise ConferenceError(f"A session's title can be at most {TITLE_MAX} characters.")
    if kind not in SessionKind.values:
        raise ConferenceError("Choose plenary, workshop or meeting.")
    if ends_at <= starts_at:
        raise ConferenceError("A session must end after it starts.")
    days = conference_days(conference)
    if timezone.localdate(starts_at) not in days or timezone.localdate(ends_at) not in days:
        raise ConferenceError(
            f"Sessions are held during the conference, {conference.starts_on:%-d %B} "
            f"to {conference.ends_on:%-d %B %Y}."
        )
    return title


def _session_detail(session: Session) -> dict[str, Any]:
    return {
        "session": session.pk,
        "title": session.title,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
    }


@transaction.atomic
def add_session(
    *,
    actor: User | None,
    conference: Conference,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    room: str = "",
    chair: str = "",
    description: str = "",
) -> Session:
    conference = _lock(conference)
    _require_run(actor, conference, "Only the conference arrangements committee sets the timetable.")
    title = _check_session(conference, title=title, kind=kind, starts_at=starts_at, ends_at=ends_at)
    session = Session.objects.create(
        conference=conference,
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        room=room.strip()[:100],
        chair=chair.strip()[:200],
        description=description.strip(),
    )
    log_action(
        actor=actor, action="conference.session_added", target=conference, detail=_session_detail(session)
    )
    return session


@transaction.atomic
def change_session(
    *,
    actor: User | None,
    session: Session,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    room: str = "",
    chair: str = "",
    description: str = "",
) -> Session:
    conference = _lock(session.conference)
    _require_run(actor, conference, "Only the conference arrangements committee sets the timetable.")
    locked = Session.objects.select_for_update().filter(pk=session.pk, conference=conference).first()
    if locked is None:
        raise ConferenceError("That session has been removed from the timetable.")
    locked.title = _check_session(conference, title=title, kind=kind, starts_at=starts_at, ends_at=ends_at)
    locked.kind = kind
    locked.starts_at, locked.ends_at = starts_at, ends_at
    locked.room, locked.chair = room.strip()[:100], chair.strip()[:200]
    locked.description = description.strip()
    locked.save(update_fields=["title", "kind", "starts_at", "ends_at", "room", "chair", "description"])
    log_action(
        actor=actor, action="conference.session_changed", target=conference, detail=_session_detail(locked)
    )
    return locked


@transaction.atomic
def delete_session(*, actor: User | None, session: Session) -> None:
    conference = _lock(session.conference)
    _require_run(actor, conference, "Only the conference arrangements committee sets the timetable.")
    locked = Session.objects.select_for_update().filter(pk=session.pk, conference=conference).first()
    if locked is None:
        raise ConferenceError("That session has already been removed from the timetable.")
    detail = _session_detail(locked)
    locked.delete()
    log_action(actor=actor, action="conference.session_removed", target=conference, detail=detail)


# Writes: documents --------------------------------------------------------------------------------
def _check_document(*, title: str, kind: str, audience: str, summary: str) -> tuple[str, str]:
    title, summary = title.strip(), summary.strip()
    if not title:
        raise ConferenceError("A document needs a title.")
    if len(title) > TITLE_MAX:
        raise ConferenceError(f"A document's title can be at most {TITLE_MAX} characters.")
    if kind not in DocumentKind.values:
        raise ConferenceError("Choose a bulletin, a report or a discussion document.")
    if audience not in Audience.values:
        raise ConferenceError("Choose who the document is for.")
    return title, summary


def _checked_upload(upload: Any) -> papers.CheckedPaper:
    try:
        return papers.check_paper(upload)
    except papers.PaperRefused as exc:
        raise ConferenceError(str(exc)) from None


def _store(document: Document, upload: Any, checked: papers.CheckedPaper) -> str:
    """Write the file to storage (not yet the row); returns the stored name to undo it with."""
    upload.seek(0)
    document.file.save(checked.filename, upload, save=False)
    document.content_type = checked.content_type
    return document.file.name or ""


def _delete_after_commit(files: Iterable[FieldFile]) -> None:
    """Remove stored files once the row that named them is gone for good."""
    names = [(f.storage, f.name) for f in files if f and f.name]

    def delete() -> None:
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def _document_detail(document: Document) -> dict[str, Any]:
    return {
        "document": document.pk,
        "title": document.title,
        "audience": document.audience,
        "publish_on": document.publish_on.isoformat(),
        "version": document.version,
    }


@transaction.atomic
def add_document(
    *,
    actor: User | None,
    conference: Conference,
    title: str,
    kind: str,
    audience: str,
    publish_on: dt.datetime,
    summary: str = "",
    upload: Any = None,
) -> Document:
    """A bulletin, report or discussion document: a file, a summary, or both; visible from ``publish_on``."""
    conference = _lock(conference)
    _require_run(actor, conference, "Only the conference arrangements committee publishes documents.")
    title, summary = _check_document(title=title, kind=kind, audience=audience, summary=summary)
    if upload is None and not summary:
        raise ConferenceError("Attach a file or write a summary: a document needs one or the other.")
    checked = _checked_upload(upload) if upload is not None else None
    document = Document(
        conference=conference,
        title=title,
        kind=kind,
        audience=audience,
        summary=summary,
        publish_on=publish_on,
    )
    stored = _store(document, upload, checked) if checked is not None else ""
    try:
        document.save()
        log_action(
            actor=actor,
            action="conference.document_added",
            target=conference,
            detail=_document_detail(document),
        )
    except BaseException:
        if stored:
            document.file.storage.delete(stored)
        raise
    return document


@transaction.atomic
def change_document(
    *,
    actor: User | None,
    document: Document,
    title: str,
    kind: str,
    audience: str,
    publish_on: dt.datetime,
    summary: str = "",
    upload: Any = None,
) -> Document:
    """Change a document; a new file for one already published is a new version, and members are told."""
    conference = _lock(document.conference)
    _require_run(actor, conference, "Only the conference arrangements committee publishes documents.")
    locked = Document.objects.select_for_update().filter(pk=document.pk, conference=conference).first()
    if locked is None:
        raise ConferenceError("That document has been removed.")
    title, summary = _check_document(title=title, kind=kind, audience=audience, summary=summary)
    if upload is None and not summary and not locked.file:
        raise ConferenceError("Attach a file or write a summary: a document needs one or the other.")
    checked = _checked_upload(upload) if upload is not None else None
    was_published = locked.publish_on <= timezone.now()
    old_file = locked.file.name if checked is not None else ""
    fields = ["title", "kind", "audience", "summary", "publish_on"]
    locked.title, locked.kind, locked.audience = title, kind, audience
    locked.summary, locked.publish_on = summary, publish_on
    stored = ""
    if checked is not None:
        stored = _store(locked, upload, checked)
        fields += ["file", "content_type"]
        if was_published:
            locked.version += 1
            fields.append("version")
    try:
        locked.save(update_fields=fields)
        log_action(
            actor=actor,
            action="conference.document_changed",
            target=conference,
            detail={**_document_detail(locked), "new_file": checked is not None},
        )
    except BaseException:
        if stored:
            locked.file.storage.delete(stored)
        raise
    if old_file:
        storage = locked.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return locked


@transaction.atomic
def delete_document(*, actor: User | None, document: Document) -> None:
    conference = _lock(document.conference)
    _require_run(actor, conference, "Only the conference arrangements committee removes documents.")
    locked = Document.objects.select_for_update().filter(pk=document.pk, conference=conference).first()
    if locked is None:
        raise ConferenceError("That document has already been removed.")
    detail = _document_detail(locked)
    file = locked.file
    locked.delete()
    _delete_after_commit([file])
    log_action(actor=actor, action="conference.document_removed", target=conference, detail=detail)


def is_published(document: Document, now: dt.datetime | None = None) -> bool:
    return document.publish_on <= (now or timezone.now())
