"""Papers on agenda items: size and type checked by name and contents, served only to the committee.

A refused file leaves nothing behind: no row, and no file in storage. Every
test here stores files under a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from awl.models import AuditEntry
from committees import papers, services
from committees.models import AgendaItem, Committee, Meeting, Paper
from committees.services import CommitteeError
from members.models import Member
from tests.committees.meeting_objects import PDF


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


OOXML_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)
DOCX = zipped({"[Content_Types].xml": OOXML_TYPES, "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": OOXML_TYPES, "xl/workbook.xml": b"<workbook/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
ODS = zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"})
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256))
HTML = b"<html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def meeting(nc: Committee, nc_members: list[Member], secretary: Member) -> Meeting:
    """An NC meeting a month ahead, its agenda prepared."""
    starts = timezone.now() + dt.timedelta(days=30)
    meeting = services.call_meeting(
        actor=secretary.user, committee=nc, starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    services.prepare_agenda(actor=secretary.user, meeting=meeting)
    return meeting


@pytest.fixture
def item(meeting: Meeting) -> AgendaItem:
    """The reports item."""
    return meeting.items.get(section="reports")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def attach(actor: Member, item: AgendaItem, name: str, content: bytes, **kwargs: Any) -> Paper:
    return services.attach_paper(
        actor=actor.user, item=item, title="A paper", upload=upload(name, content, **kwargs)
    )


# What is accepted ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("budget.pdf", PDF, "application/pdf"),
        ("report.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("accounts.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("motion.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("figures.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
        ("notes.txt", "Grève générale — 2027\n".encode(), "text/plain; charset=utf-8"),
        ("branches.csv", b"branch,members\nLeeds,40\n", "text/csv; charset=utf-8"),
        ("SHOUTING.PDF", PDF, "application/pdf"),
    ],
)
def test_each_accepted_type_is_stored_with_its_own_content_type(
    item: AgendaItem, secretary: Member, media_root: Path, name: str, content: bytes, content_type: str
) -> None:
    paper = attach(secretary, item, name, content)

    assert paper.content_type == content_type
    assert paper.size == len(content)
    assert str(paper.file.name).startswith(f"papers/{item.meeting_id}/")
    assert [path.read_bytes() for path in stored_files(media_root)] == [content]
    assert AuditEntry.objects.filter(action="agenda.paper_attached", actor=secretary.user).count() == 1


def test_the_browsers_content_type_is_never_trusted(item: AgendaItem, secretary: Member) -> None:
    paper = attach(secretary, item, "budget.pdf", PDF, content_type="text/html")

    assert paper.content_type == "application/pdf"
    with pytest.raises(CommitteeError, match=re.escape("contents are not a .pdf file")):
        attach(secretary, item, "budget.pdf", HTML, content_type="application/pdf")


def test_the_stored_name_is_sanitised_and_offered_back_without_its_prefix(
    item: AgendaItem, secretary: Member, media_root: Path
) -> None:
    paper = attach(secretary, item, "../../etc/Budget 2027 <draft> \u202eexe.pdf", PDF)

    [stored] = stored_files(media_root)
    assert stored.parent == media_root / "papers" / str(item.meeting_id)
    assert papers.download_name(str(paper.file.name)) == "Budget_2027_draft_exe.pdf"
    assert stored.name.endswith("-Budget_2027_draft_exe.pdf")


def test_a_very_long_name_is_shortened_to_fit(item: AgendaItem, secretary: Member) -> None:
    paper = attach(secretary, item, "x" * 300 + ".pdf", PDF)

    assert len(str(paper.file.name)) <= 100
    assert papers.download_name(str(paper.file.name)) == "x" * papers.NAME_STEM_MAX + ".pdf"


# What is refused ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        pytest.param("setup.exe", EXE, "does not end in one of those", id="exe"),
        pytest.param("noextension", PDF, "does not end in one of those", id="no-extension"),
        pytest.param("page.html", HTML, "does not end in one of those", id="html"),
        pytest.param("minutes.pdf", EXE, "contents are not a .pdf file", id="exe-named-pdf"),
        pytest.param("minutes.docx", ODT, "contents are not a .docx file", id="odt-named-docx"),
        pytest.param(
            "minutes.docx", b"PK\x03\x04 not really a zip", "contents are not a .docx", id="bad-zip"
        ),
        pytest.param("accounts.xlsx", DOCX, "contents are not a .xlsx file", id="docx-named-xlsx"),
        pytest.param("figures.ods", ODT, "contents are not a .ods file", id="odt-named-ods"),
        pytest.param(
            "motion.odt", zipped({"content.xml": b"x"}), "contents are not a .odt", id="no-mimetype"
        ),
        pytest.param("notes.txt", b"caf\xe9 in Latin-1", "contents are not a .txt file", id="not-utf8"),
        pytest.param("notes.txt", b"text\x00with a null", "contents are not a .txt file", id="null-byte"),
        pytest.param("notes.txt", EXE, "contents are not a .txt file", id="exe-named-txt"),
        pytest.param("empty.pdf", b"", "The file is empty.", id="empty"),
    ],
)
def test_a_paper_of_the_wrong_type_is_refused_and_nothing_is_kept(
    item: AgendaItem, secretary: Member, media_root: Path, name: str, content: bytes, reason: str
) -> None:
    with pytest.raises(CommitteeError, match=re.escape(reason)):
        attach(secretary, item, name, content)

    assert not Paper.objects.exists()
    assert stored_files(media_root) == []
    assert not AuditEntry.objects.filter(action="agenda.paper_attached").exists()


@pytest.mark.parametrize(
    ("title", "reason"),
    [("   ", "A paper needs a title."), ("x" * 201, "at most 200 characters")],
)
def test_a_paper_without_a_title_or_with_too_long_a_one_is_refused(
    item: AgendaItem, secretary: Member, media_root: Path, title: str, reason: str
) -> None:
    with pytest.raises(CommitteeError, match=re.escape(reason)):
        services.attach_paper(actor=secretary.user, item=item, title=title, upload=upload("budget.pdf", PDF))

    assert not Paper.objects.exists()
    assert stored_files(media_root) == []
    at_limit = services.attach_paper(
        actor=secretary.user, item=item, title="x" * 200, upload=upload("budget.pdf", PDF)
    )
    assert list(Paper.objects.all()) == [at_limit]


def test_a_paper_over_the_size_limit_is_refused(
    settings: Any, item: AgendaItem, secretary: Member, media_root: Path
) -> None:
    settings.PAPER_MAX_BYTES = len(PDF)

    at_limit = attach(secretary, item, "budget.pdf", PDF)
    with pytest.raises(CommitteeError, match=rf"a paper can be at most {len(PDF)}\xa0bytes"):
        attach(secretary, item, "bigger.pdf", PDF + b" ")

    assert list(Paper.objects.all()) == [at_limit]
    assert len(stored_files(media_root)) == 1


def test_the_size_limit_defaults_to_ten_megabytes(settings: Any) -> None:
    del settings.PAPER_MAX_BYTES

    assert papers.max_bytes() == 10 * 1024 * 1024


def test_a_failure_after_the_file_is_written_leaves_no_file(
    item: AgendaItem, secretary: Member, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the audit log is down")

    monkeypatch.setattr(services, "log_action", broken)
    with pytest.raises(RuntimeError):
        attach(secretary, item, "budget.pdf", PDF)

    assert not Paper.objects.exists()
    assert stored_files(media_root) == []


def test_only_the_secretary_attaches_papers(item: AgendaItem, plain_member: Member, media_root: Path) -> None:
    with pytest.raises(CommitteeError, match=re.escape("Only the committee's secretary attaches papers.")):
        attach(plain_member, item, "budget.pdf", PDF)

    assert stored_files(media_root) == []


# The upload page -------------------------------------------------------------------------------------------
def test_the_upload_page_attaches_a_paper(client: Client, item: AgendaItem, secretary: Member) -> None:
    client.force_login(secretary.user)
    response = client.post(
        reverse("committees:paper_upload", args=[item.pk]),
        {"title": "Treasurer's report", "file": upload("report.pdf", PDF)},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")
    assert item.papers.get().title == "Treasurer's report"


def test_the_upload_page_says_why_a_file_is_refused_and_writes_nothing(
    client: Client, item: AgendaItem, secretary: Member, media_root: Path
) -> None:
    client.force_login(secretary.user)
    response = client.post(
        reverse("committees:paper_upload", args=[item.pk]),
        {"title": "Report", "file": upload("report.pdf", EXE, "application/pdf")},
    )

    assert response.status_code == 409
    assert "its contents are not a .pdf file" in response.content.decode()
    assert not Paper.objects.exists()
    assert stored_files(media_root) == []


def test_a_plain_member_cannot_upload_and_nothing_is_written(
    client: Client, item: AgendaItem, plain_member: Member, media_root: Path
) -> None:
    client.force_login(plain_member.user)
    response = client.post(
        reverse("committees:paper_upload", args=[item.pk]), {"title": "Mine", "file": upload("mine.pdf", PDF)}
    )

    assert response.status_code == 403
    assert not Paper.objects.exists()
    assert stored_files(media_root) == []


# Downloading -----------------------------------------------------------------------------------------------
@pytest.fixture
def paper(item: AgendaItem, secretary: Member) -> Paper:
    return attach(secretary, item, "Budget 2027.pdf", PDF, content_type="text/html")


def test_a_committee_member_downloads_a_paper_as_an_attachment_with_its_stored_type(
    client: Client, paper: Paper, plain_member: Member
) -> None:
    client.force_login(plain_member.user)
    response = client.get(reverse("committees:paper_download", args=[paper.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Budget_2027.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_a_text_paper_is_downloaded_not_shown(client: Client, item: AgendaItem, secretary: Member) -> None:
    text = attach(secretary, item, "notes.txt", b"<script>alert(1)</script>\n", content_type="text/html")
    client.force_login(secretary.user)
    response = client.get(reverse("committees:paper_download", args=[text.pk]))

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_nobody_outside_the_committee_can_download_a_paper(
    client: Client, ec: Committee, secretary: Member, people: dict[str, Member], outsider: Any, paper: Paper
) -> None:
    starts = timezone.now() + dt.timedelta(days=10)
    ec_meeting = services.call_meeting(
        actor=secretary.user, committee=ec, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )
    ec_item = services.add_agenda_item(actor=None, meeting=ec_meeting, section="reports", title="Reports")
    ec_paper = attach(secretary, ec_item, "ec.pdf", PDF)
    nc_only = people["Efa Morgan"]  # on the NC, not the EC

    client.force_login(outsider)
    outsider_status = client.get(reverse("committees:paper_download", args=[paper.pk])).status_code
    client.force_login(nc_only.user)
    other_committee = client.get(reverse("committees:paper_download", args=[ec_paper.pk])).status_code
    own_committee = client.get(reverse("committees:paper_download", args=[paper.pk])).status_code
    client.logout()
    anonymous = client.get(reverse("committees:paper_download", args=[paper.pk]))

    assert (outsider_status, other_committee, own_committee) == (404, 404, 200)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))


def test_a_paper_whose_file_has_gone_is_a_404(
    client: Client, paper: Paper, plain_member: Member, media_root: Path
) -> None:
    for path in stored_files(media_root):
        path.unlink()
    client.force_login(plain_member.user)

    assert client.get(reverse("committees:paper_download", args=[paper.pk])).status_code == 404


# Removing ---------------------------------------------------------------------------------------------------
def test_removing_a_paper_deletes_its_file_once_committed(
    client: Client,
    paper: Paper,
    secretary: Member,
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(secretary.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("committees:paper_delete", args=[paper.pk]))

    assert response.status_code == 302
    assert not Paper.objects.exists()
    assert stored_files(media_root) == []
    assert AuditEntry.objects.filter(action="agenda.paper_removed", actor=secretary.user).count() == 1


def test_a_refused_removal_keeps_the_paper_and_its_file(
    client: Client,
    paper: Paper,
    plain_member: Member,
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(plain_member.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("committees:paper_delete", args=[paper.pk]))

    assert response.status_code == 403
    assert Paper.objects.filter(pk=paper.pk).exists()
    assert len(stored_files(media_root)) == 1


def test_removing_an_item_removes_its_papers_and_their_files(
    client: Client,
    paper: Paper,
    item: AgendaItem,
    secretary: Member,
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    attach(secretary, item, "second.txt", b"More.\n")
    client.force_login(secretary.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("committees:agenda_item_delete", args=[item.pk]))

    assert response.status_code == 302
    assert not Paper.objects.exists()
    assert stored_files(media_root) == []


# The members' meeting page ----------------------------------------------------------------------------------
def test_members_see_the_published_agenda_with_item_text_and_paper_links(
    client: Client, meeting: Meeting, item: AgendaItem, paper: Paper, secretary: Member, plain_member: Member
) -> None:
    services.update_agenda_item(
        actor=secretary.user,
        item=item,
        title="Reports",
        body="The treasurer reports on the budget.",
        section="reports",
    )
    url = reverse("committees:meeting_detail", args=[meeting.pk])
    link = reverse("committees:paper_download", args=[paper.pk])
    client.force_login(plain_member.user)
    before = client.get(url).content.decode()
    services.publish_agenda(actor=secretary.user, meeting=meeting)
    after = client.get(url).content.decode()

    assert "The treasurer reports on the budget." not in before and link not in before
    assert "The treasurer reports on the budget." in after
    assert f'<a href="{link}">A paper</a>' in after  # by its title; the file name is the download's
