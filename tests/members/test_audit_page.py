"""The national office's audit page: about whom, by whom, what and when (issue 15, item 4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awl.audit import log_action
from awl.models import AuditEntry
from members import services
from tests.factories import UserFactory
from tests.helpers.clock import at_noon, frozen

URL = reverse("members:audit")


@pytest.fixture
def trail(member, london, london_organiser, treasurer, national_office, today) -> dict[str, Any]:
    """Entries about Rosa (a member), Sam (a contact) and the branch, by two officers, on two days."""
    contact = services.create_contact(
        actor=None,
        details={
            "full_name": "Sam Contact",
            "email": "sam@example.org",
            "branch": london,
            "how_met": "stall",
        },
    )
    AuditEntry.objects.all().delete()
    with frozen(at_noon(today - dt.timedelta(days=3))):
        old = log_action(actor=treasurer, action="payment.recorded", target=member)
    with frozen(at_noon(today)):
        viewed = log_action(
            actor=london_organiser,
            action="member.viewed",
            target=member,
            detail={"role": "Branch organiser (London)"},
        )
        contact_seen = log_action(actor=london_organiser, action="contact.viewed", target=contact)
        admin_seen = log_action(actor=national_office, action="admin.member.viewed", target=member)
        listed = log_action(actor=london_organiser, action="branch.members_listed", target=london)
    return {
        "old": old,
        "viewed": viewed,
        "contact_seen": contact_seen,
        "admin_seen": admin_seen,
        "listed": listed,
        "contact": contact,
    }


def _get(client: Client, who: Any, today: dt.date, **filters: str) -> Any:
    with frozen(at_noon(today)):
        client.force_login(who)
        return client.get(URL, filters)


def _shown(response: Any) -> set[int]:
    assert response.status_code == 200
    return {entry.pk for entry in response.context["page"].object_list}


def _pks(trail: dict[str, Any], *names: str) -> set[int]:
    return {trail[name].pk for name in names}


def test_unfiltered_it_shows_every_entry(client, national_office, trail, today):
    shown = _shown(_get(client, national_office, today))

    assert shown == _pks(trail, "old", "viewed", "contact_seen", "admin_seen", "listed")


@pytest.mark.parametrize("typed", ["Rosa", "rosa lund", "ROSA@example.org"])
def test_by_person_a_member_by_name_or_email(client, national_office, trail, today, typed):
    shown = _shown(_get(client, national_office, today, q=typed))

    assert shown == _pks(trail, "old", "viewed", "admin_seen")


def test_by_person_a_contact_by_email_matches_the_target_not_only_its_description(
    client, national_office, trail, today
):
    shown = _shown(_get(client, national_office, today, q="sam@example"))

    assert shown == _pks(trail, "contact_seen")


def test_by_person_a_renamed_member_is_found_by_the_name_in_the_entry_and_the_new_name(
    client, national_office, member, trail, today
):
    member.full_name = "Rosa Hart"
    member.save(update_fields=["full_name"])

    assert _shown(_get(client, national_office, today, q="Lund")) == _pks(
        trail, "old", "viewed", "admin_seen"
    )
    assert _shown(_get(client, national_office, today, q="Hart")) == _pks(
        trail, "old", "viewed", "admin_seen"
    )


def test_by_officer_email(client, national_office, trail, today):
    shown = _shown(_get(client, national_office, today, officer="london.organiser@"))

    assert shown == _pks(trail, "viewed", "contact_seen", "listed")


def test_by_action_exactly_or_by_its_start(client, national_office, trail, today):
    exact = _shown(_get(client, national_office, today, action="member.viewed"))
    start = _shown(_get(client, national_office, today, action="admin."))

    assert exact == _pks(trail, "viewed")
    assert start == _pks(trail, "admin_seen")


def test_the_actions_present_are_offered_to_pick_from(client, national_office, trail, today):
    response = _get(client, national_office, today)

    assert response.context["actions"] == sorted(
        {
            "payment.recorded",
            "member.viewed",
            "contact.viewed",
            "admin.member.viewed",
            "branch.members_listed",
        }
    )
    assert '<option value="branch.members_listed">' in response.content.decode()


def test_by_date_range_in_london_days_both_included(client, national_office, trail, today):
    earlier = (today - dt.timedelta(days=3)).isoformat()
    before = (today - dt.timedelta(days=1)).isoformat()

    assert _shown(_get(client, national_office, today, date_from=today.isoformat())) == _pks(
        trail, "viewed", "contact_seen", "admin_seen", "listed"
    )
    assert _shown(_get(client, national_office, today, date_to=before)) == _pks(trail, "old")
    assert _shown(_get(client, national_office, today, date_from=earlier, date_to=earlier)) == _pks(
        trail, "old"
    )


def test_filters_combine(client, national_office, trail, today):
    shown = _shown(
        _get(client, national_office, today, q="rosa", officer="london.organiser", action="member.")
    )

    assert shown == _pks(trail, "viewed")


@pytest.mark.parametrize("bad", ["2026-13-45", "yesterday", "2026-02-30"])
def test_a_malformed_date_is_shown_as_an_error_not_a_500(client, national_office, trail, today, bad):
    response = _get(client, national_office, today, date_from=bad, officer="london.organiser")

    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert response.context["form"].errors["date_from"]
    assert _shown(response) == _pks(trail, "viewed", "contact_seen", "listed")  # the other filter still holds


def test_an_end_before_the_start_is_an_error(client, national_office, trail, today):
    response = _get(
        client,
        national_office,
        today,
        date_from=today.isoformat(),
        date_to=(today - dt.timedelta(days=1)).isoformat(),
    )

    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_the_role_recorded_is_shown(client, national_office, trail, today):
    page = _get(client, national_office, today, action="member.viewed").content.decode()

    assert "<td>Branch organiser (London)</td>" in page


def test_only_the_national_office_reads_it(client, london_organiser, trail, today):
    assert _get(client, london_organiser, today).status_code == 403


def _fill(n: int, today: dt.date) -> None:
    officers = [UserFactory.create() for _ in range(n)]
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=at_noon(today),
            actor=officer,
            action="member.viewed",
            target_repr=f"Person {i}",
            detail={"role": f"Branch organiser ({i})"},
        )
        for i, officer in enumerate(officers)
    )


def test_the_page_reads_a_constant_number_of_queries(
    client, national_office, today, django_assert_max_num_queries
):
    _fill(30, today)
    with CaptureQueriesContext(connection) as for_n:
        response = _get(client, national_office, today, q="Person", officer="example")
    assert len(response.context["page"].object_list) == 30

    _fill(60, today)
    with django_assert_max_num_queries(len(for_n.captured_queries)):
        response = _get(client, national_office, today, q="Person", officer="example")
    assert len(response.context["page"].object_list) == 90
