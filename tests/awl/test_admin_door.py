"""The Django admin sits behind the site's own door, shows no secrets and writes to the audit trail.

The attacks of issue 14 (item 3): ``/admin/login/`` took 25 wrong passwords and then the right one,
and a TOTP user got a full session with only a password; the admin showed TOTP secrets and recovery
seeds, let staff set anyone's password, and showed live bearer links in the outbox; none of it
reached the audit trail.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, reverse

from awl.models import AuditEntry, OutboundMessage
from tests.factories import PASSWORD, UserFactory

TOTP_SECRET = "JBSWY3DPEHPK3PXPSECRETSEED"


@pytest.fixture
def staff(db: None) -> Any:
    user = UserFactory.create(
        username="staffer", email="staffer@example.org", is_staff=True, is_superuser=True
    )
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET})
    return user


def passed_two_factor(client: Client, user: Any) -> Client:
    """A session as allauth leaves it after the password and the TOTP code."""
    client.force_login(user)
    session = client.session
    now = time.time()
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "id": 1, "type": "totp"},
    ]
    session.save()
    return client


def test_the_admin_login_page_sends_people_to_the_sites_login(client: Client) -> None:
    response = client.get(reverse("admin:login"), {"next": "/admin/"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/admin/" in response["Location"]


def test_the_admin_login_form_logs_nobody_in_however_often_it_is_tried(client: Client, staff: Any) -> None:
    for attempt in range(25):
        client.post(reverse("admin:login"), {"username": staff.username, "password": f"wrong-{attempt}"})
    client.post(reverse("admin:login"), {"username": staff.username, "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302


def where_it_ends(client: Client, url: str) -> str:
    """The address a chain of redirects from ``url`` ends on."""
    response = client.get(url, follow=True)
    return response.redirect_chain[-1][0] if response.redirect_chain else url


def test_a_session_without_the_second_factor_does_not_reach_the_admin(client: Client, staff: Any) -> None:
    client.force_login(staff)  # a password alone (or any login that skipped the TOTP step)

    assert client.get(reverse("admin:index")).status_code == 302
    assert where_it_ends(client, reverse("admin:index")).startswith(reverse("mfa_reauthenticate"))


def test_staff_without_totp_are_sent_to_set_it_up(client: Client, db: None) -> None:
    user = UserFactory.create(username="newstaff", email="newstaff@example.org", is_staff=True)
    client.force_login(user)

    assert client.get(reverse("admin:index")).status_code == 302
    # allauth asks for the password again before the set-up page (a security change).
    assert where_it_ends(client, reverse("admin:index")).endswith(
        "next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )


def test_a_logged_in_member_who_is_not_staff_is_refused(client: Client, member: Any) -> None:
    client.force_login(member.user)

    assert client.get(reverse("admin:login")).status_code == 403


def test_staff_with_the_second_factor_reach_the_admin(client: Client, staff: Any) -> None:
    assert passed_two_factor(client, staff).get(reverse("admin:index")).status_code == 200


def test_the_totp_secret_is_never_shown(client: Client, staff: Any) -> None:
    passed_two_factor(client, staff)
    authenticator = Authenticator.objects.get(user=staff)

    pages = [
        client.get(reverse("admin:mfa_authenticator_changelist")),
        client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk])),
    ]

    assert [page.status_code for page in pages] == [200, 200]
    assert all(TOTP_SECRET not in page.content.decode() for page in pages)


def test_no_password_hash_and_no_way_to_set_a_password(client: Client, staff: Any, member: Any) -> None:
    passed_two_factor(client, staff)
    user = member.user

    page = client.get(reverse("admin:auth_user_change", args=[user.pk]))

    assert page.status_code == 200
    assert user.password.split("$")[-1] not in page.content.decode()
    assert "pbkdf2" not in page.content.decode()
    with pytest.raises(NoReverseMatch):
        reverse("admin:auth_user_password_change", args=[user.pk])
    assert client.get(f"/admin/auth/user/{user.pk}/password/").status_code in (302, 404)
    posted = client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "Taken-Over-123", "password2": "Taken-Over-123", "usable_password": "true"},
    )
    assert posted.status_code in (302, 404)
    user.refresh_from_db()
    assert not user.check_password("Taken-Over-123")


def test_staff_can_send_a_password_reset_instead(client: Client, staff: Any, member: Any) -> None:
    passed_two_factor(client, staff)

    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "send_password_reset", "_selected_action": [member.user.pk]},
    )

    assert OutboundMessage.objects.filter(to=member.user.email).exists() or _reset_mailed(member.user.email)


def _reset_mailed(address: str) -> bool:
    from django.core import mail

    return any(address in message.to for message in mail.outbox)


def test_outbox_bodies_with_bearer_links_are_not_shown(client: Client, staff: Any) -> None:
    passed_two_factor(client, staff)
    secret_link = "https://awl.example/bookings/abc123-secret-bearer-link/"
    message = OutboundMessage.objects.create(
        key="test-bearer-body",
        to="guest@example.org",
        subject="Your booking",
        body_text=f"Manage your booking: {secret_link}",
        body_html=f'<a href="{secret_link}">Manage your booking</a>',
    )

    page = client.get(reverse("admin:awl_outboundmessage_change", args=[message.pk]))

    assert page.status_code == 200
    assert "Your booking" in page.content.decode()
    assert secret_link not in page.content.decode()


def test_every_admin_change_reaches_the_audit_trail(client: Client, staff: Any, member: Any) -> None:
    passed_two_factor(client, staff)
    user = member.user
    before = AuditEntry.objects.count()

    # A model whose admin the project did not write (django.contrib.auth's Group) and one it did.
    client.post(reverse("admin:auth_group_add"), {"name": "Editors"})
    client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": user.username,
            "email": user.email,
            "first_name": "Changed",
            "last_name": user.last_name,
            "is_active": "on",
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        },
    )

    actions = list(AuditEntry.objects.order_by("pk")[before:].values_list("action", "actor_id"))
    assert ("admin.group.added", staff.pk) in actions
    assert ("admin.user.changed", staff.pk) in actions
    assert get_user_model().objects.get(pk=user.pk).first_name == "Changed"


@pytest.mark.parametrize(
    "model_admin", sorted(admin.site._registry.values(), key=str), ids=lambda model_admin: str(model_admin)
)
def test_no_admin_page_shows_a_withheld_field(client: Client, staff: Any, model_admin: Any) -> None:
    """Every registered admin, whoever wrote it: the fields the site withholds appear on no form or list."""
    from awl.admin_site import withheld_fields

    passed_two_factor(client, staff)
    model = model_admin.model
    request = client.get(reverse("admin:index")).wsgi_request
    withheld = withheld_fields(model)

    form_fields = set(model_admin.get_form(request, None).base_fields)
    shown = (
        form_fields
        | set(model_admin.get_list_display(request))
        | set(model_admin.get_search_fields(request))
        | set(model_admin.get_readonly_fields(request, None))
        | {name for name in model_admin.get_list_filter(request) if isinstance(name, str)}
        | {name.split("__")[0] for name in model_admin.get_search_fields(request)}
    )

    assert not (shown & withheld)
    assert (
        client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")).status_code
        == 200
    )
