"""A committee meeting from the secretary's schedule to the quorum on the day.

The secretary generates the National Committee's next meetings from its
cycle, prepares the first one's agenda, attaches a paper and publishes it.
The notice sweep (the same function Celery beat runs) e-mails the agenda; a
member opens the apology link in it without logging in and sends apologies.
On the day of another meeting the secretary records attendance on a phone
and sees the meeting become quorate.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import FilePayload, Page, expect

from awl.models import OutboundMessage
from committees import notices
from committees.models import (
    Apology,
    ApologyChannel,
    Attendance,
    Committee,
    Meeting,
    Paper,
    TermBasis,
    TermRole,
)
from committees.services import start_term
from members.models import Branch, Member
from tests.e2e.pages import main_menu
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.e2e

# A small PDF: what the upload check reads is its "%PDF-" signature.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
OTHERS = ["Cleo Rhys", "Dev Anand", "Efa Morgan", "Finn Doyle"]


@pytest.fixture
def national_committee(member: Member) -> Committee:
    """The NC: every sixth Saturday at 11:00, 14 days' notice, quorum the larger of 3 and half."""
    saturday = timezone.localdate() - dt.timedelta(days=(timezone.localdate().weekday() - 5) % 7 + 7)
    committee = Committee.objects.create(
        name="National Committee",
        slug="nc",
        kind="national",
        notice_days=14,
        quorum_minimum=3,
        quorum_fraction=Decimal("0.5"),
        default_venue="Conway Hall, London",
        cycle_rule="FREQ=WEEKLY;INTERVAL=6;BYDAY=SA",
        cycle_start=dt.datetime.combine(saturday, dt.time(11), tzinfo=timezone.get_current_timezone()),
        meeting_minutes=300,
    )
    start_term(
        actor=None,
        committee=committee,
        member=member,
        role=TermRole.MEMBER,
        starts_on=dt.date(2025, 6, 7),
        basis=TermBasis.ELECTED_AT_CONFERENCE,
    )
    return committee


@pytest.fixture
def nc_secretary(national_committee: Committee, london: Branch) -> Member:
    """Ada Secretary, the NC's secretary; four more members sit on it with Rosa (the member)."""

    def seat(name: str, role: str) -> Member:
        username = name.lower().replace(" ", ".")
        person = make_member(
            london,
            full_name=name,
            joined_on=dt.date(2024, 9, 1),
            user=UserFactory(username=username, email=f"{username}@example.org"),
        )
        start_term(
            actor=None,
            committee=national_committee,
            member=person,
            role=role,
            starts_on=dt.date(2025, 6, 7),
            basis=TermBasis.ELECTED_AT_CONFERENCE,
        )
        return person

    secretary = seat("Ada Secretary", TermRole.SECRETARY)
    for name in OTHERS:
        seat(name, TermRole.MEMBER)
    return secretary


@pytest.fixture
def meeting_today(national_committee: Committee, nc_secretary: Member) -> Meeting:
    """An emergency meeting that began ten minutes ago: attendance is taken on the day."""
    began = timezone.now() - dt.timedelta(minutes=10)
    return Meeting.objects.create(
        committee=national_committee,
        starts_at=began,
        ends_at=began + dt.timedelta(hours=2),
        kind="emergency",
        emergency_reason="The venue for conference fell through",
        venue="Conway Hall, London",
    )


def apology_path(message: OutboundMessage) -> str:
    [url] = re.findall(r"https?://\S+/apologies/\S+/", message.body_text)
    return urlsplit(url).path


def test_secretary_schedules_publishes_and_takes_attendance_and_a_member_sends_apologies(
    log_in: Callable[..., Page],
    browse: Callable[..., Page],
    member: Member,
    nc_secretary: Member,
    meeting_today: Meeting,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    horizon = timezone.localdate() + dt.timedelta(days=120)

    # The secretary generates the next meetings from the cycle.
    page = log_in("nc_secretary")
    main_menu(page).get_by_role("link", name="Committees").click()
    page.get_by_role("link", name="National Committee").click()
    page.get_by_role("link", name="Manage meetings").click()
    page.get_by_label("Generate meetings up to").fill(horizon.isoformat())
    page.get_by_role("button", name="Generate meetings").click()
    expect(page.get_by_role("status").first).to_contain_text("created")
    generated = list(
        Meeting.objects.filter(
            committee=nc_secretary.committee_terms.get().committee, occurrence__isnull=False
        )
    )
    assert len(generated) >= 2
    first = min(generated, key=lambda m: m.starts_at)
    assert timezone.localtime(first.starts_at).hour == 11

    # It prepares the first one's agenda, attaches a paper to the reports and publishes it.
    coming = page.get_by_role("region", name="Coming meetings")
    coming.get_by_role("link", name=f"{timezone.localtime(first.starts_at):%a %-d %b %Y, %H:%M}").click()
    page.get_by_role("link", name="Edit the agenda and its papers").click()
    page.get_by_role("button", name="Prepare from the standard order").click()
    page.get_by_role("link", name="Attach a paper to Reports").click()
    page.get_by_label("Title").fill("Treasurer's report")
    pdf: FilePayload = {"name": "treasurer.pdf", "mimeType": "application/pdf", "buffer": PDF}
    page.get_by_label("File").set_input_files(files=pdf)
    page.get_by_role("button", name=re.compile("Attach|Upload")).click()
    expect(page.get_by_role("link", name="Treasurer's report", exact=True)).to_be_visible()
    page.get_by_role("button", name="Publish the agenda").click()
    expect(page.get_by_role("status").first).to_contain_text("published")
    paper = Paper.objects.get()
    assert paper.item.meeting == first and paper.content_type == "application/pdf"

    # The sweep e-mails the agenda to every member, each with their own apology link.
    notices.sweep()
    agenda_mail = OutboundMessage.objects.filter(key__startswith=f"meeting-{first.pk}-agenda-")
    assert agenda_mail.count() == 2 + len(OTHERS)
    rosa_mail = agenda_mail.get(to=member.user.email)
    assert "Treasurer's report" in rosa_mail.body_text

    # Rosa opens the link on her phone, without logging in, and sends apologies.
    phone = browse(viewport="phone")
    phone.goto(apology_path(rosa_mail))
    expect(phone.get_by_role("heading", level=1, name="Apologies")).to_be_visible()
    phone.get_by_label("A note for the secretary (optional)").fill("At a picket line that morning")
    phone.get_by_role("button", name="Send my apologies").click()
    expect(phone.get_by_text("Your apologies for this meeting have been sent")).to_be_visible()
    apology = Apology.objects.get(meeting=first, member=member)
    assert apology.channel == ApologyChannel.LINK and apology.note == "At a picket line that morning"

    # On the day of today's meeting the secretary takes attendance on a phone and sees the quorum.
    desk = log_in("nc_secretary", viewport="phone")
    desk.goto(f"/meetings/{meeting_today.pk}/")
    desk.get_by_role("link", name="Record attendance").click()
    quorum = desk.locator("#quorum-status")
    expect(quorum).to_contain_text("not quorate")
    for name in ["Ada Secretary", "Cleo Rhys", "Dev Anand"]:
        present = desk.get_by_role("button", name=f"Present for {name}")
        present.click()
        expect(present).to_have_attribute("aria-pressed", "true")
    expect(quorum).to_contain_text("quorate")
    expect(quorum).not_to_contain_text("not quorate")
    assert Attendance.objects.filter(meeting=meeting_today, present=True).count() == 3

    # The members' page of the meeting shows the same.
    desk.goto(f"/meetings/{meeting_today.pk}/")
    expect(desk.locator("#quorum-status")).not_to_contain_text("not quorate")
