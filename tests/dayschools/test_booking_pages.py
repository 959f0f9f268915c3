"""The public day-school pages: what is coming, an event, booking (guests and members), a booking's link.

Bad input gets a clear message and writes nothing: booking after close, a
duplicate booking by a logged-in member, a tampered or
expired link, the honeypot, too many posts from one address, a workshop
from another event, two workshops at the same time.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awl.codes import qr_png_data_uri
from awl.env import envrate, parse_rate
from awl.models import OutboundMessage
from dayschools import mail, services
from dayschools.models import Booking, BookingStatus, City, Event, EventStatus, School, Workshop
from members.models import Member
from tests.dayschools.conftest import BOOKING_TIME, make_event
from tests.factories import SchoolFactory
from tests.helpers.clock import london_time


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """The booking limit counts posts per address in the cache; each test starts at zero."""
    cache.clear()


def guest_post(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Ann Guest",
        "email": "ann@example.org",
        "phone": "07700 900111",
        "how_heard": "friend",
        "consent_to_contact": "on",
        "website": "",
        **changes,
    }


def book_url(event: Event) -> str:
    return reverse("dayschools:book", args=[event.pk])


def nothing_written() -> bool:
    return not Booking.objects.exists() and not OutboundMessage.objects.exists()


# The list and the event page ------------------------------------------------------------------------
def test_the_list_shows_coming_published_events_by_school_with_places(
    client, school: School, london_event: Event, leeds_event: Event, cities: dict[str, City], booking_time
) -> None:
    second = SchoolFactory.create(series=school.series, number=2, title="Imperialism")
    draft = make_event(second, cities["sheffield"], 5, month=11)
    draft.status = EventStatus.DRAFT
    draft.save(update_fields=["status"])
    full = make_event(second, cities["manchester"], 12, month=11, capacity=1)
    services.book_guest(event=full, name="First", email="first@example.org")

    html = client.get(reverse("dayschools:event_list")).content.decode()

    assert html.index("School 1: What is capitalism?") < html.index("London, Thursday 22 October 2026")
    assert html.index("London, Thursday 22 October 2026") < html.index("Leeds, Thursday 29 October 2026")
    assert html.index("Leeds, Thursday 29 October 2026") < html.index("School 2: Imperialism")
    assert "50 places left" in html
    assert "Manchester" in html and "full: join the waiting list" in html
    assert "Sheffield" not in html  # a draft is not public
    assert "First" not in html


def test_events_that_are_over_leave_the_list(client, london_event: Event) -> None:
    with time_machine.travel(london_time(2026, 10, 22, 17), tick=False):
        html = client.get(reverse("dayschools:event_list")).content.decode()
    assert "London" not in html
    assert "No day schools are planned just now" in html


def test_the_list_runs_a_constant_number_of_queries(
    client, school: School, cities: dict[str, City], booking_time
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dayschools:event_list")).status_code == 200
        return len(queries)

    make_event(school, cities["london"], 22)
    few = count()
    for number in range(2, 12):
        more = SchoolFactory.create(series=school.series, number=number, title=f"School {number}")
        for day, city in enumerate(cities.values(), start=1):
            make_event(more, city, day, month=11)

    assert count() == few


def test_the_event_page_shows_public_information_only(
    client, london_event: Event, workshops: list[Workshop], booking_time
) -> None:
    london_event.accessibility = "Step-free access; hearing loop in the main hall."
    london_event.save(update_fields=["accessibility"])
    services.book_guest(event=london_event, name="Secret Person", email="secret@example.org")

    html = client.get(reverse("dayschools:event_detail", args=[london_event.pk])).content.decode()

    for shown in [
        "What is capitalism?",
        "Marx&#x27;s Capital, volume one, in a day.",
        "Capital, chapter 1",
        "London Friends Meeting House",
        "1 Main Street",
        "Step-free access; hearing loop in the main hall.",
        "10:00 to 16:30",
        "Value and labour, 14:00 to 15:30",
        "Crisis theory, 14:00 to 15:30",
        "49 places left",
    ]:
        assert shown in html, shown
    assert "Secret Person" not in html and "secret@example.org" not in html
    assert 'name="consent_to_contact"' in html and 'name="consent_to_contact" checked' not in html


def test_a_full_event_offers_the_waiting_list(client, london_event: Event, booking_time) -> None:
    london_event.capacity = 1
    london_event.save(update_fields=["capacity"])
    services.book_guest(event=london_event, name="First", email="first@example.org")

    html = client.get(reverse("dayschools:event_detail", args=[london_event.pk])).content.decode()

    assert "Full: join the waiting list" in html
    assert "Join the waiting list</button>" in html


def test_a_draft_event_is_not_found(client, london_event: Event, booking_time) -> None:
    london_event.status = EventStatus.DRAFT
    london_event.save(update_fields=["status"])

    assert client.get(reverse("dayschools:event_detail", args=[london_event.pk])).status_code == 404
    assert client.post(book_url(london_event), guest_post()).status_code == 404
    assert nothing_written()


def test_a_closed_event_says_so_and_offers_no_form(client, london_event: Event) -> None:
    with time_machine.travel(london_time(2026, 10, 22, 9, 30), tick=False):
        html = client.get(reverse("dayschools:event_detail", args=[london_event.pk])).content.decode()
    assert "Booking for this day school has closed." in html
    assert 'action="/dayschools/' not in html


# Guests book ----------------------------------------------------------------------------------------
def test_a_guest_books_and_is_told_and_emailed(
    client, london_event: Event, workshops: list[Workshop], booking_time
) -> None:
    crisis = workshops[1]

    response = client.post(book_url(london_event), guest_post(email="Ann@Example.org", workshop_1=crisis.pk))

    assert response.status_code == 302
    assert response["Location"] == reverse("dayschools:booked", args=[london_event.pk])
    booking = Booking.objects.get()
    assert (booking.name, booking.email, booking.phone, booking.how_heard) == (
        "Ann Guest",
        "ann@example.org",
        "07700 900111",
        "friend",
    )
    assert booking.consent_to_contact is True
    assert booking.status == BookingStatus.CONFIRMED and booking.member is None
    assert list(booking.workshops.all()) == [crisis]
    assert OutboundMessage.objects.filter(key=f"dayschool-booking-{booking.pk}-confirmation").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Check your e-mail: we have sent you a message about this booking." in page


def test_consent_is_not_assumed(client, london_event: Event, booking_time) -> None:
    data = guest_post()
    del data["consent_to_contact"]

    assert client.post(book_url(london_event), data).status_code == 302

    assert Booking.objects.get().consent_to_contact is False


def test_a_guest_on_a_full_event_joins_the_waiting_list_and_is_emailed_their_number(
    client, london_event: Event, booking_time
) -> None:
    london_event.capacity = 1
    london_event.save(update_fields=["capacity"])
    services.book_guest(event=london_event, name="First", email="first@example.org")
    services.book_guest(event=london_event, name="Second", email="second@example.org")

    response = client.post(book_url(london_event), guest_post(), follow=True)

    booking = Booking.objects.get(email="ann@example.org")
    assert booking.status == BookingStatus.WAITING
    assert "Check your e-mail" in response.content.decode()
    sent = OutboundMessage.objects.get(key=f"dayschool-booking-{booking.pk}-confirmation")
    assert "waiting list, number 2" in sent.body_text


def test_a_member_s_address_on_the_public_form_does_not_attach_the_booking_to_them(
    client, london_event: Event, member: Member, booking_time
) -> None:
    client.post(book_url(london_event), guest_post(email="ROSA@example.org"))

    booking = Booking.objects.get()
    assert booking.member is None
    # The member is told, at their address, and given the link to claim it.
    sent = OutboundMessage.objects.get(key=f"dayschool-booking-{booking.pk}-confirmation")
    assert sent.to == "rosa@example.org"
    assert "belongs to a member's account" in sent.body_text and "/claim/" in sent.body_text


# Bad input: a clear message, nothing written --------------------------------------------------------
def test_booking_after_close_is_refused(client, london_event: Event) -> None:
    with time_machine.travel(london_time(2026, 10, 22, 9), tick=False):
        response = client.post(book_url(london_event), guest_post())

    assert response.status_code == 409
    assert "Booking for this event has closed." in response.content.decode()
    assert nothing_written()


def test_the_same_email_in_another_case_cannot_book_twice(client, london_event: Event, booking_time) -> None:
    client.post(book_url(london_event), guest_post())
    first = Booking.objects.get()

    response = client.post(book_url(london_event), guest_post(name="Ann Again", email="ANN@example.ORG"))

    # The page says nothing of the first booking; the address is told, with the first booking's link.
    assert response.status_code == 302
    assert list(Booking.objects.all()) == [first]
    again = OutboundMessage.objects.exclude(key=f"dayschool-booking-{first.pk}-confirmation").get()
    assert again.to == "ann@example.org" and again.subject.startswith("Already booked")
    assert mail.booking_token(first) in again.body_text


def test_a_member_cannot_book_twice(client, london_event: Event, member: Member, booking_time) -> None:
    client.force_login(member.user)
    url = reverse("dayschools:book_member", args=[london_event.pk])
    assert client.post(url).status_code == 302
    before = (Booking.objects.count(), OutboundMessage.objects.count())

    # A second post (a double click, or a stale page) is refused with a message.
    again = client.post(url)

    assert again.status_code == 409
    assert "You have already booked for this event." in again.content.decode()
    assert (Booking.objects.count(), OutboundMessage.objects.count()) == before


def test_a_filled_honeypot_looks_like_success_but_writes_nothing(
    client, london_event: Event, booking_time
) -> None:
    response = client.post(book_url(london_event), guest_post(website="http://spam.example"), follow=True)

    assert response.redirect_chain == [(reverse("dayschools:booked", args=[london_event.pk]), 302)]
    assert "Check your e-mail: we have sent you a message about this booking." in response.content.decode()
    assert nothing_written()


def test_the_honeypot_is_labelled_for_people_and_hidden_from_them(
    client, london_event: Event, booking_time
) -> None:
    html = client.get(book_url(london_event)).content.decode()
    assert "Leave this empty: it is here to catch automated spam" in html
    assert 'name="website" autocomplete="off" tabindex="-1"' in html
    css = (Path(__file__).parents[2] / "static" / "css" / "site.css").read_text()
    assert ".dayschool-booking-form #div_id_website {\n  position: absolute;\n  left: -10000px;" in css


def test_posts_over_the_rate_limit_get_429_and_write_nothing(
    client, london_event: Event, settings, booking_time
) -> None:
    settings.DAYSCHOOL_BOOKING_RATE = "3/h"
    statuses = [
        client.post(book_url(london_event), guest_post(email=f"guest{n}@example.org")).status_code
        for n in range(3)
    ]
    before = (Booking.objects.count(), OutboundMessage.objects.count())

    over = client.post(book_url(london_event), guest_post(email="fourth@example.org"))

    assert statuses == [302, 302, 302]
    assert over.status_code == 429
    assert "Please try again later" in over.content.decode()
    assert (Booking.objects.count(), OutboundMessage.objects.count()) == before == (3, 3)


def test_the_rate_limit_counts_refused_and_honeypot_posts_too(
    client, london_event: Event, settings, booking_time
) -> None:
    settings.DAYSCHOOL_BOOKING_RATE = "2/h"
    client.post(book_url(london_event), guest_post(email="not an address"))
    client.post(book_url(london_event), guest_post(website="spam"))

    assert client.post(book_url(london_event), guest_post()).status_code == 429
    assert nothing_written()


def test_the_rate_limit_is_per_address_and_per_window(client, london_event: Event, settings) -> None:
    settings.DAYSCHOOL_BOOKING_RATE = "1/h"
    with time_machine.travel(BOOKING_TIME, tick=False) as traveller:
        assert client.post(book_url(london_event), guest_post(email="a@example.org")).status_code == 302
        assert client.post(book_url(london_event), guest_post(email="b@example.org")).status_code == 429
        other = client.post(
            book_url(london_event), guest_post(email="c@example.org"), REMOTE_ADDR="192.0.2.7"
        )
        assert other.status_code == 302
        traveller.shift(dt.timedelta(hours=1))
        assert client.post(book_url(london_event), guest_post(email="d@example.org")).status_code == 302
    assert sorted(Booking.objects.values_list("email", flat=True)) == [
        "a@example.org",
        "c@example.org",
        "d@example.org",
    ]


def test_the_rate_limit_leaves_reading_alone(client, london_event: Event, settings, booking_time) -> None:
    settings.DAYSCHOOL_BOOKING_RATE = "1/h"
    for _ in range(3):
        assert client.get(book_url(london_event)).status_code == 200


def test_a_workshop_from_another_event_is_refused(
    client, london_event: Event, leeds_event: Event, workshops: list[Workshop], booking_time
) -> None:
    elsewhere = Workshop.objects.create(
        event=leeds_event,
        title="Leeds only",
        starts_at=london_time(2026, 10, 29, 14),
        ends_at=london_time(2026, 10, 29, 15),
        capacity=10,
    )

    response = client.post(book_url(london_event), guest_post(workshop_1=elsewhere.pk))

    assert response.status_code == 200
    assert "That workshop is not part of this event." in response.content.decode()
    assert nothing_written()


def test_two_workshops_at_the_same_time_are_refused(
    client, london_event: Event, workshops: list[Workshop], booking_time
) -> None:
    both = [workshops[0].pk, workshops[1].pk]

    response = client.post(book_url(london_event), guest_post(workshop_1=both))

    assert response.status_code == 409
    assert "run at the same time; choose one." in response.content.decode()
    assert nothing_written()
    assert Workshop.objects.filter(confirmed__gt=0).count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("email", "not an address", "Enter a valid email address."),
        ("how_heard", "telepathy", "Select a valid choice."),
        ("phone", "call me", "Enter a phone number"),
    ],
)
def test_malformed_details_are_refused_on_the_form(
    client, london_event: Event, booking_time, field: str, value: str, message: str
) -> None:
    response = client.post(book_url(london_event), guest_post(**{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert nothing_written()


# Members book in one click ----------------------------------------------------------------------------
def test_a_member_sees_one_click_booking_instead_of_the_form(
    client, london_event: Event, member: Member, booking_time
) -> None:
    client.force_login(member.user)
    html = client.get(reverse("dayschools:event_detail", args=[london_event.pk])).content.decode()

    assert f'action="{reverse("dayschools:book_member", args=[london_event.pk])}"' in html
    assert 'name="email"' not in html and 'name="website"' not in html
    assert "Book my place</button>" in html


def test_a_member_books_in_one_click_and_then_sees_their_booking(
    client, london_event: Event, workshops: list[Workshop], member: Member, booking_time
) -> None:
    client.force_login(member.user)

    response = client.post(
        reverse("dayschools:book_member", args=[london_event.pk]), {"workshop_1": workshops[0].pk}
    )

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.member, booking.name, booking.status) == (member, "Rosa Lund", "confirmed")
    assert list(booking.workshops.all()) == [workshops[0]]
    page = client.get(response["Location"]).content.decode()
    assert "Your place is booked." in page
    assert "You have a place at this day school." in page
    assert reverse("dayschools:booking_link", args=[mail.booking_token(booking)]) in page


def test_one_click_booking_needs_a_member_record(client, london_event: Event, outsider, booking_time) -> None:
    client.force_login(outsider)

    assert client.post(reverse("dayschools:book_member", args=[london_event.pk])).status_code == 404
    assert nothing_written()


# A booking's own link ---------------------------------------------------------------------------------
def test_the_link_shows_that_booking_only_with_its_code_and_qr_code(
    client, london_event: Event, workshops: list[Workshop], booking_time
) -> None:
    london_event.capacity = 1
    london_event.save(update_fields=["capacity"])
    services.book_guest(event=london_event, name="Other Person", email="other@example.org")
    booking = services.book_guest(
        event=london_event, name="Ann Guest", email="ann@example.org", workshops=[workshops[0]]
    )

    response = client.get(reverse("dayschools:booking_link", args=[mail.booking_token(booking)]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ann Guest" in html and "Other Person" not in html and "other@example.org" not in html
    assert "On the waiting list, number 1" in html
    assert "Value and labour (14:00)" in html
    assert booking.code in html
    assert f'src="{qr_png_data_uri(booking.code)}"' in html
    assert f'alt="QR code of your booking code {booking.code}"' in html


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # the signature
        lambda token: "x" + token,  # the payload
        lambda token: token.split(":")[0],  # cut short
    ],
    ids=["signature", "payload", "cut-short"],
)
def test_a_tampered_link_is_refused_and_cancels_nothing(
    client, london_event: Event, booking_time, tamper
) -> None:
    booking = services.book_guest(event=london_event, name="Ann", email="ann@example.org")
    bad = tamper(mail.booking_token(booking))

    shown = client.get(reverse("dayschools:booking_link", args=[bad]))
    cancelled = client.post(reverse("dayschools:booking_cancel", args=[bad]))

    assert shown.status_code == cancelled.status_code == 400
    assert "This booking link is not valid" in shown.content.decode()
    assert "Ann" not in shown.content.decode()
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


def test_a_link_for_another_code_is_refused(client, london_event: Event, booking_time) -> None:
    """A link made for a booking whose code has since changed names no booking."""
    booking = services.book_guest(event=london_event, name="Ann", email="ann@example.org")
    token = mail.booking_token(booking)
    Booking.objects.filter(pk=booking.pk).update(code="ZZZZZZZZ")

    response = client.post(reverse("dayschools:booking_cancel", args=[token]))

    assert response.status_code == 400
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


def test_an_expired_link_is_refused(client, london_event: Event, booking_time) -> None:
    booking = services.book_guest(event=london_event, name="Ann", email="ann@example.org")
    token = mail.booking_token(booking)

    with time_machine.travel(BOOKING_TIME + dt.timedelta(days=401), tick=False):
        response = client.post(reverse("dayschools:booking_cancel", args=[token]))

    assert response.status_code == 400
    assert "This booking link has expired." in response.content.decode()
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


def test_the_holder_cancels_after_confirming_and_the_first_waiting_gets_the_place(
    client, london_event: Event, booking_time
) -> None:
    london_event.capacity = 1
    london_event.save(update_fields=["capacity"])
    booking = services.book_guest(event=london_event, name="Ann", email="ann@example.org")
    waiting = services.book_guest(event=london_event, name="Bea", email="bea@example.org")
    url = reverse("dayschools:booking_cancel", args=[mail.booking_token(booking)])

    confirm = client.get(url)
    assert "Yes, cancel my booking" in confirm.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED  # GET changes nothing

    response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "dayschools:booking_link", args=[mail.booking_token(booking)]
    )
    assert "Your booking is cancelled." in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert Booking.objects.get(pk=waiting.pk).status == BookingStatus.CONFIRMED
    assert OutboundMessage.objects.filter(key=f"dayschool-booking-{waiting.pk}-promoted").exists()


def test_a_booking_cannot_be_cancelled_from_its_link_once_the_day_has_begun(
    client, london_event: Event, booking_time
) -> None:
    booking = services.book_guest(event=london_event, name="Ann", email="ann@example.org")
    url = reverse("dayschools:booking_cancel", args=[mail.booking_token(booking)])

    with time_machine.travel(london_time(2026, 10, 22, 10, 30), tick=False):
        response = client.post(url)

    assert response.status_code == 409
    assert "can no longer be cancelled" in response.content.decode()
    assert Booking.objects.get().status == BookingStatus.CONFIRMED


def test_cancelling_twice_changes_nothing_more(client, london_event: Event, booking_time) -> None:
    booking = services.book_guest(event=london_event, name="Ann", email="ann@example.org")
    url = reverse("dayschools:booking_cancel", args=[mail.booking_token(booking)])
    client.post(url)
    cancelled_at = Booking.objects.get().cancelled_at

    again = client.post(url)

    assert again.status_code == 409
    assert "already cancelled" in again.content.decode()
    assert Booking.objects.get().cancelled_at == cancelled_at


# A member's bookings --------------------------------------------------------------------------------
def test_my_bookings_lists_the_members_own_bookings_with_their_links(
    client, london_event: Event, leeds_event: Event, member: Member, booking_time
) -> None:
    mine = services.book_member(member=member, event=london_event)
    services.book_guest(event=leeds_event, name="Someone Else", email="else@example.org")
    client.force_login(member.user)

    html = client.get(reverse("dayschools:my_bookings")).content.decode()

    assert reverse("dayschools:booking_link", args=[mail.booking_token(mine)]) in html
    assert mine.code in html
    assert "Someone Else" not in html and "Leeds" not in html


def test_my_bookings_runs_a_constant_number_of_queries(
    client, school: School, cities: dict[str, City], member: Member, booking_time
) -> None:
    client.force_login(member.user)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dayschools:my_bookings")).status_code == 200
        return len(queries)

    services.book_member(member=member, event=make_event(school, cities["london"], 22))
    few = count()
    for number in range(2, 8):
        more = SchoolFactory.create(series=school.series, number=number, title=f"School {number}")
        event = make_event(more, cities["leeds"], number, month=11, capacity=1)
        services.book_guest(event=event, name="First", email=f"first{number}@example.org")
        services.book_member(member=member, event=event)  # on the waiting list

    assert count() == few


def test_the_dashboard_shows_a_members_coming_day_schools(
    client, london_event: Event, member: Member, booking_time
) -> None:
    booking = services.book_member(member=member, event=london_event)
    client.force_login(member.user)

    html = client.get(reverse("dashboard")).content.decode()

    assert "My day schools" in html
    assert reverse("dayschools:booking_link", args=[mail.booking_token(booking)]) in html


def test_the_dashboard_panel_is_left_out_without_bookings(client, member: Member, booking_time) -> None:
    client.force_login(member.user)
    assert "My day schools" not in client.get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize("value", ["ten an hour", "10", "10/w", "0/h", "10/0m", "/h"])
def test_a_malformed_booking_rate_stops_start_up(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DAYSCHOOL_BOOKING_RATE", value)

    with pytest.raises(ImproperlyConfigured, match="DAYSCHOOL_BOOKING_RATE"):
        envrate("DAYSCHOOL_BOOKING_RATE", "10/h")


def test_booking_rates_are_read_as_posts_per_period() -> None:
    assert [parse_rate(rate) for rate in ("10/h", "5/15m", "1/s", "100000/d")] == [
        (10, 3600),
        (5, 900),
        (1, 1),
        (100000, 86400),
    ]
