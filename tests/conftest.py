"""The people every test can call on, each with a fixed role.

Members and officers are made through the services (see tests/factories.py)
relative to the real today, so that "in good standing" holds whatever day
the suite runs. Tests about particular dates make their own people inside
``travel(...)``.

Role checks cache the roles on the user object for a request; a test that
grants or ends a role and then reuses a user object it already holds should
reload it (``factories.reload``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from members.models import Application, Branch, DuesBand, DuesRate, Member, Role
from tests.factories import (
    BranchFactory,
    DuesRateFactory,
    UserFactory,
    make_application,
    make_member,
    make_officer,
    pay,
)


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def london(db: None) -> Branch:
    return BranchFactory.create(name="London")


@pytest.fixture
def leeds(db: None) -> Branch:
    return BranchFactory.create(name="Leeds")


@pytest.fixture
def dues_rates(db: None) -> dict[str, DuesRate]:
    """The monthly rates per band, in force since 2000."""
    amounts = {DuesBand.WAGED: "10.00", DuesBand.LOW_WAGED: "5.00", DuesBand.UNWAGED: "1.00"}
    return {
        band: DuesRateFactory.create(
            band=band, monthly_amount=Decimal(amount), valid_from=dt.date(2000, 1, 1)
        )
        for band, amount in amounts.items()
    }


@pytest.fixture
def member(london: Branch, dues_rates: dict[str, DuesRate], today: dt.date) -> Member:
    """Rosa Lund, a London member for a year, paid up well beyond today."""
    rosa = make_member(
        london,
        joined_on=today - dt.timedelta(days=365),
        user=UserFactory(username="rosa", email="rosa@example.org"),
        full_name="Rosa Lund",
        phone="07700 900123",
        workplace="Whipps Cross Hospital",
        industry="Health",
        trade_union="UNISON",
    )
    pay(rosa, "130.00", paid_on=today - dt.timedelta(days=5))
    return Member.objects.select_related("user", "branch").get(pk=rosa.pk)


@pytest.fixture
def applicant(london: Branch, dues_rates: dict[str, DuesRate]) -> Application:
    """Jo Okafor's pending application to join London branch, submitted today."""
    return make_application(
        london,
        user=UserFactory(username="jo", email="jo@example.org"),
        full_name="Jo Okafor",
        statement="I met the branch on the picket line at the depot.",
    )


@pytest.fixture
def london_organiser(london: Branch) -> Any:
    return make_officer(Role.BRANCH_ORGANISER, london, email="london.organiser@example.org")


@pytest.fixture
def leeds_organiser(leeds: Branch) -> Any:
    return make_officer(Role.BRANCH_ORGANISER, leeds, email="leeds.organiser@example.org")


@pytest.fixture
def treasurer(london: Branch) -> Any:
    """The London branch treasurer."""
    return make_officer(Role.BRANCH_TREASURER, london, email="treasurer@example.org")


@pytest.fixture
def national_office(db: None) -> Any:
    return make_officer(Role.NATIONAL_OFFICE, email="office@example.org")


@pytest.fixture
def outsider(db: None) -> Any:
    """Signed up and verified, but no member record and no role."""
    return UserFactory(username="outsider", email="outsider@example.org")


@pytest.fixture
def nc_meeting(member: Member) -> Any:
    """A national committee meeting 30 days ahead; the member fixture sits on the committee."""
    from committees.models import Committee, Meeting
    from committees.services import start_term

    committee = Committee.objects.create(name="National Committee", slug="nc", kind="national")
    start_term(
        actor=None,
        committee=committee,
        member=member,
        role="member",
        starts_on=dt.date(2000, 1, 1),
        basis="conference",
    )
    starts = timezone.now() + dt.timedelta(days=30)
    return Meeting.objects.create(
        committee=committee, starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
