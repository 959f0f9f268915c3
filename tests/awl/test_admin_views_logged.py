"""A look at personal data through the admin is logged like a look on the site (issue 15, item 3)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sites.models import Site
from django.test import Client
from django.urls import reverse

from awl.admin_site import PERSONAL_DATA_APPS, audit_admin_view
from awl.models import AuditEntry
from tests.awl.test_admin_door import TOTP_SECRET, passed_two_factor
from tests.factories import UserFactory
from tests.helpers.clock import at_noon, frozen


@pytest.fixture
def staff(db: None) -> Any:
    user = UserFactory.create(
        username="staffer", email="staffer@example.org", is_staff=True, is_superuser=True
    )
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET})
    return user


def _open(client: Client, staff: Any, url: str, moment: dt.datetime) -> None:
    with frozen(moment):
        passed_two_factor(client, staff)
        assert client.get(url).status_code == 200


def test_a_change_page_of_a_member_is_logged_once_an_hour(client, staff, member, today) -> None:
    url = reverse("admin:members_member_change", args=[member.pk])
    noon = at_noon(today)

    _open(client, staff, url, noon)
    _open(client, staff, url, noon + dt.timedelta(minutes=45))
    _open(client, staff, url, noon + dt.timedelta(minutes=70))

    entries = list(AuditEntry.objects.filter(action="admin.member.viewed").order_by("at"))
    assert [entry.at for entry in entries] == [noon, noon + dt.timedelta(minutes=70)]
    assert {(entry.actor_id, entry.target_id) for entry in entries} == {(staff.pk, str(member.pk))}
    assert entries[0].detail["role"] == "Django admin"


@pytest.mark.parametrize(
    ("url_name", "action"),
    [("admin:auth_user_change", "admin.user.viewed"), ("admin:account_emailaddress_change", None)],
)
def test_change_pages_of_other_apps_holding_personal_data_are_logged(
    client, staff, member, today, url_name, action
) -> None:
    from allauth.account.models import EmailAddress

    address, _ = EmailAddress.objects.get_or_create(user=member.user, email=member.user.email)
    pk = member.user.pk if url_name == "admin:auth_user_change" else address.pk

    _open(client, staff, reverse(url_name, args=[pk]), at_noon(today))

    expected = action or "admin.emailaddress.viewed"
    assert AuditEntry.objects.filter(action=expected, actor=staff, target_id=str(pk)).count() == 1


def test_a_change_page_of_a_model_without_personal_data_is_not_logged(client, staff, today) -> None:
    _open(
        client,
        staff,
        reverse("admin:sites_site_change", args=[Site.objects.get_current().pk]),
        at_noon(today),
    )

    assert not AuditEntry.objects.filter(action__endswith=".viewed").exists()


def test_the_apps_are_named_by_label_and_a_look_outside_them_writes_nothing(rf, staff) -> None:
    request = rf.get("/admin/")
    request.user = staff

    audit_admin_view(request, Site.objects.get_current())

    assert "sites" not in PERSONAL_DATA_APPS
    assert {"members", "committees", "dayschools", "conference", "awl", "auth"} <= PERSONAL_DATA_APPS
    assert not AuditEntry.objects.exists()


def test_saving_a_change_page_is_audited_as_a_change_naming_fields_not_their_values(
    client, staff, member, today
) -> None:
    user = member.user
    with frozen(at_noon(today)):
        passed_two_factor(client, staff)
        response = client.post(
            reverse("admin:auth_user_change", args=[user.pk]),
            {
                "username": user.username,
                "email": user.email,
                "first_name": "Clandestina",
                "last_name": user.last_name,
                "is_active": "on",
                "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
                "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
            },
        )

    assert response.status_code == 302
    [entry] = AuditEntry.objects.filter(action="admin.user.changed")
    [change] = entry.detail["change"]
    assert set(change) == {"changed"} and "First name" in change["changed"]["fields"]
    assert "Clandestina" not in json.dumps(entry.detail)
    assert not AuditEntry.objects.filter(action="admin.user.viewed").exists()
