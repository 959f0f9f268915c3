"""The follow-up list: non-members who came and may be contacted, per city, for that city's branch.

On the autumn series (tests/dayschools/report_objects.py), worked out by hand:

London (London branch): Dan (came to schools 1, 2 and 3), Pat, Quinn (school 3), Eve (school 2; a
no-show at school 1), Gus (walked in at schools 1 and 2, e-mail given), Ida (walked in at school 2).
Not listed: Rosa and Cara (members), Ray (may not be contacted), Fay (cancelled).

Leeds (Leeds branch): Jon (schools 2 and 3), Dan (school 2), Max (walked in at school 2).
Not listed: Ben (member), Tia and Ned (may not be contacted), Kim (cancelled), Lee (did not come),
Sam (walked in without an e-mail address).

Sheffield has no branch: only day-school organisers and national office see it, and its only
non-member, Hal, left no e-mail address.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from awl.models import AuditEntry
from dayschools.models import Booking, FollowUp
from tests.dayschools.report_objects import REPORT_TIME, Series3
from tests.dayschools.test_report_pages import Tables

LONDON = ["Dan Okoro", "Pat Abel", "Quinn Bell", "Eve Park", "Gus Reid", "Ida Tran"]  # newest school first
LEEDS = ["Jon Umar", "Dan Okoro", "Max Young"]


# Built on the day of the report, whatever a test asks for.
pytestmark = pytest.mark.usefixtures("on_report_day")


def listed(client: Any, query: str = "") -> list[list[str]]:
    response = client.get(reverse("dayschools:follow_ups") + query)
    assert response.status_code == 200
    tables = Tables(response.content.decode()).tables
    return tables["table-1"][1:] if tables else []


def names(rows: list[list[str]]) -> list[str]:
    return [row[0].removesuffix(" walk-in") for row in rows]


def latest(autumn: Series3, key: str, who: str) -> Booking:
    return autumn.bookings[(key, who)]


# Who is on whose list ------------------------------------------------------------------------------
def test_a_london_organiser_sees_londons_people_and_not_leeds(client, autumn, london_organiser):
    client.force_login(london_organiser)
    rows = listed(client)

    assert names(rows) == LONDON
    dan, _pat, _quinn, eve, gus, _ida = rows
    assert dan[2] == "London, 12 Dec 2026 School 3: What is socialism? Came 3 times"
    assert eve[2] == "London, 21 Nov 2026 School 2: Why crises?"  # her no-show at school 1 is no visit
    assert gus[0] == "Gus Reid walk-in" and gus[2].endswith("Came 2 times")  # gus@ and GUS@ are one person
    assert all(row[3].startswith("Not yet") for row in rows)
    html = client.get(reverse("dayschools:follow_ups")).content.decode()
    assert "jon@example.org" not in html and "max@example.org" not in html


def test_a_leeds_organiser_sees_leeds_people_only(client, autumn, leeds_organiser):
    client.force_login(leeds_organiser)
    rows = listed(client)

    assert names(rows) == LEEDS
    assert rows[0][2] == "Leeds, 13 Dec 2026 School 3: What is socialism? Came 2 times"
    assert rows[1][2] == "Leeds, 22 Nov 2026 School 2: Why crises?"  # Dan's London visits are London's
    # Asking for London by name changes nothing: the city offered are the organiser's own.
    assert names(listed(client, "?city=london")) == LEEDS


def test_national_office_sees_every_city_and_can_choose_one(client, autumn, national_office):
    client.force_login(national_office)

    assert sorted(names(listed(client))) == sorted(LONDON + LEEDS)
    assert names(listed(client, "?city=leeds")) == LEEDS
    assert names(listed(client, "?city=sheffield")) == []  # Hal left no e-mail address


@pytest.mark.parametrize("who", ["member", "outsider", "treasurer"])
def test_people_without_a_city_are_refused(client, autumn, request, who):
    person = request.getfixturevalue(who)
    client.force_login(getattr(person, "user", person))
    dan = latest(autumn, "3L", "Dan")

    assert client.get(reverse("dayschools:follow_ups")).status_code == 403
    assert client.get(reverse("dayschools:follow_ups_csv")).status_code == 403
    assert client.get(reverse("dayschools:follow_up_record", args=[dan.pk])).status_code == 404
    assert (
        client.post(reverse("dayschools:follow_up_record", args=[dan.pk]), {"note": "x"}).status_code == 404
    )
    assert not FollowUp.objects.exists()


# Recording a follow-up --------------------------------------------------------------------------------
def test_a_london_organiser_records_a_follow_up_and_the_list_shows_who_and_when(
    client, autumn, london_organiser
):
    client.force_login(london_organiser)
    dan = latest(autumn, "3L", "Dan")
    url = reverse("dayschools:follow_up_record", args=[dan.pk])

    page = client.get(url)
    assert page.status_code == 200 and "No one has followed Dan Okoro up yet." in page.content.decode()
    response = client.post(url, {"note": "Rang him; coming to the branch meeting on Tuesday."})

    assert response.status_code == 302
    assert response["Location"] == reverse("dayschools:follow_ups") + f"#person-{dan.pk}"
    follow_up = FollowUp.objects.get()
    assert (follow_up.booking, follow_up.by, follow_up.at) == (dan, london_organiser, REPORT_TIME)
    assert follow_up.note == "Rang him; coming to the branch meeting on Tuesday."
    assert AuditEntry.objects.filter(action="dayschool.followed_up", actor=london_organiser).count() == 1
    dan_row = listed(client)[0]
    assert dan_row[3] == (
        "Yes 20 Dec 2026, by london.organiser@example.org “Rang him; coming to the branch meeting on "
        "Tuesday.” Record a follow-up of Dan Okoro"
    )
    assert all(row[3].startswith("Not yet") for row in listed(client)[1:])


def test_a_follow_up_in_london_is_not_shown_on_the_leeds_list(
    client, autumn, london_organiser, leeds_organiser
):
    client.force_login(london_organiser)
    client.post(reverse("dayschools:follow_up_record", args=[latest(autumn, "3L", "Dan").pk]), {"note": ""})
    client.force_login(leeds_organiser)

    dan_in_leeds = listed(client)[1]
    assert dan_in_leeds[0] == "Dan Okoro" and dan_in_leeds[3].startswith("Not yet")


def test_a_leeds_organiser_cannot_follow_up_someone_from_london(client, autumn, leeds_organiser):
    client.force_login(leeds_organiser)
    dan_in_london = latest(autumn, "3L", "Dan")

    assert client.get(reverse("dayschools:follow_up_record", args=[dan_in_london.pk])).status_code == 404
    response = client.post(reverse("dayschools:follow_up_record", args=[dan_in_london.pk]), {"note": "x"})
    assert response.status_code == 404
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    ("key", "who", "why"),
    [
        ("3L", "Rosa", "a member"),
        ("3L", "Ray", "may not be contacted"),
        ("1L", "Fay", "cancelled"),
        ("1L", "Eve", "did not come"),
        ("1L", "Dan", "came later too: his latest visit is the one on the list"),
        ("2D", "Ned", "a walk-in who may not be contacted"),
    ],
)
def test_someone_not_on_the_list_cannot_be_followed_up(
    client, autumn, london_organiser, leeds_organiser, key, who, why
):
    client.force_login(london_organiser if key.endswith("L") else leeds_organiser)
    url = reverse("dayschools:follow_up_record", args=[latest(autumn, key, who).pk])

    assert client.get(url).status_code == 404, why
    assert client.post(url, {"note": "x"}).status_code == 404, why
    assert not FollowUp.objects.exists()


def test_a_note_too_long_is_refused_with_nothing_written(client, autumn, london_organiser):
    client.force_login(london_organiser)
    url = reverse("dayschools:follow_up_record", args=[latest(autumn, "3L", "Dan").pk])

    response = client.post(url, {"note": "x" * 501})

    assert response.status_code == 200
    assert "at most 500 characters" in response.content.decode()
    assert not FollowUp.objects.exists()


# The CSV file ------------------------------------------------------------------------------------
def test_the_csv_lists_the_same_people_as_the_page_and_is_audited(client, autumn, london_organiser):
    client.force_login(london_organiser)
    client.post(
        reverse("dayschools:follow_up_record", args=[latest(autumn, "2L", "Gus").pk]), {"note": "Emailed"}
    )

    response = client.get(reverse("dayschools:follow_ups_csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == [
        "name",
        "email",
        "phone",
        "city",
        "last came",
        "school",
        "times came",
        "followed up",
        "last followed up by",
        "last followed up at",
        "note",
    ]
    assert [row[0] for row in rows] == LONDON == names(listed(client))
    assert rows[0][:8] == [
        "Dan Okoro",
        "dan@example.org",
        "",
        "London",
        "2026-12-12",
        "3. What is socialism?",
        "3",
        "no",
    ]
    assert rows[4] == [
        "Gus Reid",
        "GUS@example.org",
        "",
        "London",
        "2026-11-21",
        "2. Why crises?",
        "2",
        "yes",
        "london.organiser@example.org",
        "2026-12-20 12:00",
        "Emailed",
    ]
    entry = AuditEntry.objects.get(action="dayschool.report_exported")
    assert (entry.actor, entry.detail) == (
        london_organiser,
        {"report": "follow_ups", "rows": 6, "cities": ["london"]},
    )


def test_names_and_notes_in_the_csv_cannot_run_as_formulas(client, autumn, london_organiser):
    Booking.objects.filter(pk=latest(autumn, "3L", "Pat").pk).update(
        name='=HYPERLINK("http://evil.example","Pat")'
    )
    Booking.objects.filter(pk=latest(autumn, "3L", "Quinn").pk).update(
        name="@SUM(A1:A9)", phone="+44 7700 900123"
    )
    client.force_login(london_organiser)
    client.post(
        reverse("dayschools:follow_up_record", args=[latest(autumn, "3L", "Dan").pk]), {"note": "-2+3"}
    )

    _header, *rows = list(
        csv.reader(io.StringIO(client.get(reverse("dayschools:follow_ups_csv")).content.decode()))
    )

    by_email = {row[1]: row for row in rows}
    assert by_email["pat@example.org"][0] == '\'=HYPERLINK("http://evil.example","Pat")'
    assert by_email["quinn@example.org"][0] == "'@SUM(A1:A9)"
    assert by_email["quinn@example.org"][2] == "'+44 7700 900123"
    assert by_email["dan@example.org"][10] == "'-2+3"


def test_with_no_city_yet_an_organiser_sees_an_empty_list_and_a_branch_organiser_is_refused(
    client, dayschool_organiser, london_organiser
):
    client.force_login(dayschool_organiser)
    response = client.get(reverse("dayschools:follow_ups"))
    assert response.status_code == 200 and "No one to follow up yet." in response.content.decode()
    client.force_login(london_organiser)  # London has no day-school city here
    assert client.get(reverse("dayschools:follow_ups")).status_code == 403


def test_the_dashboard_leads_a_branch_organiser_to_their_follow_ups(
    client, london_organiser, leeds_organiser
) -> None:
    from django.urls import reverse

    from dayschools.models import City, Region
    from members.models import Branch

    City.objects.get_or_create(
        slug="london",
        defaults={"name": "London", "region": Region.LONDON, "branch": Branch.objects.get(slug="london")},
    )
    client.force_login(london_organiser)
    london = client.get(reverse("dashboard"))
    client.force_login(leeds_organiser)  # Leeds has no day-school city: no panel
    leeds = client.get(reverse("dashboard"))

    assert reverse("dayschools:follow_ups") in london.content.decode()
    assert "Day-school follow-ups" in london.content.decode()
    assert "Day-school follow-ups" not in leeds.content.decode()


def test_the_panels_counts_agree_with_the_list_before_and_after_a_follow_up(autumn, london_organiser):
    from dayschools import reports, services

    london = [city for city in reports.follow_up_cities(london_organiser) if city.slug == "london"]
    rows = reports.follow_ups_for(list(reports.follow_up_list(london)))
    assert reports.follow_up_counts(london) == (len(rows), len(rows))

    services.record_follow_up(actor=london_organiser, booking=latest(autumn, "3L", "Dan"), note="Rang him")

    assert reports.follow_up_counts(london) == (len(rows) - 1, len(rows))


# Looking is logged -----------------------------------------------------------------------------------
def test_looking_at_the_follow_up_list_and_a_persons_record_is_logged_once_an_hour(
    client, autumn, london_organiser
):
    from awl.models import AuditEntry

    client.force_login(london_organiser)
    listed(client)
    listed(client)
    dan = latest(autumn, "3L", "Dan")
    client.get(reverse("dayschools:follow_up_record", args=[dan.pk]))

    lists = AuditEntry.objects.filter(action="dayschools.follow_ups.viewed", actor=london_organiser)
    assert [entry.target_repr for entry in lists] == ["London"]
    assert lists.get().detail["role"].startswith("Branch organiser")
    record = AuditEntry.objects.get(action="dayschools.follow_up.viewed", actor=london_organiser)
    assert record.target_id == str(dan.pk)
