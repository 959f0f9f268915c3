"""Officers' looks at personal data are logged, in proportion (issue 15, item 2).

A look at a member, a contact or a branch's list writes one entry per officer, record and hour, with the
role the officer held; a second look within the hour writes nothing, a look an hour later writes again; a
member looking at their own record writes nothing; every export is logged, however often.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry
from members import services
from tests.helpers.clock import at_noon, frozen


@pytest.fixture
def contact(london: Any) -> Any:
    return services.create_contact(
        actor=None,
        details={
            "full_name": "Sam Contact",
            "email": "sam@example.org",
            "branch": london,
            "how_met": "stall",
        },
    )


def _look(client: Client, user: Any, url: str, moment: dt.datetime) -> None:
    with frozen(moment):
        client.force_login(user)
        assert client.get(url).status_code == 200


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("at"))


PAGES = {
    "member.viewed": lambda objs: reverse("members:member_detail", args=[objs["member"].pk]),
    "contact.viewed": lambda objs: reverse("members:contact_detail", args=[objs["contact"].pk]),
    "branch.members_listed": lambda objs: reverse("members:branch_members", args=[objs["london"].slug]),
}


@pytest.mark.parametrize("action", list(PAGES))
def test_each_page_logs_once_an_hour_per_officer_with_the_role(
    client, member, contact, london, london_organiser, today, action
):
    url = PAGES[action]({"member": member, "contact": contact, "london": london})
    noon = at_noon(today)

    _look(client, london_organiser, url, noon)
    _look(client, london_organiser, url, noon + dt.timedelta(minutes=30))
    _look(client, london_organiser, url, noon + dt.timedelta(minutes=59))
    assert len(_entries(action)) == 1
    _look(client, london_organiser, url, noon + dt.timedelta(minutes=61))

    entries = _entries(action)
    assert [entry.at for entry in entries] == [noon, noon + dt.timedelta(minutes=61)]
    assert {entry.actor for entry in entries} == {london_organiser}
    assert {entry.detail["role"] for entry in entries} == {"Branch organiser (London)"}


def test_each_officer_is_logged_on_their_own(client, member, london_organiser, national_office, today):
    url = reverse("members:member_detail", args=[member.pk])

    _look(client, london_organiser, url, at_noon(today))
    _look(client, national_office, url, at_noon(today))

    assert {entry.actor for entry in _entries("member.viewed")} == {london_organiser, national_office}


def test_a_member_viewing_their_own_record_writes_nothing(client, member, today):
    _look(client, member.user, reverse("members:member_detail", args=[member.pk]), at_noon(today))

    assert _entries("member.viewed") == []


def test_the_branch_list_entry_says_which_page_and_filters_were_shown(
    client, london, london_organiser, member, today
):
    url = reverse("members:branch_members", args=[london.slug])

    _look(client, london_organiser, f"{url}?q=rosa&status=member", at_noon(today))

    [entry] = _entries("branch.members_listed")
    assert entry.target_repr == str(london)
    assert entry.detail["page"] == 1
    assert entry.detail["filters"] == {"q": "rosa", "status": "member"}


def test_saving_a_contact_is_not_logged_as_a_view(client, contact, london_organiser, today):
    with frozen(at_noon(today)):
        client.force_login(london_organiser)
        client.post(reverse("members:contact_detail", args=[contact.pk]), {"full_name": ""})

    assert _entries("contact.viewed") == []


def test_every_branch_export_is_logged_however_often(client, london, london_organiser, member, today):
    url = reverse("members:branch_members_csv", args=[london.slug])
    noon = at_noon(today)

    _look(client, london_organiser, url, noon)
    _look(client, london_organiser, f"{url}?excel=1", noon + dt.timedelta(minutes=1))

    entries = _entries("branch.exported")
    assert len(entries) == 2
    assert [entry.detail["excel"] for entry in entries] == [False, True]
    assert entries[0].detail["role"] == "Branch organiser (London)"


def test_the_branch_export_for_excel_round_trips_non_ascii_names(
    client, london, london_organiser, member, today
):
    member.full_name = "Zoë Ó Briain"
    member.save(update_fields=["full_name"])
    with frozen(at_noon(today)):
        client.force_login(london_organiser)
        page = client.get(reverse("members:branch_members", args=[london.slug]), {"q": "zo"})
        response = client.get(reverse("members:branch_members_csv", args=[london.slug]), {"excel": "1"})

    assert "q=zo&amp;excel=1" in page.content.decode()
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "Zoë Ó Briain" in response.content.decode("utf-8-sig")
