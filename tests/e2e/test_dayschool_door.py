"""The door of a day school on a phone: an organiser checks people in and adds a walk-in.

A day-school organiser opens the door list of today's London school from the
main menu on a phone, finds a guest by name and checks her in with one tap:
the row and the live count change without a reload. A second guest is found
by the code on his confirmation, checked in and then undone; a third by
scanning his QR code with the phone's camera. Someone who did not book is
added at the door and counted.

Before that, on a desktop and on a phone: a second school, its first event,
a workshop, the event copied to two more cities at once, and publishing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dayschools import services
from dayschools.models import Booking, Event, EventStatus, Region, School
from members.models import Branch, Role
from tests.e2e.pages import main_menu
from tests.factories import CityFactory, SchoolFactory, SeriesFactory, make_officer

pytestmark = pytest.mark.e2e

GUESTS = ["Ada Byron", "Ben Okri", "Cy Twombly", "Dora Maar"]
# A camera showing a blank canvas, and a QR reader that reads CODE from it.
FAKE_CAMERA = """
window.BarcodeDetector = class {
  detect() { return Promise.resolve([{ rawValue: "CODE" }]); }
};
navigator.mediaDevices.getUserMedia = () => {
  const canvas = document.createElement("canvas");
  canvas.getContext("2d").fillRect(0, 0, 10, 10);
  return Promise.resolve(canvas.captureStream());
};
"""


@pytest.fixture
def dayschool_door_organiser(db: None) -> Any:
    """Dana, a day-school organiser: sets up the schools and runs their doors."""
    return make_officer(Role.DAYSCHOOL_ORGANISER, email="dana.dayschools@example.org")


@pytest.fixture
def todays_event(london: Branch) -> Event:
    """School 1 in London, begun half an hour ago, with four guests booked."""
    series = SeriesFactory.create(slug="crises")
    school = SchoolFactory.create(series=series, number=1)
    city = CityFactory.create(name="London", branch=london)
    began = timezone.now() - dt.timedelta(minutes=30)
    event = Event.objects.create(
        school=school,
        city=city,
        status=EventStatus.PUBLISHED,
        venue="Conway Hall",
        starts_at=began,
        ends_at=began + dt.timedelta(hours=6),
        capacity=50,
        booking_opens_at=began - dt.timedelta(days=30),
        booking_closes_at=began + dt.timedelta(hours=6),
    )
    for name in GUESTS:
        first = name.split()[0].lower()
        services.book_guest(event=event, name=name, email=f"{first}@example.org")
    return event


@pytest.mark.parametrize("viewport", ["phone"])
def test_an_organiser_checks_people_in_on_a_phone_and_adds_a_walk_in(
    log_in: Callable[..., Page], dayschool_door_organiser: Any, todays_event: Event, viewport: str
) -> None:
    page = log_in("dayschool_door_organiser", viewport=viewport)
    main_menu(page).get_by_role("link", name="Organise day schools").click()
    expect(page.get_by_role("heading", level=1, name="Organise day schools")).to_be_visible()
    page.get_by_role("link", name="Door list for London").click()
    expect(page.get_by_role("heading", level=1, name="Door list")).to_be_visible()
    count = page.locator("#door-count")
    expect(count).to_have_text("0 of 4 checked in")

    # Ada, found by name, checked in with one tap: the row and the count change in place.
    page.get_by_label("Name or booking code").fill("byron")
    page.get_by_role("button", name="Find").click()
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Check in Ada Byron").click()
    expect(count).to_have_text("1 of 4 checked in")
    assert page.evaluate("window.stillTheSamePage") is True  # no reload
    expect(page.get_by_role("button", name="Undo check-in of Ada Byron")).to_be_focused()
    expect(page.locator("#booking-{}".format(Booking.objects.get(name="Ada Byron").pk))).to_contain_text(
        "Checked in at"
    )
    assert Booking.objects.get(name="Ada Byron").checked_in_by == dayschool_door_organiser

    # Ben shows the code on his confirmation; checked in, then undone.
    ben = Booking.objects.get(name="Ben Okri")
    page.get_by_label("Name or booking code").fill(ben.code.lower())
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name=f"Booking {ben.code}")).to_be_visible()
    page.get_by_role("button", name="Check in Ben Okri").click()
    expect(count).to_have_text("2 of 4 checked in")
    page.get_by_role("button", name="Undo check-in of Ben Okri").click()
    expect(count).to_have_text("1 of 4 checked in")
    expect(page.get_by_role("button", name="Check in Ben Okri")).to_be_visible()

    # Cy's QR code is scanned with the phone's camera (a stand-in camera and QR reader here: headless
    # Chromium has neither), and the code it holds finds his booking.
    cy = Booking.objects.get(name="Cy Twombly")
    page.add_init_script(FAKE_CAMERA.replace("CODE", cy.code))
    page.reload()
    page.get_by_role("button", name="Scan a QR code").click()
    expect(page.get_by_role("heading", name=f"Booking {cy.code}")).to_be_visible()
    page.get_by_role("button", name="Check in Cy Twombly").click()
    expect(count).to_have_text("2 of 4 checked in")

    # A code nobody has says so.
    page.get_by_label("Name or booking code").fill("ZZZZ2345")
    page.get_by_role("button", name="Find").click()
    expect(
        page.get_by_role("alert").filter(has_text="No booking at this event has the code ZZZZ2345")
    ).to_be_visible()

    # Someone who did not book is added at the door, checked in and counted.
    walk_ins = page.get_by_role("region", name="Add a walk-in")
    walk_ins.get_by_label("Name").fill("Walter Inn")
    walk_ins.get_by_role("button", name="Add and check in").click()
    expect(page.get_by_role("status").filter(has_text="Walter Inn added as a walk-in")).to_be_visible()
    expect(count).to_have_text("3 of 5 checked in")
    walk_in = Booking.objects.get(name="Walter Inn")
    assert walk_in.walk_in and walk_in.checked_in_at is not None
    assert set(Booking.objects.filter(checked_in_at__isnull=False).values_list("name", flat=True)) == {
        "Ada Byron",
        "Cy Twombly",
        "Walter Inn",
    }


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_organiser_sets_up_an_event_adds_a_workshop_and_copies_it_to_two_cities(
    log_in: Callable[..., Page], dayschool_door_organiser: Any, todays_event: Event, viewport: str
) -> None:
    for name, slug in (("Leeds", "leeds"), ("Sheffield", "sheffield"), ("Glasgow", "glasgow")):
        CityFactory.create(name=name, slug=slug, region=Region.NORTH)
    page = log_in("dayschool_door_organiser", viewport=viewport)
    main_menu(page).get_by_role("link", name="Organise day schools").click()

    # A second school, held first in Leeds.
    page.get_by_role("link", name="Add a school to Capitalism and its crises").click()
    page.get_by_label("Title").fill("Value, profit and exploitation")
    page.get_by_label("Reading list").fill("Value, Price and Profit")
    page.get_by_role("button", name="Add the school").click()
    page.get_by_role("link", name="Add an event of Value, profit and exploitation").click()
    page.get_by_label("City").select_option(label="Leeds")
    page.get_by_label("Venue").fill("Leeds Civic Hall")
    page.get_by_role("button", name="Create the event").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Value, profit and exploitation, Leeds")

    # A workshop, then the event copied to Sheffield and Glasgow, each with its venue.
    page.get_by_role("link", name="Add a workshop").click()
    page.get_by_label("Title").fill("Reading Capital together")
    page.get_by_role("button", name="Add the workshop").click()
    expect(page.get_by_role("region", name="Workshops")).to_contain_text("Reading Capital together")
    page.get_by_role("link", name="Copy this event to other cities").click()
    for city, venue in (("Sheffield", "Quaker Meeting House"), ("Glasgow", "Adelaide's")):
        group = page.get_by_role("group", name=city)
        group.get_by_label(f"Copy to {city}").check()
        group.get_by_label(f"Venue in {city}").fill(venue)
    page.get_by_role("button", name="Copy the event").click()
    expect(page.get_by_role("status").first).to_contain_text("Copied to Glasgow, Sheffield as drafts")

    school = School.objects.get(number=2)
    assert sorted(school.events.values_list("city__name", "venue")) == [
        ("Glasgow", "Adelaide's"),
        ("Leeds", "Leeds Civic Hall"),
        ("Sheffield", "Quaker Meeting House"),
    ]
    assert all(e.workshops.count() == 1 for e in school.events.all())

    # Publish the Leeds event; its bookings page is empty so far.
    page.get_by_role("link", name="Leeds").first.click()
    page.get_by_role("link", name="Publish").click()
    page.get_by_role("button", name="Publish the event").click()
    expect(page.get_by_role("status").first).to_contain_text("Event published")
    page.get_by_role("link", name="Bookings").click()
    expect(page.get_by_role("heading", level=1, name="Bookings")).to_be_visible()
