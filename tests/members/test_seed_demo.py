"""The demo data: loads once, follows the membership rules, and gives a working login per role."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from itertools import pairwise

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from demo.members import DEMO_PASSWORD, LOGINS
from members import services
from members.models import (
    ALLOWED_TRANSITIONS,
    Application,
    ApplicationDecision,
    Consent,
    Contact,
    LapseWarning,
    Member,
    MemberStatus,
    Payment,
    Role,
    RoleAssignment,
    StatusChange,
)
from members.standing import standing_for
from tests.factories import LONDON_TZ

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# Half past midnight in London: the seed's "today" has begun, but any time of day it gives
# to today's events (an application at 09:00, a payment at 18:00) is still to come. On this
# day an applicant who applied today is the one the demo conference admits at once.
JUST_AFTER_MIDNIGHT = dt.datetime(2027, 7, 2, 0, 30, tzinfo=LONDON_TZ)
MIDDAY = dt.datetime(2026, 12, 7, 12, tzinfo=LONDON_TZ)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_logins_only_prints_the_logins_and_creates_nothing() -> None:
    output = seed("--logins-only")

    assert all(login.email in output for login in LOGINS)
    assert DEMO_PASSWORD in output
    assert not Member.objects.exists()


def test_seed_loads_members_in_every_status_across_the_branches() -> None:
    seed()

    assert Member.objects.count() == 300
    statuses = set(Member.objects.values_list("status", flat=True))
    assert statuses == set(MemberStatus.values)
    assert set(Member.objects.values_list("branch__slug", flat=True)) == {
        "london",
        "sheffield",
        "leeds",
        "liverpool",
        "manchester",
    }
    assert Payment.objects.count() > 1000


def test_every_demo_login_works_with_the_demo_password() -> None:
    seed()

    for login in LOGINS:
        user = authenticate(username=login.email.split("@")[0], password=DEMO_PASSWORD)
        assert user is not None, login.email
        assert EmailAddress.objects.get(user=user).verified


def test_demo_logins_hold_the_roles_they_are_printed_with() -> None:
    seed()
    today = timezone.localdate()

    member = Member.objects.get(user__email="member@awl.example")
    assert standing_for(member, today).good_standing
    applicant = Member.objects.get(user__email="applicant@awl.example")
    assert applicant.applications.get().decision == ApplicationDecision.PENDING
    held = {
        (r.user.email, r.role, r.branch.slug if r.branch else None)
        for r in RoleAssignment.objects.current().select_related("user", "branch")
    }
    assert {
        ("london.organiser@awl.example", Role.BRANCH_ORGANISER, "london"),
        ("leeds.organiser@awl.example", Role.BRANCH_ORGANISER, "leeds"),
        ("treasurer@awl.example", Role.BRANCH_TREASURER, "london"),
        ("dayschools@awl.example", Role.DAYSCHOOL_ORGANISER, None),
        ("cac@awl.example", Role.CAC, None),
        ("office@awl.example", Role.NATIONAL_OFFICE, None),
    } <= held
    office = authenticate(username="office", password=DEMO_PASSWORD)
    # National office is a role, with the admin's model permissions through a group; never a superuser.
    assert office is not None and office.is_staff and not office.is_superuser
    assert office.has_perm("members.change_member")


@pytest.mark.parametrize("moment", [JUST_AFTER_MIDNIGHT, MIDDAY], ids=["just-after-midnight", "midday"])
def test_seeded_histories_follow_the_lifecycle_and_the_lapsing_rule(moment: dt.datetime) -> None:
    with time_machine.travel(moment, tick=True):
        seed()

        for member in Member.objects.prefetch_related("status_changes"):
            history = [c.status for c in member.status_changes.all()]
            assert history[-1] == member.status, member.pk
            assert all(after in ALLOWED_TRANSITIONS[before] for before, after in pairwise(history)), history
        # Everyone still marked a member is within the grace period and already warned if due.
        assert services.lapse_overdue_members() == {"warned": 0, "lapsed": 0}


def test_nothing_the_seed_records_is_dated_after_it_ran() -> None:
    with time_machine.travel(JUST_AFTER_MIDNIGHT, tick=False):
        seed()

    latest = {
        "application submitted": Application.objects.aggregate(at=Max("submitted_at")),
        "application decided": Application.objects.aggregate(at=Max("decided_at")),
        "status change recorded": StatusChange.objects.aggregate(at=Max("recorded_at")),
        "member created": Member.objects.aggregate(at=Max("created_at")),
        "member updated": Member.objects.aggregate(at=Max("updated_at")),
        "payment recorded": Payment.objects.aggregate(at=Max("recorded_at")),
        "lapse warning sent": LapseWarning.objects.aggregate(at=Max("sent_at")),
        "consent recorded": Consent.objects.aggregate(at=Max("recorded_at")),
        "contact created": Contact.objects.aggregate(at=Max("created_at")),
    }
    assert {what: row["at"] for what, row in latest.items() if row["at"] > JUST_AFTER_MIDNIGHT} == {}


def test_second_run_refuses_and_changes_nothing() -> None:
    seed()

    output = seed()

    assert "already exists" in output
    assert Member.objects.count() == 300


def test_force_loads_the_same_people_again() -> None:
    seed()
    names = sorted(Member.objects.values_list("full_name", flat=True))

    seed("--force")

    assert sorted(Member.objects.values_list("full_name", flat=True)) == names
