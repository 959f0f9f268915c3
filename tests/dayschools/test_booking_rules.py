"""Booking rules: places, the waiting list in order, promotion, duplicates, the booking window, workshop
places, check-in and who may be followed up."""

from __future__ import annotations

import pytest

from awl.models import OutboundMessage
from dayschools import services
from dayschools.models import Booking, BookingStatus, Event, FollowUp, Workshop
from dayschools.services import DaySchoolError
from members.models import Member
from tests.helpers.clock import london_time


def guest(event: Event, n: int) -> Booking:
    return services.book_guest(event=event, name=f"Guest {n}", email=f"guest{n}@example.org")


def test_places_fill_then_the_waiting_list_takes_people_in_order(london_event: Event, booking_time) -> None:
    london_event.capacity = 3
    london_event.save(update_fields=["capacity"])

    bookings = [guest(london_event, n) for n in range(5)]

    assert [b.status for b in bookings] == ["confirmed"] * 3 + ["waiting"] * 2
    assert [b.position for b in bookings] == [1, 2, 3, 4, 5]
    london_event.refresh_from_db()
    assert london_event.confirmed == 3


def test_a_cancellation_promotes_the_first_waiting_and_tells_them(london_event: Event, booking_time) -> None:
    london_event.capacity = 2
    london_event.save(update_fields=["capacity"])
    first, _, third, fourth = (guest(london_event, n) for n in range(4))

    services.cancel_booking(booking=first)

    assert Booking.objects.get(pk=third.pk).status == BookingStatus.CONFIRMED
    assert Booking.objects.get(pk=fourth.pk).status == BookingStatus.WAITING
    assert OutboundMessage.objects.filter(key=f"dayschool-booking-{third.pk}-promoted").exists()
    london_event.refresh_from_db()
    assert london_event.confirmed == 2


def test_the_same_email_cannot_book_twice_whatever_its_case(london_event: Event, booking_time) -> None:
    guest(london_event, 1)
    with pytest.raises(DaySchoolError, match="already booked"):
        services.book_guest(event=london_event, name="Again", email="GUEST1@example.org")
    assert Booking.objects.count() == 1


def test_a_member_books_in_one_click_and_only_once(london_event: Event, member: Member, booking_time) -> None:
    booking = services.book_member(member=member, event=london_event)
    assert (booking.name, booking.email, booking.status) == (member.full_name, member.user.email, "confirmed")
    with pytest.raises(DaySchoolError, match="already booked"):
        services.book_member(member=member, event=london_event)


def test_booking_after_close_is_refused(london_event: Event) -> None:
    import time_machine

    with (
        time_machine.travel(london_time(2026, 10, 22, 9), tick=False),
        pytest.raises(DaySchoolError, match="closed"),
    ):
        guest(london_event, 1)
    assert not Booking.objects.exists()


def test_a_capacity_below_the_places_booked_is_refused(
    london_event: Event, dayschool_organiser, booking_time
) -> None:
    for n in range(3):
        guest(london_event, n)
    with pytest.raises(DaySchoolError, match="already booked"):
        services.update_event(actor=dayschool_organiser, event=london_event, capacity=2)
    london_event.refresh_from_db()
    assert london_event.capacity == 50


def test_a_holder_cannot_give_up_a_place_once_the_day_has_begun_but_an_organiser_can(
    london_event: Event, dayschool_organiser, booking_time
) -> None:
    import time_machine

    first, second = guest(london_event, 1), guest(london_event, 2)
    with time_machine.travel(london_time(2026, 10, 22, 10, 5), tick=False):
        with pytest.raises(DaySchoolError, match="begun"):
            services.cancel_booking(booking=first)
        services.cancel_booking(booking=second, actor=dayschool_organiser)

    assert Booking.objects.get(pk=first.pk).status == BookingStatus.CONFIRMED
    assert Booking.objects.get(pk=second.pk).status == BookingStatus.CANCELLED


def test_another_member_cannot_cancel_someone_elses_booking(
    london_event: Event, member: Member, outsider, booking_time
) -> None:
    booking = services.book_member(member=member, event=london_event)
    with pytest.raises(DaySchoolError, match="Only the person who booked"):
        services.cancel_booking(booking=booking, actor=outsider)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_cancelling_an_event_tells_everyone_booked_or_waiting_once(
    london_event: Event, dayschool_organiser, booking_time
) -> None:
    from icalendar import Calendar

    london_event.capacity = 1
    london_event.save(update_fields=["capacity"])
    booked, waiting, gone = guest(london_event, 1), guest(london_event, 2), guest(london_event, 3)
    services.cancel_booking(booking=gone)

    services.cancel_event(actor=dayschool_organiser, event=london_event)

    told = OutboundMessage.objects.filter(key__endswith="-cancelled", key__startswith="dayschool-booking-")
    assert sorted(told.values_list("to", flat=True)) == [booked.email, waiting.email]
    message = told.get(to=booked.email)
    assert message.subject.startswith("Cancelled: What is capitalism?")
    [event] = Calendar.from_ical(message.attachments[0]["content"]).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"


def test_a_full_workshop_refuses_the_booking_and_nothing_is_written(
    london_event: Event, workshops: list[Workshop], booking_time
) -> None:
    full = workshops[0]
    Workshop.objects.filter(pk=full.pk).update(capacity=1)
    services.book_guest(event=london_event, name="First", email="first@example.org", workshops=[full])

    with pytest.raises(DaySchoolError, match="is full"):
        services.book_guest(event=london_event, name="Second", email="second@example.org", workshops=[full])

    assert Booking.objects.count() == 1
    london_event.refresh_from_db()
    assert london_event.confirmed == 1
    assert Workshop.objects.get(pk=full.pk).confirmed == 1


def test_a_promoted_booking_keeps_only_the_wished_workshops_with_room(
    london_event: Event, workshops: list[Workshop], booking_time
) -> None:
    roomy, tight = workshops
    Workshop.objects.filter(pk=tight.pk).update(capacity=1)
    london_event.capacity = 1
    london_event.save(update_fields=["capacity"])
    first = guest(london_event, 1)
    waiting = services.book_guest(
        event=london_event, name="Waiting", email="waiting@example.org", workshops=[tight]
    )
    waiting.workshops.add(roomy)
    Workshop.objects.filter(pk=tight.pk).update(confirmed=1)  # someone else took its place meanwhile

    services.cancel_booking(booking=first)

    promoted = Booking.objects.get(pk=waiting.pk)
    assert promoted.status == BookingStatus.CONFIRMED
    assert list(promoted.workshops.all()) == [roomy]
    assert Workshop.objects.get(pk=roomy.pk).confirmed == 1
    assert Workshop.objects.get(pk=tight.pk).confirmed == 1


def test_not_even_an_organiser_cancels_a_booking_once_checked_in(
    london_event: Event, dayschool_organiser, booking_time
) -> None:
    booking = services.check_in(actor=dayschool_organiser, booking=guest(london_event, 1))

    with pytest.raises(DaySchoolError, match="checked in"):
        services.cancel_booking(booking=booking, actor=dayschool_organiser)

    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("who", ["member", "no_consent", "did_not_come"])
def test_only_non_members_who_came_and_consented_are_followed_up(
    london_event: Event, member: Member, dayschool_organiser, booking_time, who: str
) -> None:
    if who == "member":
        booking = services.book_member(member=member, event=london_event)
    else:
        booking = services.book_guest(
            event=london_event,
            name="Guest",
            email="guest@example.org",
            consent_to_contact=who != "no_consent",
        )
    if who != "did_not_come":
        services.check_in(actor=dayschool_organiser, booking=booking)

    with pytest.raises(DaySchoolError, match="Only non-members who came"):
        services.record_follow_up(actor=dayschool_organiser, booking=booking)

    assert not FollowUp.objects.exists()
