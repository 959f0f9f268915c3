"""Officers can be required to use TOTP two-factor before using the site."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.fixture
def mfa_required(settings):
    settings.AWL_OFFICER_MFA_REQUIRED = True


def test_officer_without_totp_is_sent_to_set_it_up(client, mfa_required, london_organiser):
    client.force_login(london_organiser)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_national_office_without_totp_cannot_reach_office_pages(client, mfa_required, national_office):
    client.force_login(national_office)

    response = client.get(reverse("members:audit"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_officer_with_totp_goes_on(client, mfa_required, london_organiser):
    Authenticator.objects.create(user=london_organiser, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(london_organiser)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200


def test_ordinary_member_is_not_required_to_use_totp(client, mfa_required, member):
    client.force_login(member.user)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200


def test_an_officer_logging_in_is_led_to_set_up_totp(client, mfa_required, london_organiser):
    login = client.post(
        reverse("account_login"), {"login": london_organiser.email, "password": PASSWORD}, follow=True
    )

    # allauth asks for the password again before a security change; then the setup page.
    assert [url for url, _ in login.redirect_chain][1] == reverse("mfa_activate_totp")
    reauthenticated = client.post(login.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert reauthenticated.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    assert reauthenticated.status_code == 200
    assert b'name="code"' in reauthenticated.content


def test_requirement_is_off_when_the_setting_is(client, settings, london_organiser):
    settings.AWL_OFFICER_MFA_REQUIRED = False
    client.force_login(london_organiser)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
