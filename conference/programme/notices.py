"""The conference's mail sweep: documents published (or updated), and the practical-information reminder.

Celery beat runs ``send_conference_mail`` on an interval (and ``python
manage.py send_conference_mail`` runs it on demand). Each run:

* for every document of a conference still to come whose ``publish_on`` has
  passed and whose current version has not been told, queues one message
  per member of its audience ("published" for the first version told,
  "updated" after a new file). The document's row is locked while it is
  told, and the telling is written to the audit trail in the same
  transaction (``conference.document_notice``, with the version), so a
  second sweep, at once or later, finds it done; each message is also keyed
  on (document, version, member), so no member gets a version twice.
* from nine in the morning (London) a week before the conference until it
  begins, queues the practical-information reminder to every current
  registration, keyed once per registration; a cancelled registration gets
  none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from awl.audit import log_action
from awl.models import AuditEntry, OutboundMessage
from awl.outbox import queue_email
from conference.models import Conference, Document, Registration, RegistrationStatus
from conference.programme import services as programme

NOTICE_ACTION = "conference.document_notice"
REMINDER_AHEAD = dt.timedelta(days=7)
REMINDER_FROM = dt.time(9, 0)  # a morning e-mail, a week before the first day


def mail_group(conference: Conference) -> str:
    return f"conference:{conference.pk}"


def _url(name: str, *args: Any) -> str:
    """An absolute link to a page; the site's home page for one that does not exist yet."""
    try:
        return f"{settings.SITE_URL}{reverse(name, args=args)}"
    except NoReverseMatch:
        return settings.SITE_URL


# Documents --------------------------------------------------------------------------------------------
def _told(documents: list[Document]) -> set[tuple[int, int]]:
    """(document, version) pairs already told, from the audit trail, in one query."""
    if not documents:
        return set()
    kind = ContentType.objects.get_for_model(Document)
    entries = AuditEntry.objects.filter(
        action=NOTICE_ACTION, target_type=kind, target_id__in=[str(d.pk) for d in documents]
    ).values_list("target_id", "detail")
    return {(int(target), int(detail.get("version", 0))) for target, detail in entries}


def documents_due(now: dt.datetime) -> list[Document]:
    """Published documents of conferences not yet over whose current version has not been told."""
    candidates = list(
        Document.objects.filter(publish_on__lte=now, conference__ends_on__gte=timezone.localdate(now))
        .select_related("conference")
        .order_by("publish_on", "pk")
    )
    told = _told(candidates)
    return [d for d in candidates if (d.pk, d.version) not in told]


@transaction.atomic
def tell_document(document_id: int, now: dt.datetime) -> int:
    """Queue the notice of one document's current version to its audience; 0 if already told."""
    document = (
        Document.objects.select_for_update(of=("self",))
        .select_related("conference")
        .filter(pk=document_id, publish_on__lte=now)
        .first()
    )
    if document is None:
        return 0
    kind_type = ContentType.objects.get_for_model(Document)
    history = list(
        AuditEntry.objects.filter(
            action=NOTICE_ACTION, target_type=kind_type, target_id=str(document.pk)
        ).values_list("detail", flat=True)
    )
    if any(int(detail.get("version", 0)) == document.version for detail in history):
        return 0
    kind = "updated" if history else "published"
    conference = document.conference
    recipients = list(programme.audience_members(document).select_related("user").order_by("pk"))
    shared = {
        "document": document,
        "conference": conference,
        "kind": kind,
        "documents_url": _url("conference:documents", conference.slug),
        "download_url": _url("conference:document_download", conference.slug, document.pk)
        if document.file
        else "",
    }
    queued = 0
    for member in recipients:
        message = queue_email(
            key=f"conference-{conference.pk}-document-{document.pk}-v{document.version}-member-{member.pk}",
            to=member.user.email,
            template="conference-document",
            context={**shared, "member": member},
            group=mail_group(conference),
        )
        queued += message is not None
    log_action(
        actor=None,
        action=NOTICE_ACTION,
        target=document,
        detail={"version": document.version, "kind": kind, "recipients": len(recipients), "queued": queued},
    )
    return queued


# The practical-information reminder -------------------------------------------------------------------
def reminder_window(conference: Conference) -> tuple[dt.datetime, dt.datetime]:
    """From 09:00 London a week before the first day until the first day begins."""
    zone = timezone.get_default_timezone()
    opens = dt.datetime.combine(conference.starts_on - REMINDER_AHEAD, REMINDER_FROM, tzinfo=zone)
    closes = dt.datetime.combine(conference.starts_on, dt.time(0, 0), tzinfo=zone)
    return opens, closes


def reminder_key(registration: Registration) -> str:
    return f"conference-{registration.conference_id}-registration-{registration.pk}-reminder"


def conferences_to_remind(now: dt.datetime) -> list[Conference]:
    today = timezone.localdate(now)
    near = Conference.objects.filter(starts_on__gt=today, starts_on__lte=today + REMINDER_AHEAD)
    return [c for c in near if reminder_window(c)[0] <= now < reminder_window(c)[1]]


def remind(conference: Conference) -> int:
    """Queue the reminder to each current registration that has not had it; returns how many queued."""
    registrations = list(
        Registration.objects.filter(conference=conference, status=RegistrationStatus.REGISTERED)
        .exclude(email="")  # erased: no address to write to
        .order_by("pk")
    )
    keys = {r.pk: reminder_key(r) for r in registrations}
    sent = set(OutboundMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    due = [r for r in registrations if keys[r.pk] not in sent]
    if not due:
        return 0
    shared = {
        "conference": conference,
        "days": programme.timetable(conference),
        "timetable_url": _url("conference:timetable", conference.slug),
        "documents_url": _url("conference:documents", conference.slug),
        "registration_url": _url("conference:my_registration", conference.slug),
    }
    queued = 0
    for registration in due:
        with transaction.atomic():
            message = queue_email(
                key=keys[registration.pk],
                to=registration.email,
                template="conference-reminder",
                context={**shared, "registration": registration},
                group=mail_group(conference),
            )
        queued += message is not None
    return queued


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Everything due at ``now``; safe to run any number of times, at once or late."""
    now = now or timezone.now()
    documents = documents_due(now)
    document_mail = sum(tell_document(document.pk, now) for document in documents)
    reminders = sum(remind(conference) for conference in conferences_to_remind(now))
    return {"documents": len(documents), "document_mail": document_mail, "reminders": reminders}
