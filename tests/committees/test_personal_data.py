"""The committees' part of a member's data export and of their erasure (issue 15).

Ben Plain sits on the NC and the EC, held a seat on a working group that
ended, sent apologies with a note, attended, owns an action point, drafted
minutes, uploaded a paper and has a calendar feed. His export shows each of
these; his erasure leaves none of the free text about him in the committees'
tables, deletes his feed address, and the counts stay as they were.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core import serializers
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from awl import personal_data
from awl.models import AuditEntry
from committees import services
from committees.models import (
    ActionPoint,
    AgendaItem,
    AgendaSection,
    Apology,
    ApologyChannel,
    Attendance,
    CalendarToken,
    Committee,
    Meeting,
    MeetingStatus,
    Minutes,
    Paper,
    Term,
    TermBasis,
)
from members import services as member_services
from members.models import Member
from members.personal_data import person_for_member
from tests.committees.conftest import TERMS_FROM
from tests.factories import CommitteeFactory

BASIS_MARKER = "basis-zq81-Ben-was-co-opted-after-the-Leeds-row"
END_MARKER = "end-zq82-Ben-stood-down-for-health-reasons"
APOLOGY_MARKER = "apology-zq83-hospital-appointment"
PAPER_TITLE = "Report on the bus strike zq84"
MINUTES_MARKER = "minutes-zq85"
ACTION_TEXT = "Ben Plain to book the hall for the rally zq86"


def held(committee: Committee, days_ago: int) -> Meeting:
    starts = (timezone.now() - dt.timedelta(days=days_ago)).replace(second=0, microsecond=0)
    return Meeting.objects.create(
        committee=committee,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        status=MeetingStatus.HELD,
    )


@pytest.fixture
def bens_rows(nc: Committee, plain_member: Member, secretary: Member) -> dict[str, Any]:
    ben = plain_member
    Term.objects.filter(member=ben, committee=nc).update(basis_detail=BASIS_MARKER)
    working_group = CommitteeFactory.create(name="Transport Working Group", slug="twg")
    ended = services.start_term(
        actor=None,
        committee=working_group,
        member=ben,
        role="member",
        starts_on=TERMS_FROM,
        basis=TermBasis.CO_OPTED,
    )
    services.end_term(
        actor=None, term=ended, ends_on=timezone.localdate() - dt.timedelta(days=3), reason=END_MARKER
    )
    missed, attended = held(nc, 20), held(nc, 10)
    Apology.objects.create(meeting=missed, member=ben, channel=ApologyChannel.SITE, note=APOLOGY_MARKER)
    Attendance.objects.create(meeting=missed, member=ben, present=False, recorded_by=secretary.user)
    Attendance.objects.create(meeting=attended, member=ben, present=True, recorded_by=secretary.user)
    Attendance.objects.create(meeting=attended, member=secretary, present=True, recorded_by=ben.user)
    ActionPoint.objects.create(meeting=attended, text=ACTION_TEXT, owner=ben, due_on=dt.date(2027, 1, 15))
    Minutes.objects.create(meeting=attended, text=f"The NC met. {MINUTES_MARKER}", drafted_by=ben.user)
    item = AgendaItem.objects.create(
        meeting=attended, position=1, section=AgendaSection.REPORTS, title="Reports"
    )
    Paper.objects.create(
        item=item,
        title=PAPER_TITLE,
        file="papers/x/report.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_by=ben.user,
    )
    token = services.new_calendar_token(actor=ben.user, member=ben)
    return {
        "ben": ben,
        "missed": missed,
        "attended": attended,
        "token": token,
        "working_group": working_group,
    }


def test_the_export_holds_every_kind_of_committee_row_about_the_member(bens_rows: dict[str, Any]) -> None:
    ben = bens_rows["ben"]

    data = personal_data.export_person(person_for_member(ben))["committees"]

    json.dumps(data)  # JSON-ready
    terms = {t["committee"]: t for t in data["terms_of_office"]}
    assert terms["National Committee"]["basis_detail"] == BASIS_MARKER
    assert terms["National Committee"]["basis"] == "Elected at conference"
    assert terms["Executive Committee"]["ends_on"] is None
    assert terms["Transport Working Group"]["end_reason"] == END_MARKER
    assert (
        terms["Transport Working Group"]["ends_on"]
        == (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    )
    recorded = {a["meeting"]: a["recorded"] for a in data["attendance"]}
    assert recorded == {
        str(bens_rows["missed"]): "absent with apologies",
        str(bens_rows["attended"]): "present",
    }
    assert [a["note"] for a in data["apologies"]] == [APOLOGY_MARKER]
    assert [(p["text"], p["due_on"]) for p in data["action_points"]] == [(ACTION_TEXT, "2027-01-15")]
    [feed] = data["calendar_feeds"]
    assert feed["created_at"] == bens_rows["token"].created_at.isoformat()
    assert bens_rows["token"].token not in json.dumps(data)  # that it exists, never the secret
    assert [m["meeting"] for m in data["minutes_drafted"]] == [str(bens_rows["attended"])]
    assert [p["title"] for p in data["papers_uploaded"]] == [PAPER_TITLE]


def test_the_export_of_someone_else_shows_none_of_bens_rows(
    bens_rows: dict[str, Any], secretary: Member
) -> None:
    data = personal_data.export_person(person_for_member(secretary))["committees"]

    text = json.dumps(data)
    for marker in (BASIS_MARKER, END_MARKER, APOLOGY_MARKER, ACTION_TEXT, PAPER_TITLE):
        assert marker not in text


def committees_tables() -> str:
    rows = [
        *Term.objects.all(),
        *Apology.objects.all(),
        *Attendance.objects.all(),
        *ActionPoint.objects.all(),
        *CalendarToken.objects.all(),
        *Minutes.objects.all(),
        *Paper.objects.all(),
        *Meeting.objects.all(),
        *AgendaItem.objects.all(),
        *Committee.objects.all(),
    ]
    return serializers.serialize("json", rows)


def test_erasure_leaves_no_free_text_about_the_member_and_keeps_the_counts(
    client: Client, bens_rows: dict[str, Any], national_office: Any, nc: Committee
) -> None:
    ben = bens_rows["ben"]
    before = {
        "terms": Term.objects.filter(member=ben).count(),
        "attendance": Attendance.objects.filter(member=ben).count(),
        "present": Attendance.objects.filter(member=ben, present=True).count(),
        "apologies": Apology.objects.filter(member=ben).count(),
        "all attendance": Attendance.objects.count(),
        "action points": ActionPoint.objects.filter(owner=ben).count(),
    }
    assert all(before.values())
    dumped = committees_tables()
    for marker in (BASIS_MARKER, END_MARKER, APOLOGY_MARKER, "Ben Plain"):
        assert marker in dumped  # the control: the dump does see them

    member_services.erase_member(actor=national_office, member=ben, reason="erasure request of 1 December")

    dumped = committees_tables()
    for marker in (BASIS_MARKER, END_MARKER, APOLOGY_MARKER, "Ben Plain"):
        assert marker not in dumped
    assert before == {
        "terms": Term.objects.filter(member=ben).count(),
        "attendance": Attendance.objects.filter(member=ben).count(),
        "present": Attendance.objects.filter(member=ben, present=True).count(),
        "apologies": Apology.objects.filter(member=ben).count(),
        "all attendance": Attendance.objects.count(),
        "action points": ActionPoint.objects.filter(owner=ben).count(),
    }
    assert (
        ActionPoint.objects.get(owner=ben).text
        == f"Erased member {ben.pk} to book the hall for the rally zq86"
    )
    assert not CalendarToken.objects.filter(member=ben).exists()
    assert Paper.objects.get().title == PAPER_TITLE  # the meeting's paper stays
    assert END_MARKER not in json.dumps(list(AuditEntry.objects.values_list("detail", flat=True)))
    token = bens_rows["token"].token
    assert client.get(reverse("committees:member_feed", args=[token])).status_code == 404
    assert client.get(reverse("committees:committee_feed", args=[nc.slug, token])).status_code == 404


def test_erasure_of_one_member_leaves_the_others_rows_alone(
    bens_rows: dict[str, Any], national_office: Any, secretary: Member
) -> None:
    Apology.objects.create(
        meeting=bens_rows["attended"], member=secretary, channel="site", note="Ada's train"
    )
    Term.objects.filter(member=secretary).update(basis_detail="Ada's basis")

    member_services.erase_member(actor=national_office, member=bens_rows["ben"], reason="request")

    assert Apology.objects.get(member=secretary).note == "Ada's train"
    assert set(Term.objects.filter(member=secretary).values_list("basis_detail", flat=True)) == {
        "Ada's basis"
    }
