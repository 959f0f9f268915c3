"""The timetable: the CAC adds, changes and removes sessions; members read it by day in London time.

A session is typed as a day of the conference and start and end times in
London; a refused change says why and writes nothing; the CAC's pages are
403 to anyone without ``conference.run``; the timetable is for members (and
the registered), 403 to anyone else; it runs a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry
from conference.models import Conference, Session, SessionKind
from conference.programme import services as programme
from conference.registration.services import ConferenceError
from members.models import Branch, Member
from tests.conference.conftest import paid_up_member
from tests.factories import ConferenceFactory
from tests.helpers.clock import london_time


def add(conference: Conference, title: str, starts: dt.datetime, hours: float = 1, **extra: Any) -> Session:
    return programme.add_session(
        actor=None,
        conference=conference,
        title=title,
        kind=extra.pop("kind", SessionKind.PLENARY),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
        **extra,
    )


def session_post(**overrides: str) -> dict[str, str]:
    return {
        "title": "Opening plenary",
        "kind": "plenary",
        "day": "2027-05-29",
        "starts": "10:00",
        "ends": "12:30",
        "room": "Main hall",
        "chair": "Sam Chair",
        "description": "Welcome, standing orders.",
        **overrides,
    }


def test_the_cac_adds_a_session_in_london_time(
    client: Client, conference: Conference, cac: Any, registering: Any
) -> None:
    client.force_login(cac)
    url = reverse("conference:session_add", args=[conference.slug])

    response = client.post(url, session_post(), follow=True)

    session = Session.objects.get()
    assert response.redirect_chain[-1][0].startswith(reverse("conference:programme_manage", args=["2027"]))
    # 29 May is British Summer Time: 10:00 in London is 09:00 UTC.
    assert session.starts_at == dt.datetime(2027, 5, 29, 9, tzinfo=dt.UTC)
    assert session.ends_at == dt.datetime(2027, 5, 29, 11, 30, tzinfo=dt.UTC)
    assert (session.room, session.chair, session.kind) == ("Main hall", "Sam Chair", "plenary")
    assert AuditEntry.objects.filter(action="conference.session_added").count() == 1


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"day": "2027-05-31"}, "Choose one of the conference&#x27;s days."),
        ({"ends": "09:00"}, "A session must end after it starts."),
        ({"title": ""}, "This field is required."),
        ({"kind": "party"}, "Select a valid choice."),
    ],
)
def test_a_session_the_form_refuses_writes_nothing(
    client: Client, conference: Conference, cac: Any, registering: Any, overrides: dict[str, str], error: str
) -> None:
    client.force_login(cac)

    response = client.post(
        reverse("conference:session_add", args=[conference.slug]), session_post(**overrides)
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Session.objects.exists()


def test_the_service_keeps_sessions_within_the_conference(conference: Conference, cac: Any) -> None:
    with pytest.raises(ConferenceError, match="during the conference"):
        add(conference, "Too early", london_time(2027, 5, 28, 19))
    # Ending after midnight at the end of the last day is outside it too.
    with pytest.raises(ConferenceError, match="during the conference"):
        add(conference, "Party", london_time(2027, 5, 30, 23), hours=2)
    assert not Session.objects.exists()


def test_only_the_cac_changes_the_timetable(conference: Conference, delegate: Member) -> None:
    with pytest.raises(ConferenceError, match="Only the conference arrangements committee"):
        programme.add_session(
            actor=delegate.user,
            conference=conference,
            title="Mine",
            kind=SessionKind.WORKSHOP,
            starts_at=london_time(2027, 5, 29, 14),
            ends_at=london_time(2027, 5, 29, 15),
        )
    assert not Session.objects.exists()


def test_the_cac_edits_and_removes_a_session(
    client: Client, conference: Conference, cac: Any, registering: Any
) -> None:
    session = add(conference, "Workshops", london_time(2027, 5, 29, 14), kind=SessionKind.WORKSHOP)
    client.force_login(cac)

    page = client.get(reverse("conference:session_edit", args=[conference.slug, session.pk]))
    assert page.context["form"].initial["starts"] == dt.time(14, 0)  # shown in London time
    client.post(
        reverse("conference:session_edit", args=[conference.slug, session.pk]),
        session_post(title="Workshops: round one", day="2027-05-30", starts="09:30", ends="11:00"),
    )
    session.refresh_from_db()
    assert session.title == "Workshops: round one"
    assert session.starts_at == london_time(2027, 5, 30, 9, 30)

    client.post(reverse("conference:session_delete", args=[conference.slug, session.pk]))
    assert not Session.objects.exists()
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="conference.session_")] == [
        "conference.session_removed",
        "conference.session_changed",
        "conference.session_added",
    ]


def test_a_session_of_another_conference_is_not_found(
    client: Client, conference: Conference, cac: Any
) -> None:
    other = ConferenceFactory.create(
        year=2028,
        starts_on=dt.date(2028, 5, 27),
        venue="Hall",
        city="Leeds",
        registration_opens_at=london_time(2028, 1, 1, 0),
        registration_closes_at=london_time(2028, 5, 1, 0),
        eligibility_cutoff=dt.date(2028, 3, 1),
    )
    session = add(other, "Theirs", london_time(2028, 5, 27, 10))
    client.force_login(cac)

    response = client.get(reverse("conference:session_edit", args=[conference.slug, session.pk]))

    assert response.status_code == 404


def test_the_cac_pages_are_refused_to_members(
    client: Client, conference: Conference, delegate: Member
) -> None:
    session = add(conference, "Plenary", london_time(2027, 5, 29, 10))
    client.force_login(delegate.user)
    for url in (
        reverse("conference:programme_manage", args=[conference.slug]),
        reverse("conference:session_add", args=[conference.slug]),
        reverse("conference:session_edit", args=[conference.slug, session.pk]),
        reverse("conference:session_delete", args=[conference.slug, session.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(reverse("conference:session_delete", args=[conference.slug, session.pk])).status_code
        == 403
    )
    assert Session.objects.count() == 1


# The timetable members read -------------------------------------------------------------------------
def test_the_timetable_groups_sessions_by_their_day_in_london(
    client: Client, conference: Conference, delegate: Member
) -> None:
    # 00:30 on Sunday in London is still Saturday in UTC: it belongs to Sunday.
    late = add(conference, "Night session", london_time(2027, 5, 30, 0, 30), hours=0.5)
    opening = add(
        conference, "Opening plenary", london_time(2027, 5, 29, 10), room="Main hall", chair="Sam Chair"
    )
    closing = add(conference, "Closing plenary", london_time(2027, 5, 30, 15))
    client.force_login(delegate.user)

    response = client.get(reverse("conference:timetable", args=[conference.slug]))

    days = response.context["days"]
    assert [(d.date, [s.pk for s in d.sessions]) for d in days] == [
        (dt.date(2027, 5, 29), [opening.pk]),
        (dt.date(2027, 5, 30), [late.pk, closing.pk]),
    ]
    html = response.content.decode()
    assert "Saturday 29 May 2027" in html and "Sunday 30 May 2027" in html
    assert "10:00" in html and "00:30" in html and "Chair: Sam Chair" in html


def test_the_timetable_is_for_members(
    client: Client, conference: Conference, london: Branch, dues_rates: Any, cac: Any, outsider: Any
) -> None:
    url = reverse("conference:timetable", args=[conference.slug])
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(cac)
    assert client.get(url).status_code == 200
    client.force_login(paid_up_member(london, "Mo Member").user)
    assert client.get(url).status_code == 200
    assert client.get(reverse("conference:timetable", args=["1999"])).status_code == 404


def test_the_timetable_runs_a_fixed_number_of_queries(
    client: Client, conference: Conference, delegate: Member, django_assert_max_num_queries: Any
) -> None:
    add(conference, "Opening plenary", london_time(2027, 5, 29, 10))
    client.force_login(delegate.user)
    url = reverse("conference:timetable", args=[conference.slug])
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(20):
        add(
            conference,
            f"Workshop {n}",
            london_time(2027, 5, 29 + n % 2, 9 + n // 2),
            kind=SessionKind.WORKSHOP,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert sum(len(day.sessions) for day in response.context["days"]) == 21


def test_the_cac_page_runs_a_fixed_number_of_queries(
    client: Client, conference: Conference, cac: Any, django_assert_max_num_queries: Any
) -> None:
    add(conference, "Opening plenary", london_time(2027, 5, 29, 10))
    client.force_login(cac)
    url = reverse("conference:programme_manage", args=[conference.slug])
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(20):
        add(conference, f"Workshop {n}", london_time(2027, 5, 30, 9 + n // 2), kind=SessionKind.WORKSHOP)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
