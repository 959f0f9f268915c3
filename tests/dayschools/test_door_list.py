"""The door list and the bookings list: finding people, checking them in once, undo, walk-ins, counts.

A check-in is idempotent (a double tap or a retried request checks in once);
a code that does not exist, a waiting or cancelled booking, or a booking of
another event is refused with a clear message and nothing written; an
event's own organiser runs only that event's door. Both lists run a fixed
number of queries however many people booked.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry
from dayschools import services
from dayschools.models import Booking, BookingStatus, Event
from members.models import Member
from tests.helpers.http import as_user, shown

pytestmark = pytest.mark.usefixtures("booking_time")


def guest(event: Event, name: str, email: str | None = None) -> Booking:
    email = email or f"{name.split()[0].lower()}@example.org"
    return services.book_guest(event=event, name=name, email=email)


def door_url(event: Event) -> str:
    return reverse("dayschools:door", args=[event.pk])


JSON = {"Accept": "application/json"}


@pytest.fixture
def people(london_event: Event) -> dict[str, Booking]:
    return {
        name.split()[0].lower(): guest(london_event, name) for name in ("Ada Byron", "Ben Okri", "Cy Twombly")
    }


# Finding people ------------------------------------------------------------------------------------
def test_the_door_list_shows_everyone_with_a_place_and_the_count(
    client: Client, door_volunteer: Any, london_event: Event, people: dict[str, Booking]
) -> None:
    services.cancel_booking(booking=people["cy"])

    response = as_user(client, door_volunteer).get(door_url(london_event))

    assert response.status_code == 200
    assert [b.name for b in response.context["rows"]] == ["Ada Byron", "Ben Okri"]
    html = response.content.decode()
    assert "0 of 2 checked in" in html
    assert 'Check in<span class="visually-hidden"> Ada Byron</span>' in html


def test_search_by_name_finds_people_in_any_status(
    client: Client, door_volunteer: Any, london_event: Event, people: dict[str, Booking]
) -> None:
    services.cancel_booking(booking=people["cy"])
    as_user(client, door_volunteer)

    assert [b.name for b in client.get(door_url(london_event), {"q": "okri"}).context["rows"]] == ["Ben Okri"]
    response = client.get(door_url(london_event), {"q": "cy tw"})
    assert [b.name for b in response.context["rows"]] == ["Cy Twombly"]
    assert "Cancelled their booking" in response.content.decode()
    response = client.get(door_url(london_event), {"q": "Zed"})
    assert response.context["rows"] == []
    assert "Nobody called “Zed” has booked for this event." in response.content.decode()


def test_a_booking_code_typed_or_scanned_finds_the_booking(
    client: Client, door_volunteer: Any, london_event: Event, people: dict[str, Booking]
) -> None:
    code = people["ben"].code
    as_user(client, door_volunteer)

    for typed in (code, code.lower(), f" {code[:4]} {code[4:]} ", f"{code[:4]}-{code[4:]}"):
        response = client.get(door_url(london_event), {"q": typed})
        assert [b.name for b in response.context["rows"]] == ["Ben Okri"], typed
        assert f"Booking {code}" in response.content.decode()


def test_a_code_that_does_not_exist_says_so(
    client: Client, door_volunteer: Any, london_event: Event, leeds_event: Event, people: dict[str, Booking]
) -> None:
    elsewhere = guest(leeds_event, "Dee Leeds")
    as_user(client, door_volunteer)

    for code in ("ZZZZ2345", elsewhere.code):  # unknown, and a booking for another event
        response = client.get(door_url(london_event), {"q": code})
        assert response.status_code == 200
        assert response.context["rows"] == []
        assert f"No booking at this event has the code {code}." in response.content.decode()


# Checking in --------------------------------------------------------------------------------------
def test_check_in_twice_checks_in_once(
    client: Client, door_volunteer: Any, london_event: Event, people: dict[str, Booking]
) -> None:
    ada = people["ada"]
    as_user(client, door_volunteer)

    first = client.post(door_url(london_event), {"booking": ada.pk, "action": "check_in"}, follow=True)
    checked_in_at = Booking.objects.get(pk=ada.pk).checked_in_at
    second = client.post(door_url(london_event), {"booking": ada.pk, "action": "check_in"}, follow=True)

    assert first.redirect_chain == [(door_url(london_event), 302)]
    assert shown(first) == ["Ada Byron checked in."]
    assert shown(second) == ["Ada Byron was already checked in at 12:00."]
    booking = Booking.objects.get(pk=ada.pk)
    assert checked_in_at is not None
    assert (booking.checked_in_at, booking.checked_in_by) == (checked_in_at, door_volunteer)
    assert AuditEntry.objects.filter(action="dayschool.checked_in").count() == 1
    assert "1 of 3 checked in" in second.content.decode()


def test_check_in_by_fetch_answers_the_new_state_and_count(
    client: Client, door_volunteer: Any, london_event: Event, people: dict[str, Booking]
) -> None:
    ada = people["ada"]
    as_user(client, door_volunteer)

    answers = [
        client.post(door_url(london_event), {"booking": ada.pk, "action": "check_in"}, headers=JSON).json()
        for _ in range(2)
    ]

    assert answers[0] == {
        "booking": ada.pk,
        "checked_in": True,
        "time": "12:00",
        "message": "Ada Byron checked in.",
        "summary": "1 of 3 checked in",
        "checked_in_count": 1,
        "confirmed_count": 3,
    }
    assert answers[1]["summary"] == "1 of 3 checked in"
    assert AuditEntry.objects.filter(action="dayschool.checked_in").count() == 1


def test_undo_a_check_in(
    client: Client, door_volunteer: Any, london_event: Event, people: dict[str, Booking]
) -> None:
    ada = people["ada"]
    services.check_in(actor=door_volunteer, booking=ada)

    answer = (
        as_user(client, door_volunteer)
        .post(door_url(london_event), {"booking": ada.pk, "action": "undo"}, headers=JSON)
        .json()
    )

    assert (answer["checked_in"], answer["summary"]) == (False, "0 of 3 checked in")
    assert Booking.objects.get(pk=ada.pk).checked_in_at is None


def test_a_waiting_or_cancelled_booking_is_not_checked_in(
    client: Client, door_volunteer: Any, london_event: Event, people: dict[str, Booking]
) -> None:
    london_event.refresh_from_db()
    london_event.capacity = 3
    london_event.save(update_fields=["capacity"])
    waiting = guest(london_event, "Wyn Waiting")
    assert waiting.status == BookingStatus.WAITING
    services.cancel_booking(booking=people["cy"])  # Wyn is promoted; Cy is cancelled
    services.cancel_booking(booking=Booking.objects.get(pk=waiting.pk))
    as_user(client, door_volunteer)

    response = client.post(door_url(london_event), {"booking": people["cy"].pk, "action": "check_in"})
    assert response.status_code == 409
    assert "This booking was cancelled; add them as a walk-in instead." in response.content.decode()
    answer = client.post(door_url(london_event), {"booking": waiting.pk, "action": "check_in"}, headers=JSON)
    assert answer.status_code == 409
    assert answer.json() == {"error": "This booking was cancelled; add them as a walk-in instead."}
    assert not Booking.objects.filter(checked_in_at__isnull=False).exists()


def test_the_waiting_list_cannot_be_checked_in(
    client: Client, door_volunteer: Any, london_event: Event, people: dict[str, Booking]
) -> None:
    london_event.refresh_from_db()
    london_event.capacity = 3
    london_event.save(update_fields=["capacity"])
    waiting = guest(london_event, "Wyn Waiting")

    response = as_user(client, door_volunteer).post(
        door_url(london_event), {"booking": waiting.pk, "action": "check_in"}
    )

    assert response.status_code == 409
    assert "on the waiting list; give them a place first" in response.content.decode()
    assert Booking.objects.get(pk=waiting.pk).checked_in_at is None


def test_a_booking_of_another_event_is_refused_at_this_door(
    client: Client, dayschool_organiser: Any, london_event: Event, leeds_event: Event
) -> None:
    elsewhere = guest(leeds_event, "Dee Leeds")

    response = as_user(client, dayschool_organiser).post(
        door_url(london_event), {"booking": elsewhere.pk, "action": "check_in"}, headers=JSON
    )

    assert response.status_code == 400
    assert response.json() == {"error": "That booking is not for this event."}
    assert Booking.objects.get(pk=elsewhere.pk).checked_in_at is None


def test_a_booking_that_does_not_exist_is_refused(
    client: Client, door_volunteer: Any, london_event: Event, people: dict[str, Booking]
) -> None:
    as_user(client, door_volunteer)
    for booking in ("999999", "not a number", ""):
        response = client.post(door_url(london_event), {"booking": booking, "action": "check_in"})
        assert response.status_code == 400
    assert not Booking.objects.filter(checked_in_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="dayschool.checked_in").exists()


def test_an_events_own_organiser_runs_only_that_events_door(
    client: Client, door_volunteer: Any, london_event: Event, leeds_event: Event
) -> None:
    elsewhere = guest(leeds_event, "Dee Leeds")
    as_user(client, door_volunteer)

    assert client.get(door_url(leeds_event)).status_code == 403
    response = client.post(door_url(leeds_event), {"booking": elsewhere.pk, "action": "check_in"})
    assert response.status_code == 403
    response = client.post(reverse("dayschools:door_walk_in", args=[leeds_event.pk]), {"name": "Sneaky"})
    assert response.status_code == 403
    assert Booking.objects.filter(event=leeds_event).count() == 1
    assert Booking.objects.get(pk=elsewhere.pk).checked_in_at is None


# Walk-ins -------------------------------------------------------------------------------------------
def test_a_walk_in_is_added_and_checked_in(
    client: Client, door_volunteer: Any, london_event: Event, people: dict[str, Booking]
) -> None:
    response = as_user(client, door_volunteer).post(
        reverse("dayschools:door_walk_in", args=[london_event.pk]),
        {"name": "Walter Inn", "email": "Walter@Example.org"},
        follow=True,
    )

    walk_in = Booking.objects.get(name="Walter Inn")
    assert (walk_in.walk_in, walk_in.email, walk_in.status) == (True, "walter@example.org", "confirmed")
    assert walk_in.checked_in_at is not None
    assert response.redirect_chain == [(door_url(london_event), 302)]
    assert shown(response) == ["Walter Inn added as a walk-in and checked in."]
    assert "1 of 4 checked in" in response.content.decode()


def test_a_walk_in_needs_only_a_name(client: Client, door_volunteer: Any, london_event: Event) -> None:
    as_user(client, door_volunteer).post(
        reverse("dayschools:door_walk_in", args=[london_event.pk]), {"name": "Nora Name", "email": ""}
    )
    assert Booking.objects.get(name="Nora Name").email == ""


def test_a_walk_in_with_a_members_email_is_linked_to_their_record(
    client: Client, door_volunteer: Any, london_event: Event, member: Member
) -> None:
    as_user(client, door_volunteer).post(
        reverse("dayschools:door_walk_in", args=[london_event.pk]),
        {"name": "Walks In", "email": member.user.email.upper()},
    )
    assert Booking.objects.get(name="Walks In").member == member


def test_a_walk_in_with_the_email_of_someone_booked_is_refused(
    client: Client, door_volunteer: Any, london_event: Event, people: dict[str, Booking]
) -> None:
    response = as_user(client, door_volunteer).post(
        reverse("dayschools:door_walk_in", args=[london_event.pk]),
        {"name": "Ada Again", "email": "ada@example.org"},
    )
    assert response.status_code == 409
    assert "already booked; check them in instead" in response.content.decode()
    assert Booking.objects.count() == 3


def test_a_walk_in_without_a_name_is_refused(
    client: Client, door_volunteer: Any, london_event: Event
) -> None:
    response = as_user(client, door_volunteer).post(
        reverse("dayschools:door_walk_in", args=[london_event.pk]), {"name": "  ", "email": ""}
    )
    assert response.status_code == 200
    assert not Booking.objects.exists()


# The bookings list ----------------------------------------------------------------------------------
def test_the_bookings_list_shows_confirmed_waiting_in_order_and_cancelled(
    client: Client, dayschool_organiser: Any, london_event: Event
) -> None:
    london_event.capacity = 2
    london_event.save(update_fields=["capacity"])
    for name in ("Zoe Zed", "Amy Ash", "Wes West", "Val Vane", "Cat Cole"):
        guest(london_event, name)
    services.cancel_booking(booking=Booking.objects.get(name="Cat Cole"))
    url = reverse("dayschools:event_bookings", args=[london_event.pk])

    response = as_user(client, dayschool_organiser).get(url)

    names = {key: [b.name for b in response.context[key]] for key in ("confirmed", "waiting", "cancelled")}
    assert names == {
        "confirmed": ["Amy Ash", "Zoe Zed"],
        "waiting": ["Wes West", "Val Vane"],  # the order they booked in
        "cancelled": ["Cat Cole"],
    }
    counts = response.context["counts"]
    assert (counts.confirmed, counts.waiting, counts.cancelled) == (2, 2, 1)
    response = client.get(url, {"q": "VAN"})
    assert [b.name for b in response.context["waiting"]] == ["Val Vane"]
    assert response.context["confirmed"] == []


@pytest.mark.parametrize("url_name", ["dayschools:door", "dayschools:event_bookings"])
def test_the_lists_run_a_fixed_number_of_queries(
    client: Client,
    dayschool_organiser: Any,
    london_event: Event,
    url_name: str,
    django_assert_max_num_queries: Any,
) -> None:
    def grow(start: int, n: int) -> None:
        for i in range(start, start + n):
            booking = guest(london_event, f"Person {i}", f"person{i}@example.org")
            if i % 3 == 0 and booking.status == BookingStatus.CONFIRMED:
                services.check_in(actor=None, booking=booking)
            elif i % 7 == 0:
                services.cancel_booking(booking=booking)

    url = reverse(url_name, args=[london_event.pk])
    as_user(client, dayschool_organiser)
    grow(0, 5)
    with django_assert_max_num_queries(15) as small:
        client.get(url)
    grow(5, 55)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("Person ") >= 50
