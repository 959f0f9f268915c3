"""Officers can be required to use TOTP two-factor before using the site."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from awl.mfa import must_use_two_factor
from committees.models import Meeting, TermBasis, TermRole
from committees.services import start_term
from conference.elections.models import Election, Teller
from conference.registration.models import CacDuty, Duty
from dayschools.services import create_event
from members.models import Role
from tests.factories import (
    PASSWORD,
    ROLES_FROM,
    BranchFactory,
    CityFactory,
    CommitteeFactory,
    ConferenceFactory,
    DuesRateFactory,
    SchoolFactory,
    UserFactory,
    make_member,
    make_officer,
)


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


# Every holder of power (issue 14, item 8) ----------------------------------------------------------------
# Each builds a person holding one kind of power that a role (members.RoleAssignment) does not give, and
# the page that power opens; they must set up TOTP before they reach it, and with TOTP they do.


def _returning_officer(db: None) -> tuple[Any, str]:
    user = UserFactory.create(email="returning.officer@example.org")
    election = _election(returning_officer=user)
    return user, reverse("conference:teller_manage", args=[election.pk])


def _teller(db: None) -> tuple[Any, str]:
    user = UserFactory.create(email="teller@example.org")
    election = _election(returning_officer=UserFactory.create())
    Teller.objects.create(election=election, user=user)
    return user, reverse("conference:teller_issue", args=[election.pk])


def _minutes_secretary(db: None) -> tuple[Any, str]:
    branch = BranchFactory.create(name="Minutes Branch")
    DuesRateFactory.create(band="waged")
    writer = make_member(
        branch, full_name="Mina Writer", user=UserFactory.create(email="minutes@example.org")
    )
    committee = CommitteeFactory.create(name="Executive Committee", slug="ec")
    start_term(
        actor=None,
        committee=committee,
        member=writer,
        role=TermRole.MINUTES_SECRETARY,
        starts_on=ROLES_FROM,
        basis=TermBasis.ELECTED_BY_COMMITTEE,
    )
    starts = timezone.now() - dt.timedelta(days=2)
    meeting = Meeting.objects.create(
        committee=committee, starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    return writer.user, reverse("committees:minutes_draft", args=[meeting.pk])


def _event_organiser(db: None) -> tuple[Any, str]:
    user = UserFactory.create(email="event.organiser@example.org")
    school = SchoolFactory.create()
    city = CityFactory.create()
    starts = timezone.now() + dt.timedelta(days=30)
    event = create_event(
        actor=None,
        school=school,
        city=city,
        venue="Friends Meeting House",
        address="1 Main Street",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=6),
        capacity=40,
        booking_opens_at=timezone.now() - dt.timedelta(days=1),
        booking_closes_at=starts,
        publish=True,
    )
    event.organisers.add(user)
    return user, reverse("dayschools:door", args=[event.pk])


def _cac_with_a_duty(db: None) -> tuple[Any, str]:
    user = make_officer(Role.CAC, email="cac.access@example.org")
    conference = ConferenceFactory.create()
    CacDuty.objects.create(conference=conference, user=user, duty=Duty.ACCESS)
    return user, reverse("conference:cac_access", args=[conference.slug])


def _election(*, returning_officer: Any) -> Election:
    now = timezone.now()
    nc = CommitteeFactory.create(name="National Committee", slug="nc")
    commission = CommitteeFactory.create(name="Control Commission", slug="control-commission")
    return Election.objects.create(
        title="Control Commission",
        committee=commission,
        electing_committee=nc,
        seats=2,
        nominations_open_at=now - dt.timedelta(days=10),
        nominations_close_at=now - dt.timedelta(days=2),
        voting_opens_at=now - dt.timedelta(days=1),
        voting_closes_at=now + dt.timedelta(days=2),
        returning_officer=returning_officer,
        term_starts_on=timezone.localdate() + dt.timedelta(days=10),
    )


POWER_HOLDERS = {
    "returning officer": _returning_officer,
    "teller": _teller,
    "minutes secretary": _minutes_secretary,
    "day-school event organiser": _event_organiser,
    "CAC member with a duty": _cac_with_a_duty,
}


@pytest.mark.parametrize("kind", POWER_HOLDERS)
def test_a_holder_of_power_without_totp_is_sent_to_set_it_up(client, mfa_required, db, kind):
    user, power_page = POWER_HOLDERS[kind](db)
    client.force_login(user)

    response = client.get(power_page)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("kind", POWER_HOLDERS)
def test_a_holder_of_power_with_totp_reaches_the_page(client, mfa_required, db, kind):
    user, power_page = POWER_HOLDERS[kind](db)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(user)

    response = client.get(power_page)

    assert response.status_code == 200


def test_asking_who_must_use_two_factor_is_cheap_and_asked_once_per_request(
    django_assert_max_num_queries, member
):
    user = get_user_model().objects.get(pk=member.user_id)  # as the request has it: nothing cached yet

    # One query per app at most (members' roles, committees' terms, day-school events, conference
    # appointments), and nothing more when the same request asks again.
    with django_assert_max_num_queries(4):
        assert not must_use_two_factor(user)
    with django_assert_max_num_queries(0):
        assert not must_use_two_factor(user)


def test_an_ordinary_committee_member_is_not_asked_for_totp(client, mfa_required, member, nc_meeting):
    client.force_login(member.user)

    response = client.get(reverse("committees:meeting_detail", args=[nc_meeting.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("flags", "must"),
    [({}, False), ({"is_staff": True}, True), ({"is_superuser": True}, True)],
    ids=["plain account", "staff", "superuser"],
)
def test_the_accounts_the_admin_lets_in_must_use_two_factor(
    db: None, flags: dict[str, bool], must: bool
) -> None:
    """A superuser (an emergency account) asks for a second factor like staff; the flag grants no power."""
    assert must_use_two_factor(UserFactory.create(**flags)) is must
