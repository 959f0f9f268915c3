"""The report pages: who may read them, what they show, their CSV files and chart, and their queries.

The figures themselves are checked against the hand-computed series in
test_reports.py; here the pages and the downloads must say the same.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awl.models import AuditEntry
from dayschools.models import Booking, BookingStatus, City, Event, FollowUp, Region, School
from tests.dayschools.report_objects import Series3, make_event
from tests.factories import SchoolFactory, SeriesFactory
from tests.helpers.http import read_csv

SVG = "{http://www.w3.org/2000/svg}"


class Tables(HTMLParser):
    """Every table on a page as rows of cell texts, and every tag's attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.tags: list[tuple[str, dict[str, str]]] = []
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._count = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        self.tags.append((tag, a))
        if tag == "table":
            self._count += 1
            self._table = self.tables.setdefault(a.get("id") or f"table-{self._count}", [])
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None


def _url(name: str, autumn: Series3) -> str:
    if name.startswith("dayschools:event_report"):
        return reverse(name, args=[autumn.events["2L"].pk])
    if name in ("dayschools:reports", "dayschools:follow_ups", "dayschools:follow_ups_csv"):
        return reverse(name)
    return reverse(name, args=[autumn.series.slug])


REPORT_PAGES = [
    "dayschools:reports",
    "dayschools:event_report",
    "dayschools:event_report_csv",
    "dayschools:city_report",
    "dayschools:city_report_csv",
    "dayschools:city_chart",
    "dayschools:school_report",
    "dayschools:school_report_csv",
    "dayschools:region_report",
    "dayschools:region_report_csv",
]


# Who may read them -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", REPORT_PAGES)
def test_reports_are_for_day_school_organisers_and_national_office_only(
    client,
    autumn,
    on_report_day,
    name,
    dayschool_organiser,
    national_office,
    member,
    outsider,
    london_organiser,
):
    url = _url(name, autumn)
    assert client.get(url).status_code == 302  # to the login page

    for refused in (member.user, outsider, london_organiser):
        client.force_login(refused)
        assert client.get(url).status_code == 403, refused
    for allowed in (dayschool_organiser, national_office):
        client.force_login(allowed)
        assert client.get(url).status_code == 200, allowed


def test_a_report_of_nothing_is_a_404_for_an_organiser_and_a_403_for_anyone_else(
    client, autumn, on_report_day, dayschool_organiser, member
):
    missing = [
        reverse("dayschools:event_report", args=[999_999]),
        reverse("dayschools:city_report", args=["no-such-series"]),
        reverse("dayschools:city_chart", args=["no-such-series"]),
        reverse("dayschools:region_report_csv", args=["no-such-series"]),
    ]
    client.force_login(dayschool_organiser)
    assert [client.get(url).status_code for url in missing] == [404] * 4
    client.force_login(member.user)
    assert [client.get(url).status_code for url in missing] == [403] * 4


def test_the_reports_refuse_to_be_written_to(client, autumn, on_report_day, dayschool_organiser):
    client.force_login(dayschool_organiser)
    assert client.post(_url("dayschools:city_report", autumn)).status_code == 405
    assert client.post(_url("dayschools:event_report_csv", autumn)).status_code == 405


# What they show, and their CSV files ------------------------------------------------------------------
def test_the_event_page_and_its_csv_give_the_same_figures(client, autumn, on_report_day, dayschool_organiser):
    client.force_login(dayschool_organiser)
    url = reverse("dayschools:event_report", args=[autumn.events["2L"].pk])

    page = Tables(client.get(url).content.decode())
    [table] = page.tables.values()
    shown = {label: value for label, value in table[1:]}
    rows = read_csv(client.get(reverse("dayschools:event_report_csv", args=[autumn.events["2L"].pk])))

    # School 2 in London (test_reports.py): booked 3, waiting 1, cancelled 0, attended 5, walk-ins 2,
    # no-shows 0, members 1, non-members 4, first-timers 2, returners 3.
    assert shown == {
        "Booked": "3",
        "Waiting list": "1",
        "Cancelled": "0",
        "Attended": "5",
        "Walk-ins": "2",
        "No-shows": "0",
        "Members (attended)": "1",
        "Non-members (attended)": "4",
        "First-timers (attended)": "2",
        "Returners (attended)": "3",
    }
    header, row = rows
    assert dict(zip(header, row, strict=True)) == {
        "series": "Capitalism and its crises (Autumn 2026)",
        "school": "2. Why crises?",
        "city": "London",
        "date": "2026-11-21",
        **{label.lower(): value for label, value in shown.items()},
    }


def test_an_event_still_to_come_shows_no_no_shows(client, autumn, on_report_day, dayschool_organiser):
    client.force_login(dayschool_organiser)
    [table] = Tables(
        client.get(reverse("dayschools:event_report", args=[autumn.events["3S"].pk])).content.decode()
    ).tables.values()
    assert dict((label, value) for label, value in table[1:])["No-shows"] == "—"
    [header, row] = read_csv(
        client.get(reverse("dayschools:event_report_csv", args=[autumn.events["3S"].pk]))
    )
    assert dict(zip(header, row, strict=True))["no-shows"] == ""


def test_the_city_page_shows_the_chart_beside_a_table_of_the_same_figures_and_the_csv_agrees(
    client, autumn, on_report_day, dayschool_organiser
):
    client.force_login(dayschool_organiser)
    page = Tables(client.get(reverse("dayschools:city_report", args=["autumn"])).content.decode())

    [img] = [attrs for tag, attrs in page.tags if tag == "img"]
    assert img["src"] == reverse("dayschools:city_chart", args=["autumn"])
    assert img["alt"].startswith("Attendance by city: Capitalism and its crises (Autumn 2026).")
    assert page.tables["chart-figures"] == [
        ["City", "School 1", "School 2", "School 3"],
        ["Leeds", "— not held", "5", "4"],
        ["London", "3", "5", "6"],
        ["Manchester", "— not held", "cancelled", "— not held"],
        ["Sheffield", "2", "— not held", "to come"],
    ]
    header, *rows = read_csv(client.get(reverse("dayschools:city_report_csv", args=["autumn"])))
    assert header == [
        "city",
        "region",
        "school",
        "title",
        "date",
        "state",
        "attended",
        "change on previous",
        "% on previous",
        "change on first",
        "% on first",
    ]
    by_city: dict[str, list[str]] = {}
    for row in rows:
        by_city.setdefault(row[0], []).append(
            row[6] or {"held": "", "not held": "— not held"}.get(row[5], row[5])
        )
    assert [[city, *cells] for city, cells in by_city.items()] == page.tables["chart-figures"][1:]
    london_rows = [row for row in rows if row[0] == "London"]
    assert [row[6:] for row in london_rows] == [
        ["3", "", "", "", ""],
        ["5", "2", "67", "2", "67"],
        ["6", "1", "20", "3", "100"],
    ]
    # The London section of the page says the same, in words too.
    assert page.tables["table-3"][1:] == [
        ["1. What is capitalism?", "22 Oct 2026: report of school 1 in London", "3", "—", "—"],
        [
            "2. Why crises?",
            "21 Nov 2026: report of school 2 in London",
            "5",
            "+2 (+67%) 2 more than at school 1 in London",
            "+2 (+67%) 2 more than at school 1 in London",
        ],
        [
            "3. What is socialism?",
            "12 Dec 2026: report of school 3 in London",
            "6",
            "+1 (+20%) 1 more than at school 2 in London",
            "+3 (+100%) Twice the number at school 1 in London",
        ],
    ]


def test_the_school_page_and_its_csv_agree(client, autumn, on_report_day, dayschool_organiser):
    client.force_login(dayschool_organiser)
    page = Tables(client.get(reverse("dayschools:school_report", args=["autumn"])).content.decode())
    [table] = page.tables.values()
    header, *rows = read_csv(client.get(reverse("dayschools:school_report_csv", args=["autumn"])))

    assert header[:7] == ["school", "title", "Leeds", "London", "Manchester", "Sheffield", "total"]
    assert [row[2:] for row in rows] == [
        ["", "3", "", "2", "5", "", "", "", ""],
        ["5", "5", "", "", "10", "5", "100", "5", "100"],
        ["4", "6", "", "", "10", "0", "0", "5", "100"],
    ]
    assert [row[1:6] for row in table[1:]] == [
        ["— not held", "3", "— not held", "2", "5"],
        ["5", "5", "cancelled", "— not held", "10"],
        ["4", "6", "— not held", "to come", "10"],
    ]
    assert table[2][6:] == ["+5 (+100%) Twice the number at school 1 in London and Sheffield"] * 2


def test_the_region_page_and_its_csv_agree(client, autumn, on_report_day, dayschool_organiser):
    client.force_login(dayschool_organiser)
    page = Tables(client.get(reverse("dayschools:region_report", args=["autumn"])).content.decode())
    header, *rows = read_csv(client.get(reverse("dayschools:region_report_csv", args=["autumn"])))

    assert header[:5] == ["region", "school", "title", "held in", "attended"]
    assert [row[:2] + row[3:] for row in rows] == [
        ["London", "1", "London", "3", "", "", "", ""],
        ["London", "2", "London", "5", "2", "67", "2", "67"],
        ["London", "3", "London", "6", "1", "20", "3", "100"],
        ["The north", "1", "Sheffield", "2", "", "", "", ""],
        ["The north", "2", "Leeds", "5", "3", "150", "3", "150"],
        ["The north", "3", "Leeds", "4", "-1", "-20", "2", "100"],
    ]
    _london, north_table = page.tables.values()
    assert [row[1:3] for row in north_table[1:]] == [["Sheffield", "2"], ["Leeds", "5"], ["Leeds", "4"]]
    assert north_table[3][3:] == [
        "-1 (-20%) 1 fewer than at school 2 in Leeds",
        "+2 (+100%) Twice the number at school 1 in Sheffield",
    ]


def test_every_csv_download_is_audited(client, autumn, on_report_day, dayschool_organiser):
    client.force_login(dayschool_organiser)
    for name in ("event_report_csv", "city_report_csv", "school_report_csv", "region_report_csv"):
        client.get(_url(f"dayschools:{name}", autumn))

    entries = AuditEntry.objects.filter(action="dayschool.report_exported").order_by("pk")
    assert [(e.actor_id, e.detail["report"], e.detail["rows"], e.target_repr) for e in entries] == [
        (dayschool_organiser.pk, "event", 1, "Why crises?, London"),
        (dayschool_organiser.pk, "cities", 12, str(autumn.series)),  # 4 cities, 3 schools each
        (dayschool_organiser.pk, "schools", 3, str(autumn.series)),
        (dayschool_organiser.pk, "regions", 6, str(autumn.series)),  # 2 regions, 3 schools each
    ]


def test_a_title_typed_as_a_formula_is_kept_from_running_in_a_spreadsheet(
    client, autumn, on_report_day, dayschool_organiser
):
    School.objects.filter(pk=autumn.schools[0].pk).update(title='=HYPERLINK("http://evil.example")')
    client.force_login(dayschool_organiser)
    _header, *rows = read_csv(client.get(reverse("dayschools:school_report_csv", args=["autumn"])))
    assert rows[0][1] == '\'=HYPERLINK("http://evil.example")'
    assert rows[2][-4:] == ["0", "0", "5", "100"]  # figures stay numbers, a minus sign included


# The chart ---------------------------------------------------------------------------------------
def test_the_chart_is_an_svg_image_naming_each_city_and_running_no_script(
    client, autumn, on_report_day, dayschool_organiser
):
    client.force_login(dayschool_organiser)
    response = client.get(reverse("dayschools:city_chart", args=["autumn"]))

    assert response["Content-Type"] == "image/svg+xml"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    root = ET.fromstring(response.content)  # noqa: S314  (the project's own chart, of the test's own rows)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "chart-title chart-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == "Attendance by city: Capitalism and its crises (Autumn 2026)"
    assert desc is not None and "one line per city (Leeds, London, Manchester, Sheffield)" in (
        desc.text or ""
    )
    legends = [
        text.text
        for g in root.iter(f"{SVG}g")
        if "legend" in (g.get("class") or "").split()
        for text in g.iter(f"{SVG}text")
    ]
    assert legends == ["Leeds", "London", "Manchester", "Sheffield"]
    assert [el for el in root.iter() if el.tag == f"{SVG}script"] == []
    assert not any(name.startswith("on") for el in root.iter() for name in el.attrib)


def test_the_report_pages_carry_no_inline_script_or_style(client, autumn, on_report_day, dayschool_organiser):
    client.force_login(dayschool_organiser)
    for name in (
        "dayschools:reports",
        "dayschools:event_report",
        "dayschools:city_report",
        "dayschools:school_report",
        "dayschools:region_report",
    ):
        response = client.get(_url(name, autumn))
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        tags = Tables(response.content.decode()).tags
        assert all(attrs.get("src") for tag, attrs in tags if tag == "script"), name
        assert not any("style" in attrs for _tag, attrs in tags), name
        assert not any(key.startswith("on") for _tag, attrs in tags for key in attrs), name


def test_the_index_links_every_report(client, autumn, on_report_day, dayschool_organiser):
    client.force_login(dayschool_organiser)
    html = client.get(reverse("dayschools:reports")).content.decode()
    for name in ("city_report", "school_report", "region_report"):
        assert reverse(f"dayschools:{name}", args=["autumn"]) in html
    for key, event in autumn.events.items():
        assert reverse("dayschools:event_report", args=[event.pk]) in html, key


# Queries -----------------------------------------------------------------------------------------
def bulk_series() -> list[Event]:
    """A series of two schools in four cities, all held by ``REPORT_TIME``."""
    cities = [
        City.objects.get_or_create(slug=slug, defaults={"name": name, "region": region})[0]
        for slug, name, region in [
            ("london", "London", Region.LONDON),
            ("leeds", "Leeds", Region.NORTH),
            ("sheffield", "Sheffield", Region.NORTH),
            ("manchester", "Manchester", Region.NORTH),
        ]
    ]
    series = SeriesFactory.create(title="Bulk", slug="bulk")
    schools = [SchoolFactory.create(series=series, number=n, title=f"School {n}") for n in (1, 2)]
    return [
        make_event(school, city, dt.date(2026, 10 + s, 10 + c), capacity=10_000)
        for s, school in enumerate(schools)
        for c, city in enumerate(cities)
    ]


def add_bookings(events: list[Event], n: int) -> None:
    """``n`` bookings spread over the events: most checked in, a tenth cancelled, a tenth waiting, a tenth
    no-shows, some walk-ins; each address books twice (so there are returners), two in three may be
    contacted (so the follow-up list is long)."""
    bookings = []
    for i in range(n):
        event = events[i % len(events)]
        kind = i % 10
        status = {8: BookingStatus.CANCELLED, 9: BookingStatus.WAITING}.get(kind, BookingStatus.CONFIRMED)
        checked_in = kind < 7
        bookings.append(
            Booking(
                event=event,
                name=f"Person {i}",
                email=f"person{i // 2}@example.org",
                consent_to_contact=i % 3 != 0,
                status=status,
                position=i + 1,
                walk_in=checked_in and i % 17 == 0,
                checked_in_at=event.starts_at + dt.timedelta(minutes=5) if checked_in else None,
            )
        )
    Booking.objects.bulk_create(bookings, batch_size=2_000)


def _pages(events: list[Event]) -> list[str]:
    slug = events[0].school.series.slug
    by_slug = ["city_report", "city_report_csv", "city_chart", "school_report", "school_report_csv"]
    by_slug += ["region_report", "region_report_csv"]
    return [
        reverse("dayschools:reports"),
        reverse("dayschools:event_report", args=[events[0].pk]),
        reverse("dayschools:event_report_csv", args=[events[0].pk]),
        *(reverse(f"dayschools:{name}", args=[slug]) for name in by_slug),
        reverse("dayschools:follow_ups"),
        reverse("dayschools:follow_ups_csv"),
    ]


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_every_report_page_reads_as_many_queries_for_10_000_bookings_as_for_10(
    client, national_office, django_assert_max_num_queries, on_report_day
):
    events = bulk_series()
    add_bookings(events, 10)
    client.force_login(national_office)
    small = {url: _count(client, url) for url in _pages(events)}

    Booking.objects.all().delete()
    add_bookings(events, 10_000)
    for url, count in small.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_a_follow_up_page_reads_as_many_queries_however_often_the_person_came(
    client, national_office, django_assert_max_num_queries, on_report_day
):
    events = bulk_series()
    add_bookings(events, 10)
    client.force_login(national_office)
    latest = max(events, key=lambda event: event.starts_at)

    def came(event: Event, email: str) -> Booking:
        return Booking(
            event=event,
            name="Often Here",
            email=email,
            consent_to_contact=True,
            status=BookingStatus.CONFIRMED,
            position=1_000,
            checked_in_at=event.starts_at,
        )

    person = Booking.objects.bulk_create([came(latest, "often@example.org")])[0]
    url = reverse("dayschools:follow_up_record", args=[person.pk])
    small = _count(client, url)

    # The same person came to every earlier event too, and was followed up a hundred times.
    Booking.objects.bulk_create(came(event, "Often@Example.org") for event in events if event != latest)
    FollowUp.objects.bulk_create(
        FollowUp(booking=person, by=national_office, note=f"Call {i}") for i in range(100)
    )
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Call ") == 100


def test_the_organisers_home_leads_to_the_reports(client, autumn, dayschool_organiser):
    client.force_login(dayschool_organiser)
    html = client.get(reverse("dayschools:organise")).content.decode()
    assert f'href="{reverse("dayschools:reports")}"' in html
