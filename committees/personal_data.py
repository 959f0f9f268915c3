"""The committees app in the personal-data registry: seats, attendance, apologies, action points, feeds.

A member's export lists their terms of office, their attendance and
apologies, the action points they own, their calendar feed addresses (that
they exist and when they were made, never the secret itself), and the
minutes and papers their account drafted or uploaded.

Erasure keeps what the committees' records must still count and show (a
seat held, who was present, what was agreed and by whom it is owed, now
under the erased member's placeholder) and empties the free text about the
person: the basis and end reason of their terms, the notes with their
apologies. Their calendar feed addresses are deleted, so no feed answers for
them again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from awl.models import AuditEntry
from awl.personal_data import Erasure, Holding, Person, register_holding
from committees.models import (
    ActionPoint,
    Apology,
    Attendance,
    CalendarToken,
    Minutes,
    Paper,
    Term,
)
from members.models import Member


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _member_id(person: Person) -> int:
    # 0 matches no row: a contact or a guest holds nothing here by member.
    return person.member_id if person.member_id is not None else 0


def _user_id(person: Person) -> int:
    return person.user_id if person.user_id is not None else 0


# Export ------------------------------------------------------------------------------------------
def export(person: Person) -> dict[str, Any]:
    member_id, user_id = _member_id(person), _user_id(person)
    terms = Term.objects.filter(member_id=member_id).select_related("committee").order_by("starts_on", "pk")
    attendance = {
        a.meeting_id: a
        for a in Attendance.objects.filter(member_id=member_id).select_related("meeting__committee")
    }
    apologies = {
        a.meeting_id: a
        for a in Apology.objects.filter(member_id=member_id).select_related("meeting__committee")
    }
    meetings = {
        **{pk: a.meeting for pk, a in apologies.items()},
        **{pk: a.meeting for pk, a in attendance.items()},
    }

    def was(meeting_id: int) -> str:
        if meeting_id in attendance:
            present = attendance[meeting_id].present
            if present:
                return "present"
            return "absent with apologies" if meeting_id in apologies else "absent"
        return "apologies"

    return {
        "terms_of_office": [
            {
                "committee": t.committee.name,
                "role": t.get_role_display(),
                "basis": t.get_basis_display(),
                "basis_detail": t.basis_detail,
                "starts_on": t.starts_on.isoformat(),
                "ends_on": _iso(t.ends_on),
                "end_reason": t.end_reason,
            }
            for t in terms
        ],
        "attendance": [
            {
                "committee": m.committee.name,
                "meeting": str(m),
                "date": timezone.localtime(m.starts_at).date().isoformat(),
                "recorded": was(pk),
            }
            for pk, m in sorted(meetings.items(), key=lambda kv: (kv[1].starts_at, kv[0]))
        ],
        "apologies": [
            {
                "committee": a.meeting.committee.name,
                "meeting": str(a.meeting),
                "sent_at": a.sent_at.isoformat(),
                "channel": a.get_channel_display(),
                "note": a.note,
            }
            for a in sorted(apologies.values(), key=lambda a: (a.sent_at, a.pk))
        ],
        "action_points": [
            {
                "committee": p.meeting.committee.name,
                "meeting": str(p.meeting),
                "text": p.text,
                "due_on": _iso(p.due_on),
                "done_at": _iso(p.done_at),
            }
            for p in ActionPoint.objects.filter(owner_id=member_id)
            .select_related("meeting__committee")
            .order_by("meeting__starts_at", "pk")
        ],
        # That a feed address exists and when it was made; the secret itself is never exported.
        "calendar_feeds": [
            {"created_at": c.created_at.isoformat(), "revoked_at": _iso(c.revoked_at)}
            for c in CalendarToken.objects.filter(member_id=member_id).order_by("created_at", "pk")
        ],
        "minutes_drafted": [
            {
                "meeting": str(m.meeting),
                "status": m.get_status_display(),
                "updated_at": m.updated_at.isoformat(),
            }
            for m in Minutes.objects.filter(drafted_by_id=user_id)
            .select_related("meeting__committee")
            .order_by("meeting__starts_at", "pk")
        ],
        "papers_uploaded": [
            {"title": p.title, "meeting": str(p.item.meeting), "uploaded_at": p.uploaded_at.isoformat()}
            for p in Paper.objects.filter(uploaded_by_id=user_id)
            .select_related("item__meeting__committee")
            .order_by("uploaded_at", "pk")
        ],
    }


# Erasure -----------------------------------------------------------------------------------------
def erase(erasure: Erasure) -> None:
    person = erasure.person
    if person.member_id is None and person.user_id is None:
        return
    member_id, user_id = _member_id(person), _user_id(person)
    terms = Term.objects.filter(member_id=member_id)
    term_pks = list(terms.values_list("pk", flat=True))
    for pk in term_pks:
        erasure.target("committees.term", pk)
    erasure.count("terms of office", terms.update(basis_detail="", end_reason=""))
    # The audit entry of a term's end carries its reason: the reason goes, the entry stays.
    if term_pks:
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(Term),
            target_id__in=[str(pk) for pk in term_pks],
            action="term.ended",
        ).update(detail={"reason": ""})
    erasure.count("apologies", Apology.objects.filter(member_id=member_id).update(note=""))
    erasure.count("attendance", Attendance.objects.filter(member_id=member_id).count())
    # Action points stay the committee's record of who owes what; the person's name in the text
    # becomes the placeholder, as the owner (their member row) does.
    member = Member.objects.filter(pk=member_id).only("full_name").first()
    points = ActionPoint.objects.filter(owner_id=member_id)
    names = {n for n in (member.full_name if member else "", person.label) if n.strip()}
    changed = []
    for point in points.only("pk", "text"):
        text = point.text
        for name in names:
            text = text.replace(name, erasure.placeholder)
        if text != point.text:
            point.text = text
            changed.append(point)
    ActionPoint.objects.bulk_update(changed, ["text"])
    erasure.count("action points", points.count())
    deleted, _ = CalendarToken.objects.filter(member_id=member_id).delete()
    erasure.count("calendar feeds", deleted)
    # Minutes and papers stay, linked to the account the membership holding anonymises.
    erasure.count(
        "minutes and papers",
        Minutes.objects.filter(drafted_by_id=user_id).count()
        + Paper.objects.filter(uploaded_by_id=user_id).count(),
    )
    erasure.count(
        "attendance recorded",
        Attendance.objects.filter(Q(recorded_by_id=user_id) & ~Q(member_id=member_id)).count(),
    )


register_holding(
    Holding(
        name="committees",
        covers={
            "committees.Term": "kept (seats and dates stay countable), basis detail and end reason emptied",
            "committees.Attendance": "kept for the quorum and attendance counts; recorded_by keeps the "
            "anonymised account",
            "committees.Apology": "kept for the counts, note emptied",
            "committees.ActionPoint": "kept: the committee's record of what was agreed; the owner is the "
            "anonymised member and their name in the text becomes the placeholder",
            "committees.CalendarToken": "deleted",
            "committees.Minutes": "kept: the committee's approved record, which others' decisions rest on; "
            "drafted_by keeps the anonymised account (the text is about the meeting, not the drafter)",
            "committees.Paper": "kept: a paper belongs to the meeting; uploaded_by keeps the anonymised "
            "account",
        },
        export=export,
        erase=erase,
    )
)
