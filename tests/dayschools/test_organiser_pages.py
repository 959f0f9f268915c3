"""The organisers' pages: series, schools, events, workshops, copying an event to other cities.

Times are typed and shown in London time; a refused change says why and
writes nothing; a member, an outsider or a branch organiser is refused
(403) on every page, and an event's own organiser runs that event only.
The home page runs a fixed number of queries however many events there are.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry
from dayschools import services
from dayschools.models import Booking, City, Event, EventStatus, School, Series, Workshop
from dayschools.services import DaySchoolError
from members.models import Member
from tests.dayschools.conftest import make_event
from tests.factories import SchoolFactory
from tests.helpers.clock import london_time
from tests.helpers.http import as_user, shown

pytestmark = pytest.mark.usefixtures("booking_time")


def book(event: Event, n: int) -> Booking:
    return services.book_guest(event=event, name=f"Guest {n}", email=f"guest{n}@example.org")


def event_post(**changes: Any) -> dict[str, Any]:
    """The event form filled in as for the London event: Saturday 22 October 2026, 10:00 to 16:30."""
    return {
        "venue": "Conway Hall",
        "address": "25 Red Lion Square",
        "accessibility": "Step-free",
        "date": "2026-10-22",
        "starts": "10:00",
        "ends": "16:30",
        "capacity": "50",
        "booking_opens_at": "2026-09-01T09:00",
        "booking_closes_at": "2026-10-22T09:00",
        "organiser_emails": "",
        **changes,
    }


# The home page ------------------------------------------------------------------------------------
def test_the_home_lists_series_schools_and_events_with_booked_and_waiting(
    client: Client, dayschool_organiser: Any, london_event: Event, leeds_event: Event
) -> None:
    london_event.capacity = 2
    london_event.save(update_fields=["capacity"])
    for n in range(3):
        book(london_event, n)

    response = as_user(client, dayschool_organiser).get(reverse("dayschools:organise"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Capitalism and its crises" in html
    assert "1. What is capitalism?" in html
    [london_row] = [
        row
        for row in response.context["series_list"][0].schools.all()[0].events.all()
        if row.pk == london_event.pk
    ]
    assert (london_row.confirmed, london_row.capacity, london_row.waiting) == (2, 2, 1)
    assert "2 / 2" in html
    assert html.index(">London<") < html.index(">Leeds<")  # in date order
    assert reverse("dayschools:series_add") in html


def test_the_home_runs_a_fixed_number_of_queries(
    client: Client,
    dayschool_organiser: Any,
    series: Series,
    cities: dict[str, City],
    django_assert_max_num_queries: Any,
) -> None:
    def grow(n: int) -> None:
        start = School.objects.filter(series=series).count()
        for number in range(start + 1, start + n + 1):
            school = SchoolFactory.create(series=series, number=number, title=f"School {number}")
            for day, city in enumerate(cities.values(), start=1):
                make_event(school, city, day)

    as_user(client, dayschool_organiser)
    grow(1)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("dayschools:organise"))
    grow(6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("dayschools:organise"))
    assert response.content.decode().count("Door list") == 7 * len(cities)


def test_an_events_own_organiser_sees_only_their_events_and_cannot_set_up(
    client: Client, door_volunteer: Any, london_event: Event, leeds_event: Event
) -> None:
    response = as_user(client, door_volunteer).get(reverse("dayschools:organise"))

    assert response.status_code == 200
    [series] = response.context["series_list"]
    assert [e.pk for s in series.schools.all() for e in s.events.all()] == [london_event.pk]
    assert reverse("dayschools:series_add") not in response.content.decode()
    assert client.get(reverse("dayschools:series_add")).status_code == 403


def test_the_main_menu_links_the_home_for_day_school_organisers_only(
    client: Client, dayschool_organiser: Any, member: Member
) -> None:
    url = reverse("dayschools:organise")
    assert url in as_user(client, dayschool_organiser).get(reverse("dashboard")).content.decode()
    assert url not in as_user(client, member).get(reverse("dashboard")).content.decode()


# Who may do what --------------------------------------------------------------------------------
SETUP_PAGES: list[tuple[str, str | None]] = [
    ("dayschools:organise", None),
    ("dayschools:series_add", None),
    ("dayschools:series_edit", "series"),
    ("dayschools:school_add", "series"),
    ("dayschools:school_edit", "school"),
    ("dayschools:event_add", "school"),
    ("dayschools:event_copy", "event"),
]
EVENT_PAGES: list[tuple[str, str | None]] = [
    ("dayschools:event_manage", "event"),
    ("dayschools:event_edit", "event"),
    ("dayschools:event_publish", "event"),
    ("dayschools:event_cancel", "event"),
    ("dayschools:event_bookings", "event"),
    ("dayschools:workshop_add", "event"),
    ("dayschools:workshop_edit", "workshop"),
    ("dayschools:workshop_delete", "workshop"),
    ("dayschools:door", "event"),
    ("dayschools:door_walk_in", "event"),
]


@pytest.fixture
def targets(london_event: Event, workshops: list[Workshop]) -> dict[str | None, list[int]]:
    return {
        None: [],
        "series": [london_event.school.series_id],
        "school": [london_event.school_id],
        "event": [london_event.pk],
        "workshop": [workshops[0].pk],
    }


@pytest.mark.parametrize("person", ["member", "outsider", "london_organiser"])
@pytest.mark.parametrize(("url_name", "kind"), SETUP_PAGES + EVENT_PAGES)
def test_members_outsiders_and_branch_organisers_are_refused(
    client: Client, request: pytest.FixtureRequest, targets: Any, person: str, url_name: str, kind: str | None
) -> None:
    url = reverse(url_name, args=targets[kind])
    as_user(client, request.getfixturevalue(person))
    before = AuditEntry.objects.count()

    assert client.get(url).status_code == 403
    if url_name not in {"dayschools:organise", "dayschools:event_manage", "dayschools:event_bookings"}:
        assert client.post(url, {"action": "check_in", "booking": "1", "name": "X"}).status_code == 403
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(("url_name", "kind"), EVENT_PAGES)
def test_an_events_own_organiser_runs_that_event_and_no_other(
    client: Client, door_volunteer: Any, leeds_event: Event, targets: Any, url_name: str, kind: str
) -> None:
    as_user(client, door_volunteer)
    assert client.get(reverse(url_name, args=targets[kind])).status_code == 200
    leeds_workshop = Workshop.objects.create(
        event=leeds_event,
        title="Leeds workshop",
        starts_at=london_time(2026, 10, 29, 14),
        ends_at=london_time(2026, 10, 29, 15),
        capacity=10,
    )
    other = {"event": [leeds_event.pk], "workshop": [leeds_workshop.pk]}[kind]
    assert client.get(reverse(url_name, args=other)).status_code == 403


@pytest.mark.parametrize(("url_name", "kind"), SETUP_PAGES[1:])
def test_an_events_own_organiser_cannot_set_up_series_schools_or_copies(
    client: Client, door_volunteer: Any, targets: Any, url_name: str, kind: str | None
) -> None:
    assert as_user(client, door_volunteer).get(reverse(url_name, args=targets[kind])).status_code == 403


def test_something_that_does_not_exist_is_a_404(client: Client, dayschool_organiser: Any) -> None:
    as_user(client, dayschool_organiser)
    for url_name in (
        "dayschools:series_edit",
        "dayschools:school_edit",
        "dayschools:event_manage",
        "dayschools:workshop_edit",
        "dayschools:door",
    ):
        assert client.get(reverse(url_name, args=[999_999])).status_code == 404


# Series and schools ---------------------------------------------------------------------------------
def test_an_organiser_creates_a_series_and_edits_it(client: Client, dayschool_organiser: Any) -> None:
    as_user(client, dayschool_organiser)
    response = client.post(
        reverse("dayschools:series_add"),
        {"title": "Capitalism and its crises", "season": "Autumn 2026", "description": ""},
        follow=True,
    )

    series = Series.objects.get()
    assert series.slug == "capitalism-and-its-crises-autumn-2026"
    assert shown(response) == [
        "Series created: Capitalism and its crises (Autumn 2026). Now add its schools."
    ]
    client.post(
        reverse("dayschools:series_edit", args=[series.pk]),
        {"title": "Capitalism and its crises", "season": "Winter 2026", "description": "Six schools."},
    )
    series.refresh_from_db()
    assert (series.season, series.description) == ("Winter 2026", "Six schools.")
    assert AuditEntry.objects.filter(action__startswith="dayschool.series_").count() == 2


def test_a_school_number_already_taken_is_refused_with_nothing_written(
    client: Client, dayschool_organiser: Any, school: School
) -> None:
    url = reverse("dayschools:school_add", args=[school.series_id])
    as_user(client, dayschool_organiser)
    assert client.get(url).context["form"].initial["number"] == 2

    response = client.post(url, {"number": "1", "title": "Again", "description": "", "reading_list": ""})

    assert response.status_code == 409
    assert "The series already has a school number 1." in response.content.decode()
    assert School.objects.count() == 1


def test_an_organiser_adds_a_school_with_its_reading_list(
    client: Client, dayschool_organiser: Any, school: School
) -> None:
    as_user(client, dayschool_organiser).post(
        reverse("dayschools:school_add", args=[school.series_id]),
        {"number": "2", "title": "Crises", "description": "Why booms end.", "reading_list": "Capital III"},
    )
    added = School.objects.get(number=2)
    assert (added.title, added.reading_list) == ("Crises", "Capital III")


# Events ---------------------------------------------------------------------------------------------
def test_an_event_is_created_as_a_draft_in_london_time_with_its_organisers(
    client: Client,
    dayschool_organiser: Any,
    school: School,
    cities: dict[str, City],
    door_volunteer: Any,
    leeds_organiser: Any,
) -> None:
    as_user(client, dayschool_organiser)
    url = reverse("dayschools:event_add", args=[school.pk])
    response = client.post(
        url,
        event_post(
            city=str(cities["sheffield"].pk),
            organisers=[str(leeds_organiser.pk)],
            organiser_emails="DOOR@example.org",
        ),
    )

    event = Event.objects.get(city=cities["sheffield"])
    assert response.status_code == 302
    assert response["Location"] == reverse("dayschools:event_manage", args=[event.pk])
    assert event.status == EventStatus.DRAFT
    assert (event.starts_at, event.ends_at) == (
        london_time(2026, 10, 22, 10),
        london_time(2026, 10, 22, 16, 30),
    )
    assert event.booking_closes_at == london_time(2026, 10, 22, 9)
    assert set(event.organisers.all()) == {leeds_organiser, door_volunteer}


def test_the_event_form_offers_only_cities_not_yet_holding_the_school(
    client: Client, dayschool_organiser: Any, london_event: Event, cities: dict[str, City]
) -> None:
    response = as_user(client, dayschool_organiser).get(
        reverse("dayschools:event_add", args=[london_event.school_id])
    )
    assert list(response.context["form"].fields["city"].queryset) == [
        cities["leeds"],
        cities["manchester"],
        cities["sheffield"],
    ]
    response = client.post(
        reverse("dayschools:event_add", args=[london_event.school_id]),
        event_post(city=str(cities["london"].pk)),
    )
    assert response.status_code == 200
    assert Event.objects.count() == 1


def test_an_organiser_e_mail_without_an_account_is_refused(
    client: Client, dayschool_organiser: Any, school: School, cities: dict[str, City]
) -> None:
    response = as_user(client, dayschool_organiser).post(
        reverse("dayschools:event_add", args=[school.pk]),
        event_post(city=str(cities["leeds"].pk), organiser_emails="nobody@example.org"),
    )
    assert response.status_code == 200
    assert "No account has the e-mail address nobody@example.org" in response.content.decode()
    assert not Event.objects.exists()


def test_an_event_ending_before_it_starts_is_refused_with_nothing_written(
    client: Client, dayschool_organiser: Any, school: School, london_event: Event, cities: dict[str, City]
) -> None:
    as_user(client, dayschool_organiser)
    response = client.post(
        reverse("dayschools:event_add", args=[school.pk]),
        event_post(city=str(cities["leeds"].pk), starts="16:00", ends="10:00"),
    )
    assert response.status_code == 409
    assert "An event must end after it starts." in response.content.decode()
    assert Event.objects.count() == 1

    response = client.post(reverse("dayschools:event_edit", args=[london_event.pk]), event_post(ends="09:30"))
    assert response.status_code == 409
    assert "An event must end after it starts." in response.content.decode()
    london_event.refresh_from_db()
    assert london_event.ends_at == london_time(2026, 10, 22, 16, 30)


def test_a_time_the_clocks_skip_is_refused_on_the_form(
    client: Client, dayschool_organiser: Any, school: School, cities: dict[str, City]
) -> None:
    response = as_user(client, dayschool_organiser).post(
        reverse("dayschools:event_add", args=[school.pk]),
        event_post(city=str(cities["leeds"].pk), date="2027-03-28", starts="01:30", ends="16:30"),
    )
    assert response.status_code == 200
    assert "01:30 does not exist in London on 28 March 2027" in response.content.decode()
    assert not Event.objects.exists()


def test_a_capacity_below_the_places_booked_is_refused_with_nothing_written(
    client: Client, dayschool_organiser: Any, london_event: Event
) -> None:
    for n in range(3):
        book(london_event, n)
    audit = AuditEntry.objects.count()

    response = as_user(client, dayschool_organiser).post(
        reverse("dayschools:event_edit", args=[london_event.pk]), event_post(capacity="2", venue="Elsewhere")
    )

    assert response.status_code == 409
    assert "3 places are already booked; the capacity cannot go below that." in response.content.decode()
    london_event.refresh_from_db()
    assert (london_event.capacity, london_event.venue) == (50, "London Friends Meeting House")
    assert AuditEntry.objects.count() == audit


def test_raising_the_capacity_gives_the_waiting_list_places(
    client: Client, dayschool_organiser: Any, london_event: Event
) -> None:
    london_event.capacity = 1
    london_event.save(update_fields=["capacity"])
    first, second = book(london_event, 1), book(london_event, 2)
    assert Booking.objects.get(pk=second.pk).status == "waiting"

    as_user(client, dayschool_organiser).post(
        reverse("dayschools:event_edit", args=[london_event.pk]), event_post(capacity="2")
    )

    assert Booking.objects.get(pk=second.pk).status == "confirmed"
    assert Booking.objects.get(pk=first.pk).status == "confirmed"


def test_the_edit_form_shows_the_event_in_london_time_and_keeps_its_organisers(
    client: Client, dayschool_organiser: Any, london_event: Event, door_volunteer: Any, leeds_organiser: Any
) -> None:
    london_event.organisers.add(leeds_organiser)
    url = reverse("dayschools:event_edit", args=[london_event.pk])
    form = as_user(client, dayschool_organiser).get(url).context["form"]
    assert (form.initial["date"].isoformat(), form.initial["starts"].isoformat()) == (
        "2026-10-22",
        "10:00:00",
    )
    # The leeds organiser holds a role, so is ticked in the list; the door volunteer is typed by e-mail.
    assert form.initial["organisers"] == [leeds_organiser.pk]
    assert form.initial["organiser_emails"] == "door@example.org"

    client.post(url, event_post(organisers=[str(leeds_organiser.pk)], organiser_emails="door@example.org"))
    assert set(london_event.organisers.all()) == {leeds_organiser, door_volunteer}
    client.post(url, event_post())
    assert not london_event.organisers.exists()


def test_an_events_own_organiser_edits_their_event(
    client: Client, door_volunteer: Any, london_event: Event
) -> None:
    response = as_user(client, door_volunteer).post(
        reverse("dayschools:event_edit", args=[london_event.pk]),
        event_post(venue="Conway Hall", organiser_emails="door@example.org"),
    )
    assert response.status_code == 302
    london_event.refresh_from_db()
    assert london_event.venue == "Conway Hall"


def test_publish_then_cancel(client: Client, dayschool_organiser: Any, london_event: Event) -> None:
    Event.objects.filter(pk=london_event.pk).update(status=EventStatus.DRAFT)
    as_user(client, dayschool_organiser)

    client.post(reverse("dayschools:event_publish", args=[london_event.pk]))
    london_event.refresh_from_db()
    assert london_event.status == EventStatus.PUBLISHED
    page = client.get(reverse("dayschools:event_publish", args=[london_event.pk]))
    assert "only a draft can be published" in page.content.decode()
    response = client.post(reverse("dayschools:event_publish", args=[london_event.pk]))
    assert response.status_code == 409

    client.post(reverse("dayschools:event_cancel", args=[london_event.pk]))
    london_event.refresh_from_db()
    assert london_event.status == EventStatus.CANCELLED
    assert AuditEntry.objects.filter(action="dayschool.event_cancelled").count() == 1


def test_a_draft_that_is_over_cannot_be_published(
    client: Client, dayschool_organiser: Any, london_event: Event
) -> None:
    import time_machine

    Event.objects.filter(pk=london_event.pk).update(status=EventStatus.DRAFT)
    publish = reverse("dayschools:event_publish", args=[london_event.pk])
    with time_machine.travel(london_time(2026, 10, 23, 9), tick=False):
        as_user(client, dayschool_organiser)
        manage = client.get(reverse("dayschools:event_manage", args=[london_event.pk]))
        page = client.get(publish)
        response = client.post(publish)
    assert f'href="{publish}"' not in manage.content.decode()
    assert "This event is over" in page.content.decode()
    assert response.status_code == 409
    london_event.refresh_from_db()
    assert london_event.status == EventStatus.DRAFT


def test_an_event_that_has_begun_cannot_be_cancelled(
    client: Client, dayschool_organiser: Any, london_event: Event
) -> None:
    import time_machine

    with time_machine.travel(london_time(2026, 10, 22, 11), tick=False):
        response = as_user(client, dayschool_organiser).post(
            reverse("dayschools:event_cancel", args=[london_event.pk])
        )
    assert response.status_code == 409
    assert "already begun" in response.content.decode()
    london_event.refresh_from_db()
    assert london_event.status == EventStatus.PUBLISHED


# Copying an event to other cities -----------------------------------------------------------------
def copy_post(cities: dict[str, City], rows: dict[str, tuple[str, str]]) -> dict[str, str]:
    data: dict[str, str] = {}
    for slug, (day, venue) in rows.items():
        pk = cities[slug].pk
        data |= {
            f"copy_{pk}": "on",
            f"date_{pk}": day,
            f"starts_{pk}": "11:00",
            f"venue_{pk}": venue,
            f"address_{pk}": "",
            f"capacity_{pk}": "30",
        }
    return data


def test_an_event_is_copied_to_several_cities_each_with_its_date_and_venue(
    client: Client,
    dayschool_organiser: Any,
    london_event: Event,
    workshops: list[Workshop],
    cities: dict[str, City],
) -> None:
    as_user(client, dayschool_organiser)
    url = reverse("dayschools:event_copy", args=[london_event.pk])
    assert [city for city, _ in client.get(url).context["form"].rows()] == [
        cities["leeds"],
        cities["manchester"],
        cities["sheffield"],
    ]

    response = client.post(
        url,
        copy_post(
            cities,
            {"leeds": ("2026-10-29", "Leeds Civic Hall"), "sheffield": ("2026-11-05", "Sheffield Hall")},
        ),
        follow=True,
    )

    leeds, sheffield = (Event.objects.get(city=cities[slug]) for slug in ("leeds", "sheffield"))
    assert (leeds.venue, leeds.starts_at, leeds.capacity) == (
        "Leeds Civic Hall",
        london_time(2026, 10, 29, 11),
        30,
    )
    assert sheffield.starts_at == london_time(2026, 11, 5, 11)
    assert sheffield.ends_at == london_time(2026, 11, 5, 17, 30)  # the same length as London's
    assert leeds.status == sheffield.status == EventStatus.DRAFT
    assert sorted(leeds.workshops.values_list("title", flat=True)) == ["Crisis theory", "Value and labour"]
    assert not Event.objects.filter(city=cities["manchester"]).exists()
    assert shown(response)[0].startswith("Copied to Leeds, Sheffield as drafts")


def test_a_copy_that_cannot_be_made_leaves_every_city_uncopied(
    client: Client,
    dayschool_organiser: Any,
    london_event: Event,
    workshops: list[Workshop],
    cities: dict[str, City],
) -> None:
    # Manchester on a Saturday already past: its booking would close before it opens.
    response = as_user(client, dayschool_organiser).post(
        reverse("dayschools:event_copy", args=[london_event.pk]),
        copy_post(
            cities, {"leeds": ("2026-10-29", "Leeds Civic Hall"), "manchester": ("2026-09-26", "Mechanics")}
        ),
    )

    assert response.status_code == 409
    assert "Manchester: Booking must close after it opens. Nothing was copied." in response.content.decode()
    assert list(Event.objects.all()) == [london_event]
    assert Workshop.objects.count() == 2


def test_a_ticked_city_needs_its_date_and_venue(
    client: Client, dayschool_organiser: Any, london_event: Event, cities: dict[str, City]
) -> None:
    data = copy_post(cities, {"leeds": ("", "")})
    response = as_user(client, dayschool_organiser).post(
        reverse("dayschools:event_copy", args=[london_event.pk]), data
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give the date in Leeds, or untick it." in html
    assert "Give the venue in Leeds, or untick it." in html
    assert Event.objects.count() == 1
    response = client.post(reverse("dayschools:event_copy", args=[london_event.pk]), {})
    assert "Tick at least one city" in response.content.decode()


def test_copy_event_to_cities_is_all_or_nothing(
    dayschool_organiser: Any, london_event: Event, cities: dict[str, City]
) -> None:
    good = {"city": cities["leeds"], "starts_at": london_time(2026, 10, 29, 10), "venue": "Leeds"}
    clash = {"city": cities["london"], "starts_at": london_time(2026, 11, 5, 10), "venue": "London again"}
    with pytest.raises(DaySchoolError, match=r"London: What is capitalism\? is already being held in London"):
        services.copy_event_to_cities(actor=dayschool_organiser, event=london_event, copies=[good, clash])
    assert list(Event.objects.all()) == [london_event]


# Workshops ------------------------------------------------------------------------------------------
def workshop_post(**changes: str) -> dict[str, str]:
    return {
        "title": "Imperialism",
        "leader": "Ana",
        "room": "Room 2",
        "starts": "14:00",
        "ends": "15:30",
        "capacity": "15",
        **changes,
    }


def test_workshops_are_added_within_the_event_and_edited(
    client: Client, dayschool_organiser: Any, london_event: Event
) -> None:
    as_user(client, dayschool_organiser)
    response = client.post(reverse("dayschools:workshop_add", args=[london_event.pk]), workshop_post())
    workshop = Workshop.objects.get()
    assert response["Location"].endswith("#workshops")
    assert (workshop.starts_at, workshop.ends_at, workshop.room) == (
        london_time(2026, 10, 22, 14),
        london_time(2026, 10, 22, 15, 30),
        "Room 2",
    )

    response = client.post(
        reverse("dayschools:workshop_add", args=[london_event.pk]), workshop_post(ends="17:00")
    )
    assert response.status_code == 409
    assert "must take place within the event" in response.content.decode()
    assert Workshop.objects.count() == 1

    client.post(
        reverse("dayschools:workshop_edit", args=[workshop.pk]), workshop_post(title="Empire", capacity="25")
    )
    workshop.refresh_from_db()
    assert (workshop.title, workshop.capacity) == ("Empire", 25)


def test_a_workshop_capacity_below_its_places_taken_is_refused(
    client: Client, dayschool_organiser: Any, london_event: Event, workshops: list[Workshop]
) -> None:
    value = workshops[0]
    for n in range(3):
        services.book_guest(event=london_event, name=f"G {n}", email=f"g{n}@example.org", workshops=[value])

    response = as_user(client, dayschool_organiser).post(
        reverse("dayschools:workshop_edit", args=[value.pk]),
        workshop_post(title="Value and labour", capacity="2"),
    )

    assert response.status_code == 409
    assert "3 places in this workshop are already taken" in response.content.decode()
    value.refresh_from_db()
    assert (value.capacity, value.title) == (20, "Value and labour")


def test_only_a_workshop_nobody_has_a_place_in_is_removed(
    client: Client, dayschool_organiser: Any, london_event: Event, workshops: list[Workshop]
) -> None:
    taken, empty = workshops
    services.book_guest(event=london_event, name="G", email="g@example.org", workshops=[taken])
    as_user(client, dayschool_organiser)

    response = client.post(reverse("dayschools:workshop_delete", args=[taken.pk]))
    assert response.status_code == 409
    assert "1 person has a place in this workshop; it cannot be removed." in response.content.decode()
    client.post(reverse("dayschools:workshop_delete", args=[empty.pk]))
    assert list(Workshop.objects.all()) == [taken]


def test_the_event_page_shows_figures_workshops_and_actions(
    client: Client, dayschool_organiser: Any, london_event: Event, workshops: list[Workshop]
) -> None:
    book(london_event, 1)
    response = as_user(client, dayschool_organiser).get(
        reverse("dayschools:event_manage", args=[london_event.pk])
    )
    html = response.content.decode()
    assert "1 confirmed of 50 places" in html
    assert "Crisis theory" in html
    assert reverse("dayschools:event_copy", args=[london_event.pk]) in html
    assert reverse("dayschools:event_publish", args=[london_event.pk]) not in html  # already published


def test_the_event_page_links_the_report_for_those_who_read_reports(
    client: Client, dayschool_organiser: Any, door_volunteer: Any, london_event: Event
) -> None:
    url = reverse("dayschools:event_manage", args=[london_event.pk])
    report = reverse("dayschools:event_report", args=[london_event.pk])
    public = reverse("dayschools:event_detail", args=[london_event.pk])

    html = as_user(client, dayschool_organiser).get(url).content.decode()
    assert report in html and public in html
    html = as_user(client, door_volunteer).get(url).content.decode()
    assert report not in html and public in html


def test_the_dashboard_leads_an_events_own_organiser_to_its_door_list(
    client: Client, door_volunteer: Any, member: Member, london_event: Event, leeds_event: Event
) -> None:
    door = reverse("dayschools:door", args=[london_event.pk])

    html = as_user(client, door_volunteer).get(reverse("dashboard")).content.decode()
    assert "Day schools I run" in html
    assert door in html
    assert reverse("dayschools:door", args=[leeds_event.pk]) not in html
    assert "Day schools I run" not in as_user(client, member).get(reverse("dashboard")).content.decode()


def test_the_panel_leaves_out_cancelled_events_and_those_over_for_a_day(
    client: Client, door_volunteer: Any, london_event: Event
) -> None:
    import time_machine

    with time_machine.travel(london_time(2026, 10, 23, 12), tick=False):  # the day after
        assert (
            "Day schools I run" in as_user(client, door_volunteer).get(reverse("dashboard")).content.decode()
        )
    with time_machine.travel(london_time(2026, 10, 24, 12), tick=False):
        html = as_user(client, door_volunteer).get(reverse("dashboard")).content.decode()
        assert "Day schools I run" not in html
    Event.objects.filter(pk=london_event.pk).update(status=EventStatus.CANCELLED)
    assert (
        "Day schools I run" not in as_user(client, door_volunteer).get(reverse("dashboard")).content.decode()
    )
