"""The secretary's pages: generating and calling meetings, moving, cancelling, marking held, the agenda.

Times are typed and shown in London time; a refused change says why and
writes nothing; a committee member who is not its secretary gets 403 on
these pages and anyone else 404; the lists run a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from awl.models import AuditEntry
from committees import notices, services
from committees.models import (
    STANDARD_ORDER,
    AgendaItem,
    AgendaSection,
    Committee,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Paper,
)
from members.models import Member
from tests.factories import reload
from tests.helpers.clock import frozen, london_time
from tests.helpers.http import as_user, shown

NOW = london_time(2026, 2, 2, 12)  # a Monday


def local_starts(committee: Committee) -> list[dt.datetime]:
    return [
        timezone.localtime(m.starts_at).replace(tzinfo=None)
        for m in Meeting.objects.filter(committee=committee).order_by("starts_at")
    ]


def call(committee: Committee, secretary: Member, starts_at: dt.datetime) -> Meeting:
    return services.call_meeting(
        actor=secretary.user,
        committee=committee,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
    )


def times(day: str, starts: str = "19:00", ends: str = "21:00", **extra: str) -> dict[str, str]:
    return {"date": day, "starts": starts, "ends": ends, "venue": "", "online_link": "", **extra}


# Generating meetings from the cycle -------------------------------------------------------------
def test_the_secretary_generates_the_cycle_and_is_told_which_were_too_soon(
    client: Client, ec: Committee, secretary: Member
) -> None:
    with frozen(NOW):
        as_user(client, secretary)
        url = reverse("committees:manage_meetings", args=[ec.slug])
        response = client.post(url, {"until": "2026-02-28"}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    # Tonight's 19:00 meeting is under the EC's three days' notice, so it is not created.
    assert local_starts(ec) == [dt.datetime(2026, 2, day, 19) for day in (9, 16, 23)]
    assert shown(response) == [
        "3 meetings created.",
        "Too soon to give 3 days' notice, so not created: Monday 2 February 2026, 19:00. "
        "Call an emergency meeting if one of them must go ahead.",
    ]
    assert AuditEntry.objects.filter(action="meetings.scheduled", actor=secretary.user).count() == 1


def test_generating_again_creates_nothing_more_and_says_so(
    client: Client, ec: Committee, secretary: Member
) -> None:
    with frozen(NOW):
        as_user(client, secretary)
        url = reverse("committees:manage_meetings", args=[ec.slug])
        client.post(url, {"until": "2026-02-28"}, follow=True)
        response = client.post(url, {"until": "2026-02-28"}, follow=True)

    assert Meeting.objects.filter(committee=ec).count() == 3
    assert shown(response) == [
        "No new meetings: every meeting of the cycle up to that date already exists.",
        "Too soon to give 3 days' notice, so not created: Monday 2 February 2026, 19:00. "
        "Call an emergency meeting if one of them must go ahead.",
    ]


def test_the_meetings_page_shows_london_time_across_the_clock_change(
    client: Client, ec: Committee, secretary: Member
) -> None:
    with frozen(NOW):
        as_user(client, secretary)
        url = reverse("committees:manage_meetings", args=[ec.slug])
        client.post(url, {"until": "2026-04-06"})
        page = client.get(url).content.decode()

    # 23 March is GMT (19:00 UTC), 30 March is BST (18:00 UTC): both read 19:00.
    assert "Mon 23 Mar 2026, 19:00" in page
    assert "Mon 30 Mar 2026, 19:00" in page
    assert timezone.localtime(Meeting.objects.get(starts_at__date=dt.date(2026, 3, 30)).starts_at).hour == 19


@pytest.mark.parametrize(
    ("until", "error"),
    [
        pytest.param("2030-02-02", "Choose a date within the next three years.", id="too-far"),
        pytest.param("2026-01-31", "That date has passed.", id="past"),
        pytest.param("9999-12-31", "Choose a date within the next three years.", id="year-9999"),
        pytest.param("31/02/2026", "Enter a valid date.", id="not-a-date"),
    ],
)
def test_a_horizon_out_of_range_is_refused_and_nothing_is_made(
    client: Client, ec: Committee, secretary: Member, until: str, error: str
) -> None:
    with frozen(NOW):
        as_user(client, secretary)
        response = client.post(reverse("committees:manage_meetings", args=[ec.slug]), {"until": until})

    assert response.status_code == 200
    assert error in response.context["form"].errors["until"]
    assert not Meeting.objects.exists()
    assert not AuditEntry.objects.filter(action="meetings.scheduled").exists()


def test_a_committee_without_a_cycle_offers_no_generating_and_refuses_it(
    client: Client, ec: Committee, secretary: Member
) -> None:
    Committee.objects.filter(pk=ec.pk).update(cycle_rule="")
    with frozen(NOW):
        as_user(client, secretary)
        url = reverse("committees:manage_meetings", args=[ec.slug])
        page = client.get(url)
        refused = client.post(url, {"until": "2026-02-28"})

    assert "has no meeting cycle set" in page.content.decode()
    assert b"Generate meetings</button>" not in page.content
    assert refused.status_code == 409
    assert "Executive Committee has no meeting cycle set." in refused.content.decode()
    assert not Meeting.objects.exists()


# Calling a meeting ------------------------------------------------------------------------------
def test_an_extra_meeting_is_called_in_london_time(client: Client, nc: Committee, secretary: Member) -> None:
    with frozen(NOW):
        as_user(client, secretary)
        response = client.post(reverse("committees:call_meeting", args=[nc.slug]), times("2026-07-06"))

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("committees:meeting_manage", args=[meeting.pk])
    # 19:00 in July is British Summer Time: 18:00 UTC.
    assert meeting.starts_at == london_time(2026, 7, 6, 19)
    assert meeting.starts_at.astimezone(dt.UTC).hour == 18
    assert meeting.kind == MeetingKind.EXTRA
    assert meeting.venue == nc.default_venue


def test_less_notice_than_the_rules_is_refused_unless_an_emergency_with_a_reason(
    client: Client, nc: Committee, secretary: Member
) -> None:
    url = reverse("committees:call_meeting", args=[nc.slug])
    soon = times("2026-02-10")  # eight days away; the NC's rules give fourteen
    with frozen(NOW):
        as_user(client, secretary)
        refused = client.post(url, soon)
        no_reason = client.post(url, {**soon, "emergency": "on", "emergency_reason": "  "})
        assert not Meeting.objects.exists()
        called = client.post(url, {**soon, "emergency": "on", "emergency_reason": "Strike ballot result"})

    assert refused.status_code == 409
    assert "must be given 14 days&#x27; notice" in refused.content.decode()
    assert no_reason.status_code == 409
    assert "Give the reason for calling an emergency meeting." in no_reason.content.decode()
    assert called.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.kind, meeting.emergency_reason) == (MeetingKind.EMERGENCY, "Strike ballot result")
    assert AuditEntry.objects.filter(action="meeting.called").count() == 1


@pytest.mark.parametrize(
    ("starts", "ends"), [("19:00", "18:00"), ("19:00", "19:00")], ids=["ends-before", "ends-as-it-starts"]
)
def test_a_meeting_that_ends_before_it_starts_is_refused_and_nothing_written(
    client: Client, nc: Committee, secretary: Member, starts: str, ends: str
) -> None:
    with frozen(NOW):
        as_user(client, secretary)
        response = client.post(
            reverse("committees:call_meeting", args=[nc.slug]), times("2026-07-06", starts, ends)
        )

    assert response.status_code == 409
    assert "A meeting must end after it starts." in response.content.decode()
    assert not Meeting.objects.exists()
    assert not AuditEntry.objects.filter(action="meeting.called").exists()


def test_a_time_the_clocks_skip_is_refused(client: Client, nc: Committee, secretary: Member) -> None:
    with frozen(NOW):
        as_user(client, secretary)
        response = client.post(
            reverse("committees:call_meeting", args=[nc.slug]), times("2026-03-29", "01:30", "03:00")
        )

    assert response.status_code == 200
    assert "01:30 does not exist in London on 29 March 2026" in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_call_form_suggests_the_first_day_with_full_notice(
    client: Client, nc: Committee, secretary: Member
) -> None:
    with frozen(NOW):
        form = (
            as_user(client, secretary).get(reverse("committees:call_meeting", args=[nc.slug])).context["form"]
        )

    # Fifteen days on, at the cycle's 11:00, for the NC's usual five hours.
    assert form.initial["date"] == dt.date(2026, 2, 17)
    assert (form.initial["starts"], form.initial["ends"]) == (dt.time(11), dt.time(16))


# One meeting: move, cancel, mark held ----------------------------------------------------------------
@pytest.fixture
def called(nc: Committee, nc_members: list[Member], secretary: Member) -> Meeting:
    """An extra NC meeting on Friday 20 February 2026 at 18:00, called on 2 February."""
    with frozen(NOW):
        return call(nc, secretary, london_time(2026, 2, 20, 18))


def test_moving_a_meeting_changes_its_time_and_version(
    client: Client, called: Meeting, secretary: Member
) -> None:
    with frozen(NOW):
        as_user(client, secretary)
        response = client.post(
            reverse("committees:meeting_move", args=[called.pk]),
            times("2026-02-27", "18:30", "20:00", venue="Marx Memorial Library"),
            follow=True,
        )

    called.refresh_from_db()
    assert called.starts_at == london_time(2026, 2, 27, 18, 30)
    assert called.venue == "Marx Memorial Library"
    assert called.time_version == 1
    assert shown(response) == ["Meeting moved to Friday 27 February 2026, 18:30; members will be told."]


def test_the_move_form_starts_from_the_meeting_as_it_is_and_unchanged_moves_nothing(
    client: Client, called: Meeting, secretary: Member
) -> None:
    url = reverse("committees:meeting_move", args=[called.pk])
    with frozen(NOW):
        as_user(client, secretary)
        initial = client.get(url).context["form"].initial
        response = client.post(
            url, {k: str(v) for k, v in initial.items()} | {"starts": "18:00"}, follow=True
        )

    assert initial["date"] == dt.date(2026, 2, 20) and initial["starts"] == dt.time(18)
    assert reload(called).time_version == 0
    assert shown(response) == ["Nothing changed: the meeting is as it was."]


def test_a_move_to_an_end_before_the_start_is_refused_and_the_meeting_stays(
    client: Client, called: Meeting, secretary: Member
) -> None:
    with frozen(NOW):
        as_user(client, secretary)
        response = client.post(
            reverse("committees:meeting_move", args=[called.pk]), times("2026-02-27", "18:00", "17:00")
        )

    assert response.status_code == 409
    assert "A meeting must end after it starts." in response.content.decode()
    called.refresh_from_db()
    assert (called.starts_at, called.time_version) == (london_time(2026, 2, 20, 18), 0)
    assert not AuditEntry.objects.filter(action="meeting.moved").exists()


def test_cancelling_needs_a_reason_and_then_the_meeting_cannot_be_moved(
    client: Client, called: Meeting, secretary: Member
) -> None:
    cancel = reverse("committees:meeting_cancel", args=[called.pk])
    move = reverse("committees:meeting_move", args=[called.pk])
    with frozen(NOW):
        as_user(client, secretary)
        no_reason = client.post(cancel, {"reason": "   "})
        assert reload(called).status == MeetingStatus.SCHEDULED
        cancelled = client.post(cancel, {"reason": "The hall flooded"})
        move_page = client.get(move)
        move_refused = client.post(move, times("2026-02-27"))

    assert no_reason.status_code == 200 and "reason" in no_reason.context["form"].errors
    assert cancelled.status_code == 302
    called.refresh_from_db()
    assert (called.status, called.cancel_reason) == (MeetingStatus.CANCELLED, "The hall flooded")
    assert "This meeting is cancelled; it can no longer be changed." in move_page.content.decode()
    assert b'<form method="post"' not in move_page.content.split(b"<main")[1]
    assert move_refused.status_code == 409
    assert reload(called).starts_at == london_time(2026, 2, 20, 18)


def test_a_meeting_is_marked_held_only_once_it_has_started(
    client: Client, called: Meeting, secretary: Member
) -> None:
    url = reverse("committees:meeting_mark_held", args=[called.pk])
    with frozen(NOW):
        as_user(client, secretary)
        early_page = client.get(url)
        early = client.post(url)
        assert reload(called).status == MeetingStatus.SCHEDULED
    with frozen(london_time(2026, 2, 20, 18, 5)):
        as_user(client, secretary)
        held = client.post(url)

    assert "A meeting can be marked held once it has started." in early_page.content.decode()
    assert early.status_code == 409
    assert held.status_code == 302
    assert reload(called).status == MeetingStatus.HELD


def test_the_secretary_sees_the_notices_sent_and_those_a_late_sweep_skipped(
    client: Client, called: Meeting, secretary: Member
) -> None:
    with frozen(london_time(2026, 2, 7, 9)):
        notices.sweep()  # the notice is due from 6 February 18:00
    with frozen(london_time(2026, 2, 21, 9)):
        notices.sweep()  # down for days: the reminder (due 18 February) comes after the meeting
    with frozen(london_time(2026, 2, 21, 10)):
        as_user(client, secretary)
        page = client.get(reverse("committees:meeting_manage", args=[called.pk])).content.decode()

    assert "Notice of meeting" in page and "Sent to 8 members" in page
    assert "Reminder" in page and "Skipped: the meeting had already started" in page


# Who may use these pages ---------------------------------------------------------------------------------
@pytest.fixture
def targets(called: Meeting, secretary: Member) -> dict[str, list[Any]]:
    with frozen(NOW):
        item = services.prepare_agenda(actor=secretary.user, meeting=called)[2]
    return {"committee": [called.committee.slug], "meeting": [called.pk], "item": [item.pk]}


# Pages that only show (a POST is refused as a method before anyone is asked who they are).
READ_ONLY = {"committees:meeting_manage", "committees:agenda_edit"}
SECRETARY_PAGES = [
    ("committees:manage_meetings", "committee"),
    ("committees:call_meeting", "committee"),
    ("committees:meeting_manage", "meeting"),
    ("committees:meeting_move", "meeting"),
    ("committees:meeting_cancel", "meeting"),
    ("committees:meeting_mark_held", "meeting"),
    ("committees:agenda_edit", "meeting"),
    ("committees:agenda_prepare", "meeting"),
    ("committees:agenda_add_item", "meeting"),
    ("committees:agenda_publish", "meeting"),
    ("committees:agenda_item_edit", "item"),
    ("committees:agenda_item_move", "item"),
    ("committees:agenda_item_delete", "item"),
    ("committees:paper_upload", "item"),
]


@pytest.mark.parametrize(("url_name", "kind"), SECRETARY_PAGES, ids=[n for n, _ in SECRETARY_PAGES])
def test_only_the_secretary_uses_the_secretary_pages(
    client: Client,
    targets: dict[str, list[Any]],
    secretary: Member,
    plain_member: Member,
    outsider: Any,
    url_name: str,
    kind: str,
) -> None:
    url = reverse(url_name, args=targets[kind])
    with frozen(NOW):
        statuses = {
            who: (as_user(client, person).get(url).status_code, client.post(url, {}).status_code)
            for who, person in (("member", plain_member), ("outsider", outsider))
        }
        client.logout()
        anonymous = client.get(url)
        secretary_sees = as_user(client, secretary).get(url).status_code

    member_post, outsider_post = (405, 405) if url_name in READ_ONLY else (403, 404)
    assert statuses == {"member": (403, member_post), "outsider": (404, outsider_post)}
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))
    assert secretary_sees == 200
    assert reload(Meeting.objects.get(pk=targets["meeting"][0])).status == MeetingStatus.SCHEDULED
    assert AgendaItem.objects.filter(meeting_id=targets["meeting"][0]).count() == len(STANDARD_ORDER)


def test_the_committee_page_links_to_manage_meetings_only_for_the_secretary(
    client: Client, nc: Committee, secretary: Member, plain_member: Member
) -> None:
    link = reverse("committees:manage_meetings", args=[nc.slug]).encode()
    url = reverse("committees:committee_detail", args=[nc.slug])

    assert link in as_user(client, secretary).get(url).content
    assert link not in as_user(client, plain_member).get(url).content


def test_the_meeting_page_shows_the_secretary_the_management_links(
    client: Client, called: Meeting, secretary: Member, plain_member: Member
) -> None:
    url = reverse("committees:meeting_detail", args=[called.pk])
    manage = reverse("committees:meeting_manage", args=[called.pk]).encode()
    agenda = reverse("committees:agenda_edit", args=[called.pk]).encode()
    with frozen(NOW):
        for_secretary = as_user(client, secretary).get(url).content
        for_member = as_user(client, plain_member).get(url).content

    assert manage in for_secretary and agenda in for_secretary
    assert manage not in for_member and agenda not in for_member


# Query counts ------------------------------------------------------------------------------------------
def count_queries(client: Client, url: str, django_assert_max_num_queries: Any) -> int:
    with django_assert_max_num_queries(30) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def add_meetings(committee: Committee, first: dt.datetime, count: int) -> None:
    meetings = Meeting.objects.bulk_create(
        Meeting(
            committee=committee,
            starts_at=first + dt.timedelta(days=7 * n),
            ends_at=first + dt.timedelta(days=7 * n, hours=2),
        )
        for n in range(count)
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=m, position=1, section=AgendaSection.REPORTS, title="Reports") for m in meetings
    )


def test_the_meetings_page_runs_the_same_queries_for_3_and_30_meetings(
    client: Client, ec: Committee, secretary: Member, django_assert_max_num_queries: Any
) -> None:
    url = reverse("committees:manage_meetings", args=[ec.slug])
    with frozen(NOW):
        as_user(client, secretary)
        add_meetings(ec, london_time(2026, 2, 9, 19), 2)
        add_meetings(ec, london_time(2026, 1, 26, 19), 1)  # one that has been
        client.get(url)  # warm the per-process caches
        with_3 = count_queries(client, url, django_assert_max_num_queries)
        add_meetings(ec, london_time(2026, 3, 2, 19), 20)
        add_meetings(ec, london_time(2025, 6, 2, 19), 7)
        with_30 = count_queries(client, url, django_assert_max_num_queries)

    assert with_30 == with_3


@pytest.mark.parametrize("page", ["committees:agenda_edit", "committees:meeting_detail"])
def test_the_agenda_runs_the_same_queries_for_3_and_30_items_with_their_papers(
    client: Client, called: Meeting, secretary: Member, django_assert_max_num_queries: Any, page: str
) -> None:
    url = reverse(page, args=[called.pk])

    def add_items(start: int, count: int) -> None:
        for n in range(start, start + count):
            item = services.add_agenda_item(
                actor=None, meeting=called, section=AgendaSection.REPORTS, title=f"Report {n}", body="Text"
            )
            Paper.objects.create(
                item=item, title=f"Paper {n}", file=f"papers/{n}.pdf", content_type="application/pdf", size=10
            )

    with frozen(NOW):
        as_user(client, secretary)
        add_items(0, 3)
        services.publish_agenda(actor=secretary.user, meeting=called)
        client.get(url)
        with_3 = count_queries(client, url, django_assert_max_num_queries)
        add_items(3, 27)
        with_30 = count_queries(client, url, django_assert_max_num_queries)
        response = client.get(url)

    assert with_30 == with_3
    assert "Paper 29" in response.content.decode()


# The agenda --------------------------------------------------------------------------------------------
def agenda(meeting: Meeting) -> list[tuple[str, str]]:
    return list(meeting.items.order_by("position").values_list("section", "title"))


def test_the_agenda_is_prepared_from_the_standard_order_with_open_action_points_carried_forward(
    client: Client, called: Meeting, secretary: Member, plain_member: Member
) -> None:
    earlier = Meeting.objects.create(
        committee=called.committee,
        starts_at=london_time(2026, 1, 10, 11),
        ends_at=london_time(2026, 1, 10, 16),
        status=MeetingStatus.HELD,
    )
    services.add_action_point(actor=None, meeting=earlier, text="Book the hall", owner=plain_member)
    with frozen(NOW):
        as_user(client, secretary)
        response = client.post(reverse("committees:agenda_prepare", args=[called.pk]))
        page = client.get(reverse("committees:agenda_edit", args=[called.pk])).content.decode()

    assert response.status_code == 302
    assert [section for section, _ in agenda(called)] == [s.value for s in STANDARD_ORDER]
    assert "Open action points carried forward:" in page and "Book the hall (Ben Plain)" in page


def test_an_added_item_goes_at_the_end_of_its_section(
    client: Client, called: Meeting, secretary: Member
) -> None:
    with frozen(NOW):
        services.prepare_agenda(actor=secretary.user, meeting=called)
        as_user(client, secretary)
        response = client.post(
            reverse("committees:agenda_add_item", args=[called.pk]),
            {"section": "motions", "title": "Motion on the rail strike", "body": "Moved by Leeds."},
        )

    assert response.status_code == 302
    titles = [title for _, title in agenda(called)]
    assert titles.index("Motion on the rail strike") == titles.index("Motions") + 1
    assert titles[-2:] == ["Any other business", "Date of next meeting"]


def test_editing_an_item_saves_it_and_a_blank_title_is_refused(
    client: Client, called: Meeting, secretary: Member
) -> None:
    with frozen(NOW):
        item = services.prepare_agenda(actor=secretary.user, meeting=called)[3]
        url = reverse("committees:agenda_item_edit", args=[item.pk])
        as_user(client, secretary)
        blank = client.post(url, {"section": "reports", "title": "  ", "body": "x"})
        saved = client.post(url, {"section": "correspondence", "title": "Letters", "body": "From Unite."})

    assert blank.status_code == 200 and "title" in blank.context["form"].errors
    assert saved.status_code == 302
    item.refresh_from_db()
    assert (item.section, item.title, item.body) == ("correspondence", "Letters", "From Unite.")


def test_items_move_up_and_down_by_swapping_places(
    client: Client, called: Meeting, secretary: Member
) -> None:
    with frozen(NOW):
        items = services.prepare_agenda(actor=secretary.user, meeting=called)
        as_user(client, secretary)
        down = client.post(reverse("committees:agenda_item_move", args=[items[0].pk]), {"direction": "down"})
        up = client.post(reverse("committees:agenda_item_move", args=[items[7].pk]), {"direction": "up"})

    assert (down.status_code, up.status_code) == (302, 302)
    titles = [title for _, title in agenda(called)]
    assert titles[:2] == ["Minutes of the last meeting", "Apologies"]
    assert titles[-2:] == ["Date of next meeting", "Any other business"]
    positions = list(called.items.order_by("position").values_list("position", flat=True))
    assert positions == [10, 20, 30, 40, 50, 60, 70, 80]


def test_moving_past_either_end_is_refused(client: Client, called: Meeting, secretary: Member) -> None:
    with frozen(NOW):
        items = services.prepare_agenda(actor=secretary.user, meeting=called)
        as_user(client, secretary)
        first_up = client.post(
            reverse("committees:agenda_item_move", args=[items[0].pk]), {"direction": "up"}
        )
        last_down = client.post(
            reverse("committees:agenda_item_move", args=[items[-1].pk]), {"direction": "down"}
        )
        sideways = client.post(
            reverse("committees:agenda_item_move", args=[items[1].pk]), {"direction": "sideways"}
        )

    assert first_up.status_code == 409 and "already first" in first_up.content.decode()
    assert last_down.status_code == 409 and "already last" in last_down.content.decode()
    assert sideways.status_code == 200
    assert [title for _, title in agenda(called)] == [s.label for s in STANDARD_ORDER]
    assert not AuditEntry.objects.filter(action="agenda.item_moved").exists()


def test_moving_adjacent_items_numbered_one_apart_keeps_positions_unique(
    called: Meeting, secretary: Member
) -> None:
    """Items added one by one take neighbouring numbers; a swap parks one on a free position first."""
    with frozen(NOW):
        a = services.add_agenda_item(actor=None, meeting=called, section="reports", title="A")
        b = services.add_agenda_item(actor=None, meeting=called, section="reports", title="B")
        c = services.add_agenda_item(actor=None, meeting=called, section="reports", title="C")
        services.move_agenda_item(actor=secretary.user, item=b, direction="up")
        services.move_agenda_item(actor=secretary.user, item=a, direction="down")

    assert [title for _, title in agenda(called)] == ["B", "C", "A"]
    assert sorted(called.items.values_list("position", flat=True)) == sorted(
        {a.position, b.position, c.position}
    )


def test_an_item_is_removed_from_the_agenda(client: Client, called: Meeting, secretary: Member) -> None:
    with frozen(NOW):
        item = services.prepare_agenda(actor=secretary.user, meeting=called)[4]
        as_user(client, secretary)
        response = client.post(reverse("committees:agenda_item_delete", args=[item.pk]))

    assert response.status_code == 302
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    assert called.items.count() == len(STANDARD_ORDER) - 1


def test_publishing_needs_items_and_edits_stay_allowed_afterwards(
    client: Client, called: Meeting, secretary: Member
) -> None:
    publish = reverse("committees:agenda_publish", args=[called.pk])
    with frozen(NOW):
        as_user(client, secretary)
        empty = client.post(publish)
        assert reload(called).agenda_published_at is None
        item = services.prepare_agenda(actor=secretary.user, meeting=called)[0]
        published = client.post(publish)
        edited = client.post(
            reverse("committees:agenda_item_edit", args=[item.pk]),
            {"section": "apologies", "title": "Apologies for absence", "body": ""},
        )
        page = client.get(publish).content.decode()

    assert empty.status_code == 409 and "Prepare the agenda before publishing it." in empty.content.decode()
    assert published.status_code == 302
    assert reload(called).agenda_published_at == NOW
    assert edited.status_code == 302
    assert reload(item).title == "Apologies for absence"
    assert "The agenda was published on Monday 2 February 2026, 12:00." in page
