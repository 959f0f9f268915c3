"""The notice sweep: what is due, written once per recipient into the outbox.

Celery beat runs ``send_due_notices`` on an interval (and ``python manage.py
send_due_notices`` runs it on demand). For every meeting it works out which
notices are due at ``now``; each notice is claimed by a ``NoticeDispatch``
row, unique per (meeting, kind, version), written in the same transaction as
the outbox messages (one per recipient, keyed on the same triple and the
recipient). A sweep run twice, two sweeps at once, or a sweep after an
outage therefore writes each notice exactly once. A late sweep sends what is
still useful (the meeting has not started) and records the rest as skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Event

from awl import ical
from awl.outbox import queue_email
from committees.models import (
    Committee,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    NoticeDispatch,
    NoticeKind,
    Term,
)
from members.models import Member

APOLOGY_SALT = "committees.apology"


@dataclass(frozen=True)
class DueNotice:
    meeting_id: int
    kind: str
    version: int
    useful: bool
    skip_reason: str = ""


# iCalendar -------------------------------------------------------------------------------------
_WEB_ADDRESS = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def _without_links(venue: str, *links: str) -> str:
    """The venue with the online link, and any web address at all, taken out."""
    for link in links:
        if link:
            venue = venue.replace(link, "")
    return " ".join(_WEB_ADDRESS.sub("", venue).split()).strip(" ,;:-")


def meeting_event(meeting: Meeting, *, links: bool = True) -> Event:
    """The meeting as an event; ``links=False`` leaves out its online link wherever it could appear."""
    venue = meeting.venue
    if not links:
        venue = _without_links(venue, meeting.online_link, meeting.committee.default_online_link)
    return ical.event(
        uid=meeting.uid,
        start=meeting.starts_at,
        end=meeting.ends_at,
        summary=f"{meeting.committee.name} meeting",
        location=venue,
        url=meeting.online_link if links else "",
        cancelled=meeting.status == MeetingStatus.CANCELLED,
        sequence=meeting.sequence,
    )


def calendar_for(
    meetings: list[Meeting],
    *,
    name: str,
    cancel: bool = False,
    refresh: dt.timedelta | None = None,
    links: bool = True,
) -> bytes:
    """An iCalendar of the meetings; ``refresh`` tells a subscribed feed's reader how often to look.

    ``links=False`` (a committee's feed) carries no online meeting link anywhere in the file.
    """
    events = (meeting_event(meeting, links=links) for meeting in meetings)
    return ical.calendar(events, product="committees", cancel=cancel, name=name, refresh=refresh)


def mail_group(committee: Committee) -> str:
    """The outbox group of a committee's mail: its secretary sees what failed."""
    return f"committee:{committee.pk}"


# Apology links ---------------------------------------------------------------------------------
def apology_token(meeting: Meeting, member: Member) -> str:
    return signing.dumps({"m": meeting.pk, "p": member.pk}, salt=APOLOGY_SALT)


def read_apology_token(token: str) -> tuple[int, int]:
    """The (meeting, member) a link was made for; raises signing.BadSignature when tampered with."""
    data = signing.loads(token, salt=APOLOGY_SALT, max_age=dt.timedelta(days=120))
    if not isinstance(data, dict) or not isinstance(data.get("m"), int) or not isinstance(data.get("p"), int):
        raise signing.BadSignature("Malformed apology link.")
    return data["m"], data["p"]


# What is due -----------------------------------------------------------------------------------
def _sent(meeting: Meeting, kinds: set[str]) -> bool:
    return any(d.kind in kinds and not d.skipped for d in meeting.dispatches.all())


def due_notices(meeting: Meeting, now: dt.datetime) -> list[DueNotice]:
    """Every notice due for the meeting at ``now`` that no sweep has dealt with yet."""
    committee = meeting.committee
    done = {(d.kind, d.version) for d in meeting.dispatches.all()}
    started = meeting.starts_at <= now
    due: list[DueNotice] = []

    def add(
        kind: str, version: int, at: dt.datetime, *, useful: bool | None = None, reason: str = ""
    ) -> None:
        if (kind, version) in done or at > now:
            return
        ok = (not started) if useful is None else useful
        due.append(
            DueNotice(
                meeting.pk, kind, version, ok, "" if ok else (reason or "the meeting had already started")
            )
        )

    if meeting.status == MeetingStatus.CANCELLED:
        told = _sent(meeting, {NoticeKind.NOTICE, NoticeKind.MOVED, NoticeKind.AGENDA})
        add(
            NoticeKind.CANCELLED,
            0,
            meeting.cancelled_at or now,
            useful=told and not started,
            reason="no notice had gone out" if not told else "",
        )
        return due
    if meeting.status != MeetingStatus.SCHEDULED:
        return due
    notice_at = max(meeting.starts_at - dt.timedelta(days=committee.notice_days), meeting.called_at)
    if not _sent(meeting, {NoticeKind.NOTICE}):
        # The first notice carries the meeting as it now stands.
        add(NoticeKind.NOTICE, meeting.time_version, notice_at)
    else:
        versions = [
            d.version for d in meeting.dispatches.all() if d.kind in (NoticeKind.NOTICE, NoticeKind.MOVED)
        ]
        if max(versions) < meeting.time_version:
            add(NoticeKind.MOVED, meeting.time_version, now)
    if meeting.agenda_published_at is not None:
        # Like the notice: the first agenda notice carries the agenda as it now stands; an item added
        # to it since (a referral from conference) sends it again, once per version.
        agenda_sent = [d.version for d in meeting.dispatches.all() if d.kind == NoticeKind.AGENDA]
        if not agenda_sent:
            add(NoticeKind.AGENDA, meeting.agenda_version, meeting.agenda_published_at)
        elif max(agenda_sent) < meeting.agenda_version:
            add(NoticeKind.AGENDA, meeting.agenda_version, now)
    add(
        NoticeKind.REMINDER,
        meeting.time_version,
        meeting.starts_at - dt.timedelta(hours=committee.reminder_hours),
    )
    return due


def _recipients(meeting: Meeting, now: dt.datetime) -> list[Member]:
    member_ids = (
        Term.objects.filter(committee=meeting.committee).current(timezone.localdate(now)).values("member_id")
    )
    return list(
        Member.objects.filter(pk__in=member_ids, erased_at__isnull=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )


def _shared_context(meeting: Meeting, kind: str) -> dict[str, Any]:
    """What every recipient's copy of a notice shares: read once per notice, not once per member."""
    minutes = Minutes.objects.filter(meeting=meeting).first() if kind == NoticeKind.MINUTES else None
    items = meeting.items.prefetch_related("papers") if meeting.agenda_published_at else []
    return {
        "meeting": meeting,
        "committee": meeting.committee,
        "kind": kind,
        "kind_label": NoticeKind(kind).label,
        "starts_local": timezone.localtime(meeting.starts_at),
        "ends_local": timezone.localtime(meeting.ends_at),
        "items": list(items),
        "meeting_url": f"{settings.SITE_URL}{reverse('committees:meeting_detail', args=[meeting.pk])}",
        "minutes": minutes,
    }


def _context(shared: dict[str, Any], member: Member) -> dict[str, Any]:
    apology_path = reverse("committees:apology_link", args=[apology_token(shared["meeting"], member)])
    return {**shared, "member": member, "apology_url": f"{settings.SITE_URL}{apology_path}"}


@transaction.atomic
def dispatch(notice: DueNotice, now: dt.datetime) -> int:
    """Claim one notice and queue it for every recipient; 0 when another sweep claimed it first."""
    meeting = Meeting.objects.select_related("committee").get(pk=notice.meeting_id)
    recipients = _recipients(meeting, now) if notice.useful else []
    try:
        with transaction.atomic():
            NoticeDispatch.objects.create(
                meeting=meeting,
                kind=notice.kind,
                version=notice.version,
                swept_at=now,
                recipients=len(recipients),
                skipped=not notice.useful,
                skip_reason=notice.skip_reason,
            )
    except IntegrityError:
        return 0
    if not notice.useful:
        return 0
    ics = calendar_for([meeting], name=meeting.committee.name, cancel=notice.kind == NoticeKind.CANCELLED)
    shared = _shared_context(meeting, notice.kind)
    queued = 0
    for member in recipients:
        message = queue_email(
            key=f"meeting-{meeting.pk}-{notice.kind}-v{notice.version}-member-{member.pk}",
            to=member.user.email,
            template=f"meeting-{notice.kind}",
            context=_context(shared, member),
            attachments=[
                {"filename": "meeting.ics", "content_type": "text/calendar", "content": ics.decode()}
            ],
            group=mail_group(meeting.committee),
        )
        queued += message is not None
    return queued


def minutes_due(now: dt.datetime) -> list[DueNotice]:
    due = []
    circulated = Minutes.objects.filter(
        status=MinutesStatus.CIRCULATED, circulated_at__lte=now
    ).select_related("meeting")
    for minutes in circulated:
        done = minutes.meeting.dispatches.filter(kind=NoticeKind.MINUTES, version=minutes.circulation_version)
        if not done.exists():
            due.append(DueNotice(minutes.meeting_id, NoticeKind.MINUTES, minutes.circulation_version, True))
    return due


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Queue every notice due at ``now``; safe to run any number of times, at once or late."""
    now = now or timezone.now()
    # Every meeting still to come, however far ahead: a move or a published agenda is told at
    # once, and a notice period may be long. A month back is as late as any notice is still useful.
    meetings = (
        Meeting.objects.filter(starts_at__gte=now - dt.timedelta(days=30))
        .exclude(status=MeetingStatus.HELD)
        .select_related("committee")
        .prefetch_related("dispatches")
    )
    due = [notice for meeting in meetings for notice in due_notices(meeting, now)] + minutes_due(now)
    queued = skipped = 0
    for notice in due:
        count = dispatch(notice, now)
        queued += count
        skipped += not notice.useful
    return {"notices": len(due), "queued": queued, "skipped": skipped}
