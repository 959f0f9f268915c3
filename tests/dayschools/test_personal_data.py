"""What day schools hold about a person: export, erasure, retention and review.

A guest (known only by an address) is found, exported and erased like a
member; erasure leaves every booking as a count without a name, address,
phone or note; retention anonymises guests' bookings and deletes follow-up
notes once they are old enough, and a second run changes nothing; the review
lists guests whose latest day school is older than ``AWL_RETENTION_DAYS``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import serializers
from django.urls import reverse

from awl.models import AuditEntry
from awl.personal_data import erase_person, export_person, holdings, retention_rules, run_retention
from dayschools import personal_data, services
from dayschools.models import Booking, BookingStatus, Event, FollowUp
from members import services as member_services
from members.models import Member
from members.personal_data import person_for_email, person_for_member
from tests.dayschools.conftest import BOOKING_TIME
from tests.helpers.clock import london_time
from tests.helpers.http import as_user

GUEST_NAME = "Quentin Oddbody"
GUEST_EMAIL = "quentin.oddbody@example.net"
GUEST_PHONE = "07700 955123"
NOTE = "Spoke to Quentin about the Hackney tenants' union"
MEMBER_NOTE = "Rosa's friend, keen on the reading group"


def dayschool_rows() -> str:
    """Every row of every day-school table, as text: what a search for a marker would read."""
    from django.apps import apps

    rows = []
    for model in apps.get_app_config("dayschools").get_models():
        rows.append(serializers.serialize("json", model._default_manager.all()))
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            rows.append(serializers.serialize("json", through._default_manager.all()))  # type: ignore[union-attr]
    return "\n".join(rows)


@pytest.fixture
def history(
    london_event: Event, leeds_event: Event, member: Member, dayschool_organiser: Any
) -> dict[str, Any]:
    """Quentin, a guest, booked London (came, followed up) and Leeds; Rosa booked London herself and
    Leeds on the public form without logging in (not claimed)."""
    with time_machine.travel(BOOKING_TIME, tick=False):
        guest_london = services.book_guest(
            event=london_event,
            name=GUEST_NAME,
            email=GUEST_EMAIL.upper(),
            phone=GUEST_PHONE,
            consent_to_contact=True,
        )
        guest_leeds = services.book_guest(event=leeds_event, name=f"{GUEST_NAME} Jr", email=GUEST_EMAIL)
        rosa_london = services.book_member(member=member, event=london_event)
        rosa_leeds = services.book_guest(event=leeds_event, name="R. Lund", email="rosa@example.org")
        other = services.book_guest(event=london_event, name="Somebody Else", email="else@example.org")
    with time_machine.travel(london_time(2026, 10, 22, 10, 30), tick=False):
        for booking in (guest_london, rosa_london):
            services.check_in(actor=dayschool_organiser, booking=booking)
    FollowUp.objects.create(booking=guest_london, note=NOTE, at=london_time(2026, 10, 25, 12))
    FollowUp.objects.create(booking=rosa_leeds, note=MEMBER_NOTE, at=london_time(2026, 10, 25, 12))
    return {
        "guest_london": guest_london,
        "guest_leeds": guest_leeds,
        "rosa_london": rosa_london,
        "rosa_leeds": rosa_leeds,
        "other": other,
    }


def test_the_holding_covers_bookings_and_follow_ups() -> None:
    [holding] = [h for h in holdings() if h.name == "dayschools"]
    assert {"dayschools.Booking", "dayschools.FollowUp"} <= set(holding.covers)


# Export -------------------------------------------------------------------------------------------------
def test_a_guest_s_export_has_each_of_their_bookings_and_the_notes_about_them(
    history: dict[str, Any],
) -> None:
    data = export_person(person_for_email(GUEST_EMAIL))["dayschools"]

    assert sorted(b["name"] for b in data["bookings"]) == [GUEST_NAME, f"{GUEST_NAME} Jr"]
    london = next(b for b in data["bookings"] if b["name"] == GUEST_NAME)
    assert london["email"] == GUEST_EMAIL.upper() and london["phone"] == GUEST_PHONE
    assert london["status"] == BookingStatus.CONFIRMED
    checked_in_at = Booking.objects.get(pk=history["guest_london"].pk).checked_in_at
    assert checked_in_at is not None and london["checked_in_at"] == checked_in_at.isoformat()
    assert london["date"] == history["guest_london"].event.starts_at.isoformat()
    assert "London" in london["event"]
    assert [f["note"] for f in data["follow_ups"]] == [NOTE]
    json.dumps(data)  # JSON-ready
    assert "Somebody Else" not in json.dumps(data)


def test_a_member_s_export_has_their_own_bookings_and_those_made_with_their_address(
    history: dict[str, Any], member: Member
) -> None:
    data = export_person(person_for_member(member))["dayschools"]

    assert sorted(b["code"] for b in data["bookings"]) == sorted(
        [history["rosa_london"].code, history["rosa_leeds"].code]
    )
    assert [f["note"] for f in data["follow_ups"]] == [MEMBER_NOTE]


# Erasure ------------------------------------------------------------------------------------------------
def test_erasing_a_guest_leaves_no_trace_and_keeps_the_counts(
    history: dict[str, Any], national_office: Any, london_event: Event
) -> None:
    before = Booking.objects.filter(event=london_event, checked_in_at__isnull=False).count()

    member_services.erase_by_email(actor=national_office, email=GUEST_EMAIL, reason="request of 1 Nov")

    rows = dayschool_rows().lower()
    for marker in (GUEST_NAME, GUEST_EMAIL, GUEST_PHONE, NOTE, "oddbody", "955123"):
        assert marker.lower() not in rows, marker
    assert Booking.objects.filter(event=london_event, checked_in_at__isnull=False).count() == before
    assert Booking.objects.filter(name="Erased guest").count() == 2
    assert Booking.objects.get(pk=history["other"].pk).name == "Somebody Else"


def test_erasing_a_member_anonymises_their_bookings_on_the_booking_list(
    client: Any, history: dict[str, Any], member: Member, national_office: Any, dayschool_organiser: Any
) -> None:
    member_services.erase_member(actor=national_office, member=member, reason="request of 1 Nov")

    rows = dayschool_rows().lower()
    for marker in ("Rosa Lund", "R. Lund", "rosa@example.org", "07700 900123", MEMBER_NOTE):
        assert marker.lower() not in rows, marker
    # Bookings stay as counts: still Rosa's record's, still checked in.
    rosa_london = Booking.objects.get(pk=history["rosa_london"].pk)
    assert rosa_london.member_id == member.pk and rosa_london.checked_in_at is not None
    assert rosa_london.name == f"Erased member {member.pk}" and rosa_london.email == ""
    with time_machine.travel(london_time(2026, 11, 1, 12), tick=False):
        as_user(client, dayschool_organiser)
        page = client.get(reverse("dayschools:event_bookings", args=[history["rosa_london"].event_id]))
    assert "Rosa Lund" not in page.content.decode() and "rosa@example.org" not in page.content.decode()


def test_erasure_names_each_booking_as_a_target(history: dict[str, Any]) -> None:
    person = person_for_email(GUEST_EMAIL)

    erasure = erase_person(person, placeholder="Erased guest", erased_email="x@erased.invalid")

    assert {("dayschools.booking", str(history[k].pk)) for k in ("guest_london", "guest_leeds")} <= (
        erasure.targets
    )
    assert erasure.counts["day-school bookings"] == 2
    assert erasure.counts["day-school follow-ups"] == 1


# Retention ----------------------------------------------------------------------------------------------
def rule(key: str) -> Any:
    [found] = [r for r in retention_rules() if r.key == key]
    return found


def test_guests_bookings_are_anonymised_once_due_and_only_then(
    history: dict[str, Any], settings: Any, london_event: Event
) -> None:
    settings.AWL_RETAIN_GUEST_BOOKINGS_DAYS = 100
    guest_bookings = rule("dayschools.guest_bookings")
    london_due = london_event.ends_at + dt.timedelta(days=100, minutes=1)  # Leeds ended a week later

    assert guest_bookings.run(london_due - dt.timedelta(minutes=2), guest_bookings.days()) == 0
    with time_machine.travel(london_due, tick=False):
        counts = run_retention()

    # London's guests only (Quentin, Somebody Else): not Rosa's own booking, not Leeds.
    assert counts["dayschools.guest_bookings"] == 2
    for key in ("guest_london", "other"):
        booking = Booking.objects.get(pk=history[key].pk)
        assert (booking.name, booking.email, booking.phone) == (personal_data.GUEST, "", "")
    # Still counted: Quentin came.
    assert Booking.objects.get(pk=history["guest_london"].pk).checked_in_at is not None
    assert Booking.objects.get(pk=history["rosa_london"].pk).name == "Rosa Lund"
    assert Booking.objects.get(pk=history["guest_leeds"].pk).email == GUEST_EMAIL
    # A second run finds nothing more to do.
    assert guest_bookings.run(london_due, 100) == 0


def test_follow_up_notes_are_deleted_once_due(history: dict[str, Any], settings: Any) -> None:
    settings.AWL_RETAIN_FOLLOW_UP_DAYS = 30
    recent = FollowUp.objects.create(
        booking=history["guest_london"], note="later", at=london_time(2026, 12, 1, 9)
    )
    notes = rule("dayschools.follow_up_notes")
    now = london_time(2026, 11, 24, 12, 1)  # 30 days and a minute after the two notes of 25 October

    assert notes.run(now - dt.timedelta(minutes=2), notes.days()) == 0
    assert notes.run(now, notes.days()) == 2
    assert list(FollowUp.objects.all()) == [recent]
    assert notes.run(now, notes.days()) == 0


# Review -------------------------------------------------------------------------------------------------
def test_the_review_lists_guests_whose_latest_booking_is_old_enough(
    history: dict[str, Any], settings: Any, leeds_event: Event
) -> None:
    settings.AWL_RETENTION_DAYS = 365
    last = dt.date(2026, 10, 29)  # Quentin's latest: Leeds

    # A year after Leeds, Quentin is not due (his latest booking decides), Somebody Else (London only) is.
    keys = [c.key for c in personal_data.review(last + dt.timedelta(days=365))]
    assert keys == ["guest:else@example.org"]
    candidates = {c.key: c for c in personal_data.review(last + dt.timedelta(days=366))}

    # Rosa's unclaimed booking is by address, as a guest's; her own (on her record) is not.
    assert set(candidates) == {f"guest:{GUEST_EMAIL}", "guest:rosa@example.org", "guest:else@example.org"}
    quentin = candidates[f"guest:{GUEST_EMAIL}"]
    assert (quentin.kind, quentin.label, quentin.why, quentin.last_active) == (
        "guest",
        f"{GUEST_NAME} Jr",
        "last booked 2026-10-29",
        last,
    )
    assert quentin.detail_url == reverse("members:person_data") + "?" + urlencode({"email": GUEST_EMAIL})


def test_the_review_leaves_out_guests_already_anonymised(history: dict[str, Any], settings: Any) -> None:
    settings.AWL_RETENTION_DAYS = 365
    personal_data.anonymise_guest_bookings(london_time(2030, 1, 1), 30)

    assert personal_data.review(dt.date(2030, 1, 1)) == []


# Officers' views are logged -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url_name", "action"),
    [
        ("dayschools:door", "dayschools.door_list.viewed"),
        ("dayschools:event_bookings", "dayschools.booking_list.viewed"),
    ],
)
def test_an_organiser_s_look_at_a_list_of_names_is_logged(
    client: Any, london_event: Event, dayschool_organiser: Any, url_name: str, action: str
) -> None:
    with time_machine.travel(BOOKING_TIME, tick=False):
        as_user(client, dayschool_organiser)
        assert client.get(reverse(url_name, args=[london_event.pk])).status_code == 200
        client.get(reverse(url_name, args=[london_event.pk]))

    [entry] = AuditEntry.objects.filter(action=action)
    assert entry.actor == dayschool_organiser
    assert (entry.target_id, entry.detail["role"]) == (str(london_event.pk), "Day-school organiser")
