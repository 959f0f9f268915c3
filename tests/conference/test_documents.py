"""Conference documents: who sees which, from when; the file's checks; versions.

A document is visible from its ``publish_on`` onwards, and only to its
audience: every member, or members with a current registration for the
conference. Anything else (not yet published, registered-only to someone not
registered, a cancelled registration) is a 404 for the file and absent from
the index. Files are checked by ``committees.papers``; a refused one writes
nothing. A new file for a published document is a new version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from awl.models import AuditEntry
from conference.models import Audience, Band, Conference, Document, DocumentKind, Registration
from conference.programme import services as programme
from conference.registration import services
from conference.registration.services import ConferenceError
from members.models import Branch, Member
from tests.conference.conftest import REGISTERING, paid_up_member
from tests.factories import LONDON_TZ

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PUBLISHED = dt.datetime(2027, 4, 1, 12, tzinfo=LONDON_TZ)
BEFORE = PUBLISHED - dt.timedelta(minutes=1)
AFTER = PUBLISHED + dt.timedelta(minutes=1)


def pdf(name: str = "report.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def add(conference: Conference, audience: str, title: str = "Treasurer's report", **extra: Any) -> Document:
    extra.setdefault("upload", pdf())
    return programme.add_document(
        actor=None,
        conference=conference,
        title=title,
        kind=DocumentKind.REPORT,
        audience=audience,
        publish_on=extra.pop("publish_on", PUBLISHED),
        **extra,
    )


def register(conference: Conference, member: Member) -> Registration:
    with time_machine.travel(REGISTERING, tick=False):
        return services.register(member=member, conference=conference, fee_band=Band.WAGED)


@pytest.fixture
def outsider_member(london: Branch, dues_rates: Any) -> Member:
    """Uma Unregistered, a paid-up London member who has not registered."""
    return paid_up_member(london, "Uma Unregistered")


def index(client: Client, conference: Conference, user: Any, at: dt.datetime = AFTER) -> list[str]:
    with time_machine.travel(at, tick=False):
        client.force_login(user)
        response = client.get(reverse("conference:documents", args=[conference.slug]))
    assert response.status_code == 200
    return [document.title for document, _ in response.context["documents"]]


def download(client: Client, document: Document, user: Any, at: dt.datetime = AFTER) -> Any:
    with time_machine.travel(at, tick=False):
        client.force_login(user)
        return client.get(
            reverse("conference:document_download", args=[document.conference.slug, document.pk])
        )


# Who sees what, from when ----------------------------------------------------------------------------
def test_a_registered_only_document_is_for_registered_members_once_published(
    client: Client, conference: Conference, delegate: Member, outsider_member: Member
) -> None:
    register(conference, delegate)
    document = add(conference, Audience.REGISTERED)

    assert index(client, conference, delegate.user) == ["Treasurer's report"]
    response = download(client, document, delegate.user)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"

    # A member who has not registered neither sees it listed nor reaches its file.
    assert index(client, conference, outsider_member.user) == []
    assert download(client, document, outsider_member.user).status_code == 404


def test_nobody_but_the_cac_sees_a_document_before_its_publication_time(
    client: Client, conference: Conference, delegate: Member, cac: Any
) -> None:
    register(conference, delegate)
    document = add(conference, Audience.MEMBERS)

    assert index(client, conference, delegate.user, at=BEFORE) == []
    assert download(client, document, delegate.user, at=BEFORE).status_code == 404
    # The CAC checks it before members see it.
    assert index(client, conference, cac, at=BEFORE) == ["Treasurer's report"]
    assert download(client, document, cac, at=BEFORE).status_code == 200

    assert download(client, document, delegate.user, at=PUBLISHED).status_code == 200


def test_a_document_for_every_member_needs_no_registration(
    client: Client, conference: Conference, outsider_member: Member
) -> None:
    document = add(conference, Audience.MEMBERS)

    assert index(client, conference, outsider_member.user) == ["Treasurer's report"]
    assert download(client, document, outsider_member.user).status_code == 200


def test_a_cancelled_registration_loses_the_registered_only_documents(
    client: Client, conference: Conference, delegate: Member
) -> None:
    registration = register(conference, delegate)
    add(conference, Audience.MEMBERS, title="Bulletin")
    registered_only = add(conference, Audience.REGISTERED, title="Delegates' pack")
    with time_machine.travel(REGISTERING, tick=False):
        services.cancel_registration(actor=delegate.user, registration=registration)

    assert index(client, conference, delegate.user) == ["Bulletin"]
    assert download(client, registered_only, delegate.user).status_code == 404


def test_people_who_are_not_members_are_refused_the_documents(
    client: Client, conference: Conference, outsider: Any
) -> None:
    document = add(conference, Audience.MEMBERS)
    with time_machine.travel(AFTER, tick=False):
        client.force_login(outsider)
        assert client.get(reverse("conference:documents", args=[conference.slug])).status_code == 403
        assert (
            client.get(
                reverse("conference:document_download", args=[conference.slug, document.pk])
            ).status_code
            == 404
        )


def test_a_document_of_another_conference_is_not_found_under_this_one(
    client: Client, conference: Conference, delegate: Member
) -> None:
    other = Conference.objects.create(
        year=2028,
        title="Conference 2028",
        slug="2028",
        starts_on=dt.date(2028, 5, 27),
        ends_on=dt.date(2028, 5, 28),
        venue="Hall",
        city="Leeds",
        registration_opens_at=dt.datetime(2028, 1, 1, tzinfo=LONDON_TZ),
        registration_closes_at=dt.datetime(2028, 5, 1, tzinfo=LONDON_TZ),
        eligibility_cutoff=dt.date(2028, 3, 1),
    )
    theirs = add(other, Audience.MEMBERS)
    with time_machine.travel(AFTER, tick=False):
        client.force_login(delegate.user)
        response = client.get(reverse("conference:document_download", args=[conference.slug, theirs.pk]))
    assert response.status_code == 404


def test_a_summary_only_document_is_listed_and_has_no_file(
    client: Client, conference: Conference, delegate: Member
) -> None:
    document = add(conference, Audience.MEMBERS, upload=None, summary="The hall opens at 9.")

    assert index(client, conference, delegate.user) == ["Treasurer's report"]
    assert download(client, document, delegate.user).status_code == 404


def test_the_index_runs_a_fixed_number_of_queries(
    client: Client, conference: Conference, delegate: Member, django_assert_max_num_queries: Any
) -> None:
    register(conference, delegate)
    add(conference, Audience.MEMBERS, upload=None, summary="First")
    url = reverse("conference:documents", args=[conference.slug])
    with time_machine.travel(AFTER, tick=False):
        client.force_login(delegate.user)
        with django_assert_max_num_queries(20) as few:
            client.get(url)
    for n in range(15):
        add(conference, Audience.REGISTERED if n % 2 else Audience.MEMBERS, title=f"Paper {n}")
    with time_machine.travel(AFTER, tick=False), django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["documents"]) == 16


# The CAC's pages ---------------------------------------------------------------------------------------
def document_post(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Pre-conference bulletin 1",
        "kind": "bulletin",
        "audience": "registered",
        "publish_on": "2027-04-01T12:00",
        "summary": "",
        "file": pdf("bulletin.pdf"),
        **overrides,
    }


def test_the_cac_adds_a_document_published_at_a_london_time(
    client: Client, conference: Conference, cac: Any
) -> None:
    with time_machine.travel(REGISTERING, tick=False):
        client.force_login(cac)
        response = client.post(reverse("conference:document_add", args=[conference.slug]), document_post())

    assert response.status_code == 302
    document = Document.objects.get()
    assert document.publish_on == dt.datetime(2027, 4, 1, 11, tzinfo=dt.UTC)  # 12:00 BST
    assert (document.audience, document.content_type, document.version) == (
        "registered",
        "application/pdf",
        1,
    )
    assert programme_download_name(document) == "bulletin.pdf"
    assert AuditEntry.objects.filter(action="conference.document_added").count() == 1


def programme_download_name(document: Document) -> str:
    from committees.papers import download_name

    return download_name(document.file.name or "")


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (
            SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00 a program", content_type="application/pdf"),
            "contents",
        ),
        (SimpleUploadedFile("tool.exe", PDF, content_type="application/pdf"), "name does not end"),
        (SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"), "empty"),
    ],
)
def test_a_file_that_is_not_a_paper_is_refused_with_nothing_written(
    client: Client, conference: Conference, cac: Any, upload: SimpleUploadedFile, error: str
) -> None:
    with time_machine.travel(REGISTERING, tick=False):
        client.force_login(cac)
        response = client.post(
            reverse("conference:document_add", args=[conference.slug]), document_post(file=upload)
        )

    assert response.status_code in (200, 409)
    assert error in response.content.decode()
    assert not Document.objects.exists()


@override_settings(PAPER_MAX_BYTES=50)
def test_a_file_over_the_size_limit_is_refused(conference: Conference, cac: Any) -> None:
    with pytest.raises(ConferenceError, match="at most 50"):
        add(conference, Audience.MEMBERS, upload=pdf(content=PDF + b" " * 100))
    assert not Document.objects.exists()


def test_a_document_needs_a_file_or_a_summary(client: Client, conference: Conference, cac: Any) -> None:
    with time_machine.travel(REGISTERING, tick=False):
        client.force_login(cac)
        response = client.post(
            reverse("conference:document_add", args=[conference.slug]), document_post(file="")
        )

    assert response.status_code == 409
    assert "Attach a file or write a summary" in response.content.decode()
    assert not Document.objects.exists()


def test_a_new_file_for_a_published_document_is_a_new_version(
    client: Client, conference: Conference, cac: Any
) -> None:
    document = add(conference, Audience.MEMBERS)
    first_file = document.file.name
    url = reverse("conference:document_edit", args=[conference.slug, document.pk])

    # Before publication a new file is no new version: nobody has seen the first.
    with time_machine.travel(BEFORE, tick=False):
        client.force_login(cac)
        client.post(url, document_post(audience="members", file=pdf("draft2.pdf")))
    document.refresh_from_db()
    assert document.version == 1 and document.file.name != first_file

    # Published, a change of wording alone is no new version either...
    with time_machine.travel(AFTER, tick=False):
        client.post(url, document_post(audience="members", file="", summary="Now with a summary."))
    document.refresh_from_db()
    assert (document.version, document.summary) == (1, "Now with a summary.")

    # ...but a new file is.
    with time_machine.travel(AFTER, tick=False):
        response = client.post(url, document_post(audience="members", file=pdf("report-v2.pdf")), follow=True)
    document.refresh_from_db()
    assert document.version == 2
    assert programme_download_name(document) == "report-v2.pdf"
    assert "its readers will be told" in response.content.decode()


def test_the_cac_removes_a_document(client: Client, conference: Conference, cac: Any) -> None:
    document = add(conference, Audience.MEMBERS)
    client.force_login(cac)

    client.post(reverse("conference:document_delete", args=[conference.slug, document.pk]))

    assert not Document.objects.exists()
    assert AuditEntry.objects.filter(action="conference.document_removed").count() == 1


def test_members_cannot_add_documents(client: Client, conference: Conference, delegate: Member) -> None:
    with time_machine.travel(REGISTERING, tick=False):
        client.force_login(delegate.user)
        response = client.post(reverse("conference:document_add", args=[conference.slug]), document_post())
    assert response.status_code == 403
    with pytest.raises(ConferenceError):
        programme.add_document(
            actor=delegate.user,
            conference=conference,
            title="Mine",
            kind=DocumentKind.DISCUSSION,
            audience=Audience.MEMBERS,
            publish_on=PUBLISHED,
            summary="My views",
        )
    assert not Document.objects.exists()
