"""An organiser reads the day-school report by city and downloads it as a CSV file; a branch
organiser records a follow-up of someone who came.

National office (who may read every report) goes from the main menu to the
organisers' page, then to the attendance reports and the report by city of
the autumn series. The chart is there as an image that has loaded, with a
table of the same figures beside it; the CSV file it downloads says the
same. School 1 was held in London and Leeds, school 2 in London: 3 came to
school 1 in London, 2 in Leeds, and 6 to school 2 in London, twice the
number at the first school.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from awl.models import AuditEntry
from dayschools import services
from dayschools.models import City, Event, EventStatus, FollowUp, Region, School, Series
from members.models import Branch
from tests.e2e.pages import main_menu
from tests.factories import CityFactory, SchoolFactory, SeriesFactory

pytestmark = pytest.mark.e2e


def held_event(school: School, city: City, days_ago: int) -> Event:
    starts = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - dt.timedelta(days=days_ago)
    return Event.objects.create(
        school=school,
        city=city,
        status=EventStatus.PUBLISHED,
        venue=f"{city.name} Friends Meeting House",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=6),
        capacity=50,
        booking_opens_at=starts - dt.timedelta(days=30),
        booking_closes_at=starts - dt.timedelta(hours=1),
    )


def came(event: Event, names: list[str], organiser: Any) -> None:
    """Each booked a week before (agreeing to be contacted) and was checked in on the day."""
    for name in names:
        with time_machine.travel(event.starts_at - dt.timedelta(days=7)):
            booking = services.book_guest(
                event=event,
                name=name,
                email=f"{name.split()[0].lower()}.{event.pk}@example.org",
                consent_to_contact=True,
            )
        with time_machine.travel(event.starts_at + dt.timedelta(minutes=10)):
            services.check_in(actor=organiser, booking=booking)


@pytest.fixture
def autumn_series(london: Branch, leeds: Branch, national_office: Any) -> Series:
    series = SeriesFactory.create(slug="autumn")
    first = SchoolFactory.create(series=series, number=1)
    second = SchoolFactory.create(series=series, number=2, title="Why crises?")
    london_city = CityFactory.create(name="London", branch=london)
    leeds_city = CityFactory.create(name="Leeds", region=Region.NORTH, branch=leeds)
    came(held_event(first, london_city, 60), ["Ann A", "Bo B", "Cy C"], national_office)
    came(held_event(first, leeds_city, 53), ["Di D", "Ed E"], national_office)
    came(
        held_event(second, london_city, 30),
        ["Fi F", "Gus G", "Hal H", "Ida I", "Jo J", "Kit K"],
        national_office,
    )
    return series


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_organiser_reads_the_city_report_and_downloads_its_csv(
    log_in: Callable[..., Page], autumn_series: Series, national_office: Any, tmp_path: Path, viewport: str
) -> None:
    page = log_in("national_office", viewport=viewport)
    main_menu(page).get_by_role("link", name="Organise day schools").click()
    page.get_by_role("link", name="Attendance reports").click()
    expect(page.get_by_role("heading", level=1, name="Attendance reports")).to_be_visible()
    page.get_by_role("link", name="By city, with the chart of Capitalism and its crises").click()
    expect(page.get_by_role("heading", level=1, name="Attendance by city")).to_be_visible()

    # The chart: an image with its alternative text, drawn (loaded, not a broken image).
    chart = page.get_by_role("img", name=re.compile(r"^Attendance by city: Capitalism and its crises"))
    expect(chart).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())

    # Beside it, a table of the same figures.
    figures = page.get_by_role("region", name="Attendance by city and school")
    expect(figures.get_by_role("row", name="London 3 6")).to_be_visible()
    expect(figures.get_by_role("row", name=re.compile(r"^Leeds 2"))).to_be_visible()
    london = page.get_by_role("region", name=re.compile(r"^London"))
    expect(london.get_by_text("Twice the number at school 1 in London").first).to_be_visible()

    # The CSV file says the same.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the city report (CSV)").click()
    saved = tmp_path / "cities.csv"
    info.value.save_as(saved)
    assert info.value.suggested_filename.startswith("attendance-by-city-autumn-")
    with saved.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["city"], r["school"], r["attended"], r["change on first"], r["% on first"]) for r in rows] == [
        ("Leeds", "1", "2", "", ""),
        ("Leeds", "2", "", "", ""),
        ("London", "1", "3", "", ""),
        ("London", "2", "6", "3", "100"),
    ]
    export = AuditEntry.objects.get(action="dayschool.report_exported")
    assert (export.actor_id, export.detail["report"], export.detail["rows"]) == (
        national_office.pk,
        "cities",
        4,
    )


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_branch_organiser_records_a_follow_up_on_a_phone(
    log_in: Callable[..., Page], autumn_series: Series, london_organiser: Any, viewport: str
) -> None:
    page = log_in("london_organiser", viewport=viewport)
    page.goto(reverse("dayschools:follow_ups"))
    expect(page.get_by_role("heading", level=1, name="People to follow up")).to_be_visible()
    people = page.get_by_role("region", name="People to follow up")
    expect(people.get_by_role("row")).to_have_count(1 + 9)  # London only: Leeds' Di and Ed are not here

    people.get_by_role("link", name="Record a follow-up of Ann A").click()
    expect(page.get_by_role("heading", level=1, name="Follow up Ann A")).to_be_visible()
    page.get_by_label("What happened (optional)").fill("Rang her; coming to the branch meeting.")
    page.get_by_role("button", name="Record the follow-up").click()

    expect(page.get_by_role("status").first).to_contain_text("you followed up Ann A")
    ann = page.get_by_role("row", name=re.compile(r"^Ann A"))
    expect(ann).to_contain_text("Rang her; coming to the branch meeting.")
    follow_up = FollowUp.objects.get()
    assert (follow_up.by, follow_up.booking.name) == (london_organiser, "Ann A")
