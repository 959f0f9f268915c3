"""Apologies from the site, attendance on a phone, and the quorum shown live.

A member of the committee sends apologies from the meeting page; the
secretary marks each member present or absent with one tap (a small POST
form, or fetch with the same form's data) and sees the quorum; everyone on
the committee sees on the meeting page, polled every few seconds, whether
the meeting is quorate. A plain member cannot record attendance, an outsider
sees nothing, and bad input writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from committees import services
from committees.models import Apology, ApologyChannel, Attendance, Committee, Meeting, TermRole
from members.models import Branch, Member
from tests.committees.conftest import admit, elect
from tests.committees.record_helpers import call
from tests.helpers.clock import frozen, london_time
from tests.helpers.http import as_user, shown

EC_MONDAY = london_time(2026, 3, 9, 19)  # an EC meeting; the EC has four members and a quorum of 3
ON_THE_NIGHT = EC_MONDAY + dt.timedelta(minutes=10)
A_WEEK_BEFORE = EC_MONDAY - dt.timedelta(days=7)


@pytest.fixture
def meeting(ec: Committee, ec_members: list[Member], secretary: Member) -> Meeting:
    return call(ec, secretary, EC_MONDAY)


# Apologies ----------------------------------------------------------------------------------------
def test_a_member_sends_apologies_with_a_note_from_the_meeting_page(
    client: Client, meeting: Meeting, plain_member: Member
) -> None:
    as_user(client, plain_member)
    with frozen(A_WEEK_BEFORE):
        page = client.get(reverse("committees:meeting_detail", args=[meeting.pk]))
        assert reverse("committees:send_apologies", args=[meeting.pk]) in page.content.decode()

        response = client.post(
            reverse("committees:send_apologies", args=[meeting.pk]), {"note": "On a picket line"}, follow=True
        )
    apology = Apology.objects.get(meeting=meeting, member=plain_member)
    assert (apology.channel, apology.note) == (ApologyChannel.SITE, "On a picket line")
    assert response.redirect_chain[-1][0] == reverse("committees:meeting_detail", args=[meeting.pk])
    assert shown(response) == ["Your apologies have been sent to the secretary."]
    html = response.content.decode()
    assert "You sent apologies for this meeting" in html
    assert 'action="{}"'.format(reverse("committees:send_apologies", args=[meeting.pk])) not in html


def test_the_apologies_form_is_only_for_members_and_only_before_the_meeting(
    client: Client,
    meeting: Meeting,
    plain_member: Member,
    national_office: object,
    outsider: object,
    people: dict[str, Member],
) -> None:
    url = reverse("committees:send_apologies", args=[meeting.pk])
    with frozen(A_WEEK_BEFORE):
        # National office sees the meeting but sits on no committee: nothing to send apologies for.
        as_user(client, national_office)
        assert client.post(url, {"note": ""}).status_code == 403
        page = client.get(reverse("committees:meeting_detail", args=[meeting.pk]))
        assert url not in page.content.decode()
        # An NC member who is not on the EC does not see the EC's meeting at all.
        as_user(client, people["Hal Burke"])
        assert client.post(url, {"note": ""}).status_code == 404
        as_user(client, outsider)
        assert client.post(url, {"note": ""}).status_code == 404

    as_user(client, plain_member)
    with frozen(ON_THE_NIGHT):  # the meeting has begun
        assert url not in client.get(reverse("committees:meeting_detail", args=[meeting.pk])).content.decode()
        response = client.post(url, {"note": "Late"})
    assert response.status_code == 409
    assert "still to come" in response.content.decode()
    assert not Apology.objects.exists()


# Attendance ---------------------------------------------------------------------------------------
def attendance_url(meeting: Meeting) -> str:
    return reverse("committees:attendance", args=[meeting.pk])


def test_the_sheet_lists_the_members_on_the_day_with_their_apologies_and_the_quorum(
    client: Client, meeting: Meeting, secretary: Member, people: dict[str, Member], ec_members: list[Member]
) -> None:
    with frozen(A_WEEK_BEFORE):
        services.send_apologies(meeting=meeting, member=people["Dev Anand"], note="Night shift")
    cleo_term = people["Cleo Rhys"].committee_terms.get(committee=meeting.committee)
    services.end_term(actor=None, term=cleo_term, ends_on=dt.date(2026, 3, 1), reason="resigned")

    as_user(client, secretary)
    with frozen(ON_THE_NIGHT):
        response = client.get(attendance_url(meeting))

    assert response.status_code == 200
    names = [row.member.full_name for row in response.context["rows"]]
    assert names == ["Ada Secretary", "Ben Plain", "Dev Anand"]  # Cleo resigned before the meeting
    html = response.content.decode()
    assert "Night shift" in html
    # Three members: the quorum is the EC's minimum of 3.
    assert "0 present; quorum is 3 of 3 members: not quorate (3 more needed)" in html
    assert 'aria-live="polite"' in html


def test_marking_present_and_absent_without_javascript_redirects_back_and_updates_the_quorum(
    client: Client, meeting: Meeting, secretary: Member, ec_members: list[Member]
) -> None:
    as_user(client, secretary)
    with frozen(ON_THE_NIGHT):
        for member in ec_members[:3]:
            response = client.post(attendance_url(meeting), {"member": member.pk, "present": "1"})
            assert response.status_code == 302
            assert response["Location"] == f"{attendance_url(meeting)}#member-{member.pk}"
        client.post(attendance_url(meeting), {"member": ec_members[3].pk, "present": "0"})
        page = client.get(attendance_url(meeting))

    assert dict(Attendance.objects.values_list("member_id", "present")) == {
        ec_members[0].pk: True,
        ec_members[1].pk: True,
        ec_members[2].pk: True,
        ec_members[3].pk: False,
    }
    assert "3 present; quorum is 3 of 4 members: quorate" in page.content.decode()
    assert [row.present for row in page.context["rows"]] == [True, True, True, False]


def test_a_toggle_sent_with_fetch_gets_the_new_counts_as_json(
    client: Client, meeting: Meeting, secretary: Member, ec_members: list[Member]
) -> None:
    as_user(client, secretary)
    with frozen(ON_THE_NIGHT):
        response = client.post(
            attendance_url(meeting),
            {"member": ec_members[1].pk, "present": "1"},
            headers={"Accept": "application/json"},
        )
        refused = client.post(
            attendance_url(meeting),
            {"member": 999_999, "present": "1"},
            headers={"Accept": "application/json"},
        )

    assert response.status_code == 200
    data = response.json()
    assert data | {"summary": None} == {
        "present": 1,
        "quorum": 3,
        "members": 4,
        "quorate": False,
        "needed": 2,
        "summary": None,
        "member": ec_members[1].pk,
        "marked": True,
        "message": "Ben Plain: present.",
    }
    assert data["summary"] == "1 present; quorum is 3 of 4 members: not quorate (2 more needed)"
    assert refused.status_code == 400
    assert refused.json() == {"error": "That person is not a member of the committee."}


def test_attendance_for_someone_not_on_the_committee_is_refused_and_nothing_written(
    client: Client, meeting: Meeting, secretary: Member, people: dict[str, Member]
) -> None:
    as_user(client, secretary)
    with frozen(ON_THE_NIGHT):
        response = client.post(
            attendance_url(meeting), {"member": people["Hal Burke"].pk, "present": "1"}, follow=True
        )
    assert response.status_code == 400
    assert "That person is not a member of the committee." in response.content.decode()
    assert not Attendance.objects.exists()


def test_attendance_is_not_taken_before_the_day(
    client: Client, meeting: Meeting, secretary: Member, plain_member: Member
) -> None:
    as_user(client, secretary)
    with frozen(A_WEEK_BEFORE):
        page = client.get(attendance_url(meeting))
        response = client.post(attendance_url(meeting), {"member": plain_member.pk, "present": "1"})
    assert page.status_code == 200
    assert "Attendance is recorded on the day of the meeting" in page.content.decode()
    assert 'name="present"' not in page.content.decode()
    assert response.status_code == 409
    assert "on the day of the meeting, not before" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_plain_member_cannot_record_attendance_and_an_outsider_sees_nothing(
    client: Client, meeting: Meeting, plain_member: Member, outsider: object, people: dict[str, Member]
) -> None:
    with frozen(ON_THE_NIGHT):
        as_user(client, plain_member)
        assert client.get(attendance_url(meeting)).status_code == 403
        assert (
            client.post(attendance_url(meeting), {"member": plain_member.pk, "present": "1"}).status_code
            == 403
        )
        as_user(client, people["Hal Burke"])  # on the NC, not the EC
        assert client.get(attendance_url(meeting)).status_code == 404
        as_user(client, outsider)
        assert client.get(attendance_url(meeting)).status_code == 404
        assert client.get(reverse("committees:meeting_quorum", args=[meeting.pk])).status_code == 404
    assert not Attendance.objects.exists()


def test_the_sheet_runs_the_same_queries_for_few_and_many_members(
    client: Client,
    meeting: Meeting,
    secretary: Member,
    ec_members: list[Member],
    london: Branch,
    django_assert_max_num_queries,
) -> None:
    as_user(client, secretary)
    with frozen(ON_THE_NIGHT):
        client.post(attendance_url(meeting), {"member": ec_members[1].pk, "present": "1"})
        with django_assert_max_num_queries(30) as few:
            client.get(attendance_url(meeting))
    for n in range(25):
        member = admit(london, f"Extra Member {n}")
        elect(meeting.committee, member, TermRole.MEMBER)
        with frozen(A_WEEK_BEFORE):
            services.send_apologies(meeting=meeting, member=member)
        with frozen(ON_THE_NIGHT):
            services.record_attendance(
                actor=secretary.user, meeting=meeting, member=member, present=n % 2 == 0
            )
    with frozen(ON_THE_NIGHT), django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(attendance_url(meeting))
    assert len(response.context["rows"]) == 29
    assert response.context["quorum"].present == 14


# The quorum, live ------------------------------------------------------------------------------------
def test_the_quorum_endpoint_answers_the_committee_and_counts_only_those_present(
    client: Client, meeting: Meeting, secretary: Member, plain_member: Member, ec_members: list[Member]
) -> None:
    with frozen(ON_THE_NIGHT):
        services.record_attendance(actor=secretary.user, meeting=meeting, member=ec_members[0], present=True)
        services.record_attendance(actor=secretary.user, meeting=meeting, member=ec_members[2], present=False)
        as_user(client, plain_member)
        response = client.get(reverse("committees:meeting_quorum", args=[meeting.pk]))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert json.loads(response.content) == {
        "present": 1,
        "quorum": 3,
        "members": 4,
        "quorate": False,
        "needed": 2,
        "summary": "1 present; quorum is 3 of 4 members: not quorate (2 more needed)",
    }


def test_the_meeting_page_shows_the_quorum_live_on_the_day_only(
    client: Client, meeting: Meeting, plain_member: Member
) -> None:
    as_user(client, plain_member)
    quorum_url = reverse("committees:meeting_quorum", args=[meeting.pk])
    with frozen(A_WEEK_BEFORE):
        before = client.get(reverse("committees:meeting_detail", args=[meeting.pk])).content.decode()
    with frozen(ON_THE_NIGHT):
        on_the_day = client.get(reverse("committees:meeting_detail", args=[meeting.pk])).content.decode()
    assert quorum_url not in before
    assert f'data-quorum-url="{quorum_url}"' in on_the_day
    assert 'data-live="true"' in on_the_day
    assert "0 present; quorum is 3 of 4 members: not quorate (3 more needed)" in on_the_day
    assert "js/attendance.js" in on_the_day


def test_the_pages_load_their_script_from_a_file_never_inline(
    client: Client, meeting: Meeting, secretary: Member
) -> None:
    as_user(client, secretary)
    with frozen(ON_THE_NIGHT):
        html = client.get(attendance_url(meeting)).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)
    assert " style=" not in html
    source = (settings.BASE_DIR / "static" / "js" / "attendance.js").read_text()
    assert "fetch(" in source and "setInterval" in source  # toggles without reloading; polls the quorum
