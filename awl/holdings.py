"""What awl itself holds about people: the outbox, the audit trail, the admin's log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from awl.models import AuditEntry, OutboundMessage, RetentionHold
from awl.personal_data import Erasure, Holding, Person, RetentionRule, register_holding, register_retention

# Audit actions that are someone looking, not changing: what "who viewed my record" lists.
VIEW_SUFFIXES = (".viewed", ".exported", ".data_exported", ".listed")


def _mail_to(person: Person) -> Any:
    return OutboundMessage.objects.filter(person.by_address("to__iexact"))


def _entries_about(targets: Any) -> Any:
    """Audit entries whose target is one of ``targets`` ((app_label.model, pk) pairs)."""
    query = Q(pk__in=[])
    by_label: dict[str, list[str]] = {}
    for label, pk in targets:
        by_label.setdefault(label, []).append(pk)
    types = {f"{ct.app_label}.{ct.model}": ct for ct in ContentType.objects.all()}
    for label, pks in by_label.items():
        if label in types:
            query |= Q(target_type=types[label], target_id__in=pks)
    return query, types, by_label


def _holds(person: Person) -> Any:
    subjects = {person.key} | {f"guest:{email}" for email in person.emails}
    if person.member_id is not None:
        subjects.add(f"applicant:{person.member_id}")
    subjects |= {f"contact:{pk}" for pk in person.contact_ids}
    return RetentionHold.objects.filter(subject__in=subjects)


def export(person: Person) -> dict[str, Any]:
    query, _types, _by_label = _entries_about(person.targets)
    entries = AuditEntry.objects.filter(query).select_related("actor").order_by("at", "pk")
    if person.user_id is not None:
        entries = entries.exclude(actor_id=person.user_id)
    return {
        "mail_sent_to_you": [
            {
                "written_at": m.created_at.isoformat(),
                "to": m.to,
                "subject": m.subject,
                "status": m.status,
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            }
            for m in _mail_to(person).order_by("created_at", "pk")
        ],
        "your_record_viewed_by": [
            {
                "at": e.at.isoformat(),
                "by": e.actor.email if e.actor else "the system",
                "as": e.detail.get("role", "") if isinstance(e.detail, dict) else "",
                "what": e.action,
            }
            for e in entries
            if e.action.endswith(VIEW_SUFFIXES)
        ],
        "kept_past_retention": [
            {"decided_at": h.decided_at.isoformat(), "until": h.until.isoformat(), "reason": h.reason}
            for h in _holds(person)
        ],
        "changes_to_your_record": [
            {"at": e.at.isoformat(), "by": e.actor.email if e.actor else "the system", "what": e.action}
            for e in entries
            if not e.action.endswith(VIEW_SUFFIXES)
        ],
    }


def erase(erasure: Erasure) -> None:
    mail = _mail_to(erasure.person)
    erasure.count(
        "mail not sent",
        mail.filter(status=OutboundMessage.Status.PENDING).update(
            status=OutboundMessage.Status.FAILED, last_error="Not sent: the recipient's data was erased."
        ),
    )
    erasure.count(
        "mail",
        mail.update(to=erasure.erased_email, subject="(erased)", body_text="", body_html="", attachments=[]),
    )
    _holds(erasure.person).delete()
    # The audit trail keeps what was done and by whom, not the name it was done to.
    query, types, by_label = _entries_about(erasure.targets)
    erasure.count("audit entries", AuditEntry.objects.filter(query).update(target_repr=erasure.placeholder))
    # Entries that name the person by address in their particulars (a guest's export, a booking) lose them.
    named = erasure.person.by_address("detail__icontains", "target_repr__icontains")
    erasure.count(
        "audit particulars",
        AuditEntry.objects.filter(named).update(detail={"erased": True}, target_repr=erasure.placeholder),
    )
    log_query = Q(pk__in=[])
    for label, pks in by_label.items():
        if label in types:
            log_query |= Q(content_type=types[label], object_id__in=pks)
    LogEntry.objects.filter(log_query).update(object_repr=erasure.placeholder, change_message="")


def _sent_mail_bodies(now: dt.datetime, days: int) -> int:
    return (
        OutboundMessage.objects.filter(created_at__lt=now - dt.timedelta(days=days))
        .exclude(status=OutboundMessage.Status.PENDING)
        .exclude(body_text="", body_html="", attachments=[])
        .update(body_text="", body_html="", attachments=[])
    )


def _audit_details(now: dt.datetime, days: int) -> int:
    return (
        AuditEntry.objects.filter(at__lt=now - dt.timedelta(days=days))
        .exclude(detail={})
        .exclude(action="retention.run")
        .update(detail={})
    )


register_holding(
    Holding(
        name="site",
        covers={
            "awl.OutboundMessage": "mail to the person: address replaced, subject and body emptied",
            "awl.AuditEntry": "entries about the person keep the action and officer, lose the name",
            "admin.LogEntry": "the admin's log of the person's rows loses the name and the message",
            "awl.RetentionHold": "deleted (the person is gone, so is the reason to keep them)",
        },
        export=export,
        erase=erase,
        order=1000,
    )
)
register_retention(
    RetentionRule(
        key="site.sent_mail",
        label="Bodies and attachments of e-mail sent or given up on",
        days=lambda: settings.AWL_RETAIN_SENT_MAIL_DAYS,
        run=_sent_mail_bodies,
    )
)
register_retention(
    RetentionRule(
        key="site.audit_detail",
        label="Particulars of audit entries (who did what stays)",
        days=lambda: settings.AWL_RETAIN_AUDIT_DETAIL_DAYS,
        run=_audit_details,
    )
)
