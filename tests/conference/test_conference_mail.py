"""The conference mail sweep: a document's notice once per version, and the reminder a week before.

The sweep (``conference.notices.sweep``, run by beat and by
``send_conference_mail``) queues one outbox message per member of a
document's audience once its publication time has passed, and again only
for a new version; and from 09:00 London a week before the first day, the
practical-information reminder to every current registration, once.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from awl.celery import app
from awl.models import AuditEntry, OutboundMessage
from conference.models import Audience, Band, Conference, Document, DocumentKind, Registration, SessionKind
from conference.programme import notices
from conference.programme import services as programme
from conference.registration import services
from members.models import Branch, Member
from tests.conference.conftest import REGISTERING, paid_up_member
from tests.factories import LONDON_TZ
from tests.helpers.concurrency import errors, in_parallel

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PUBLISHED = dt.datetime(2027, 4, 1, 12, tzinfo=LONDON_TZ)
# The conference starts on Saturday 29 May 2027: the reminder is due from 09:00 on Saturday 22 May.
REMINDER_DUE = dt.datetime(2027, 5, 22, 9, tzinfo=LONDON_TZ)


def sweep_at(moment: dt.datetime) -> dict[str, int]:
    """Run the conference-mail sweep as of ``moment``."""
    return notices.sweep(moment)


def register(conference: Conference, member: Member) -> Registration:
    with time_machine.travel(REGISTERING, tick=False):
        return services.register(member=member, conference=conference, fee_band=Band.WAGED)


def add_document(conference: Conference, audience: str, **extra: Any) -> Document:
    return programme.add_document(
        actor=None,
        conference=conference,
        title=extra.pop("title", "Standing orders report"),
        kind=DocumentKind.REPORT,
        audience=audience,
        publish_on=extra.pop("publish_on", PUBLISHED),
        summary="The standing orders committee's report.",
        upload=SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
        **extra,
    )


def document_mail(document: Document) -> list[OutboundMessage]:
    prefix = f"conference-{document.conference_id}-document-{document.pk}-"
    return list(OutboundMessage.objects.filter(key__startswith=prefix).order_by("to", "key"))


def reminders(conference: Conference) -> list[str]:
    prefix = f"conference-{conference.pk}-registration-"
    return sorted(
        OutboundMessage.objects.filter(key__startswith=prefix, key__endswith="-reminder").values_list(
            "to", flat=True
        )
    )


@pytest.fixture
def people(london: Branch, delegate: Member) -> dict[str, Member]:
    """Dora (registered), Reg (registered) and Uma (a member, not registered)."""
    return {
        "dora": delegate,
        "reg": paid_up_member(london, "Reg Registered"),
        "uma": paid_up_member(london, "Uma Unregistered"),
    }


# Documents ------------------------------------------------------------------------------------------
def test_a_registered_only_document_is_sent_once_to_each_registered_member(
    conference: Conference, people: dict[str, Member]
) -> None:
    register(conference, people["dora"])
    register(conference, people["reg"])
    document = add_document(conference, Audience.REGISTERED)

    assert sweep_at(PUBLISHED - dt.timedelta(minutes=1))["document_mail"] == 0
    assert document_mail(document) == []

    first = sweep_at(PUBLISHED)
    again = sweep_at(PUBLISHED + dt.timedelta(minutes=5))

    sent = document_mail(document)
    assert (first["document_mail"], again["document_mail"]) == (2, 0)
    assert [m.to for m in sent] == ["dora.delegate@example.org", "reg.registered@example.org"]
    assert sent[0].subject == "New conference report: Standing orders report"
    assert f"/conference/2027/documents/{document.pk}/file/" in sent[0].body_text
    assert AuditEntry.objects.filter(action=notices.NOTICE_ACTION).count() == 1


def test_a_document_for_every_member_reaches_members_who_have_not_registered(
    conference: Conference, people: dict[str, Member]
) -> None:
    register(conference, people["dora"])
    document = add_document(conference, Audience.MEMBERS)

    sweep_at(PUBLISHED)

    recipients = {m.to for m in document_mail(document)}
    assert {"dora.delegate@example.org", "reg.registered@example.org", "uma.unregistered@example.org"} <= (
        recipients
    )


def test_a_cancelled_registration_is_not_sent_a_registered_only_document(
    conference: Conference, people: dict[str, Member]
) -> None:
    registration = register(conference, people["dora"])
    register(conference, people["reg"])
    with time_machine.travel(REGISTERING, tick=False):
        services.cancel_registration(actor=people["dora"].user, registration=registration)
    document = add_document(conference, Audience.REGISTERED)

    sweep_at(PUBLISHED)

    assert [m.to for m in document_mail(document)] == ["reg.registered@example.org"]


def test_a_new_file_sends_an_updated_notice_once_and_other_edits_send_nothing(
    conference: Conference, people: dict[str, Member], cac: Any
) -> None:
    register(conference, people["dora"])
    document = add_document(conference, Audience.REGISTERED)
    sweep_at(PUBLISHED)
    later = PUBLISHED + dt.timedelta(days=1)

    def edit(**extra: Any) -> None:
        with time_machine.travel(later, tick=False):
            programme.change_document(
                actor=cac,
                document=document,
                title=document.title,
                kind=document.kind,
                audience=document.audience,
                publish_on=document.publish_on,
                summary=extra.pop("summary", document.summary),
                **extra,
            )

    edit(summary="A corrected summary.")
    assert sweep_at(later)["document_mail"] == 0

    edit(upload=SimpleUploadedFile("report-v2.pdf", PDF + b"\n% v2\n", content_type="application/pdf"))
    assert sweep_at(later)["document_mail"] == 1
    assert sweep_at(later + dt.timedelta(minutes=5))["document_mail"] == 0

    mail = document_mail(document)
    assert [m.key.split("-")[4] for m in mail] == ["v1", "v2"]
    assert mail[1].subject == "Updated conference report: Standing orders report"
    assert "A new version" in mail[1].body_text


def test_a_document_of_a_conference_that_is_over_is_not_announced(
    conference: Conference, delegate: Member
) -> None:
    register(conference, delegate)
    document = add_document(conference, Audience.REGISTERED)

    sweep_at(dt.datetime(2027, 6, 1, 9, tzinfo=LONDON_TZ))

    assert document_mail(document) == []


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_tell_a_document_once(conference: Conference, people: dict[str, Member]) -> None:
    register(conference, people["dora"])
    register(conference, people["reg"])
    document = add_document(conference, Audience.REGISTERED)
    outcomes = in_parallel(4, lambda n: notices.tell_document(document.pk, PUBLISHED))

    assert errors(outcomes) == []
    assert sorted(outcome.result for outcome in outcomes) == [0, 0, 0, 2]
    assert len(document_mail(document)) == 2
    # The lock, not only the outbox keys, keeps it to one telling: one record of it in the audit trail.
    assert AuditEntry.objects.filter(action=notices.NOTICE_ACTION).count() == 1


# The practical-information reminder ----------------------------------------------------------------
def test_the_reminder_goes_a_week_before_to_each_registration_once(
    conference: Conference, people: dict[str, Member], cac: Any
) -> None:
    register(conference, people["dora"])
    register(conference, people["reg"])
    with time_machine.travel(REGISTERING, tick=False):
        services.invite(
            actor=cac, conference=conference, name="Gil Guest", email="gil@example.org", attendee="guest"
        )
    programme.add_session(
        actor=None,
        conference=conference,
        title="Opening plenary",
        kind=SessionKind.PLENARY,
        starts_at=dt.datetime(2027, 5, 29, 10, tzinfo=LONDON_TZ),
        ends_at=dt.datetime(2027, 5, 29, 12, tzinfo=LONDON_TZ),
        room="Main hall",
    )

    assert sweep_at(REMINDER_DUE - dt.timedelta(minutes=1))["reminders"] == 0
    assert sweep_at(REMINDER_DUE)["reminders"] == 3
    assert sweep_at(REMINDER_DUE + dt.timedelta(days=1))["reminders"] == 0

    assert reminders(conference) == [
        "dora.delegate@example.org",
        "gil@example.org",
        "reg.registered@example.org",
    ]
    mail = OutboundMessage.objects.get(to="dora.delegate@example.org", key__endswith="-reminder")
    assert mail.subject == "One week to go: Annual conference 2027"
    assert "Conway Hall, 25 Red Lion Square, London" in mail.body_text
    assert "10:00-12:00  Opening plenary (Main hall)" in mail.body_text


def test_a_cancelled_registration_gets_no_reminder(conference: Conference, people: dict[str, Member]) -> None:
    cancelled = register(conference, people["dora"])
    register(conference, people["reg"])
    with time_machine.travel(REGISTERING, tick=False):
        services.cancel_registration(actor=people["dora"].user, registration=cancelled)

    sweep_at(REMINDER_DUE)

    assert reminders(conference) == ["reg.registered@example.org"]


def test_no_reminder_once_the_conference_has_begun(conference: Conference, delegate: Member) -> None:
    register(conference, delegate)

    sweep_at(dt.datetime(2027, 5, 29, 8, tzinfo=LONDON_TZ))

    assert reminders(conference) == []


# Running it ------------------------------------------------------------------------------------------
def test_the_command_sweeps_as_of_the_time_given(conference: Conference, delegate: Member) -> None:
    register(conference, delegate)
    add_document(conference, Audience.REGISTERED)
    out = StringIO()

    call_command("send_conference_mail", "--now", "2027-05-22T09:30", stdout=out)

    assert out.getvalue().strip() == "1 documents to tell: 1 messages queued; 1 reminders queued"
    assert reminders(conference) == ["dora.delegate@example.org"]


def test_the_command_refuses_a_time_it_cannot_read(db: None) -> None:
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("send_conference_mail", "--now", "next Tuesday")


def test_beat_runs_the_sweep_on_an_interval() -> None:
    entry = app.conf.beat_schedule["send-conference-mail"]
    assert entry["task"] == "conference.tasks.send_conference_mail"
    assert isinstance(entry["schedule"], dt.timedelta)
    from conference.tasks import send_conference_mail

    assert send_conference_mail.name == entry["task"]
