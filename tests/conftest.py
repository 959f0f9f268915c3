"""The people every test can call on, each with a fixed role.

Members and officers are made through the services (see tests/factories.py)
relative to the real today, so that "in good standing" holds whatever day
the suite runs. Tests about particular dates make their own people inside
``travel(...)``.

Role checks cache the roles on the user object for a request; a test that
grants or ends a role and then reuses a user object it already holds should
reload it (``factories.reload``).

``--clock=ISO-DATETIME`` (or ``AWL_TEST_CLOCK``) runs every test as if the
suite were run at that moment: see ``pytest_addoption`` below.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Generator
from decimal import Decimal
from typing import Any

import hypothesis
import pytest
import time_machine
from django.utils import timezone

from members.models import Application, Branch, DuesBand, DuesRate, Member, Role
from tests.factories import (
    BranchFactory,
    DuesRateFactory,
    UserFactory,
    make_application,
    make_member,
    make_officer,
    national_committee,
    pay,
)

# Property tests draw the same examples on every run (derived from each test's own code), so a
# run passes or fails the same way on every machine and every day, CI included. To hunt for new
# failures on purpose: --hypothesis-profile=explore (fresh random examples, remembered in .hypothesis/).
hypothesis.settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis.settings.register_profile("explore", derandomize=False)
hypothesis.settings.load_profile("repeatable")

CLOCK_ENV = "AWL_TEST_CLOCK"
# Markers of tests whose work happens in other processes (a browser, a live
# server's clients, Celery workers, Redis, PostgreSQL restarts): time_machine
# moves this process's clock only, so under --clock they would mix two clocks.
OTHER_PROCESS_MARKERS = ("e2e", "fault")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        metavar="ISO-DATETIME",
        default=os.environ.get(CLOCK_ENV) or None,
        help=(
            "run every test as if the suite were run at this moment (with a UTC offset, e.g. "
            "2027-10-31T01:30Z): the in-process clock travels there, ticking, for each test. "
            f"Default: ${CLOCK_ENV}. Tests marked {' or '.join(OTHER_PROCESS_MARKERS)} are skipped, "
            "as the clocks of the processes they start cannot be moved."
        ),
    )


def clock(config: pytest.Config) -> dt.datetime | None:
    """The moment --clock (or AWL_TEST_CLOCK) names, or None for the real clock."""
    value = config.getoption("clock", default=None)
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(
            f"--clock={value}: not an ISO 8601 date and time, e.g. 2027-10-31T01:30Z"
        ) from None
    if moment.tzinfo is None:
        # A London wall-clock time can be ambiguous (the repeated hour in October) or
        # never happen (the skipped hour in March), so the offset is required.
        raise pytest.UsageError(f"--clock={value}: give a UTC offset or Z, e.g. {value}Z or {value}+01:00")
    return moment


def pytest_configure(config: pytest.Config) -> None:
    clock(config)  # a bad value stops the run before collection, with the reason


def pytest_report_header(config: pytest.Config) -> list[str]:
    moment = clock(config)
    if moment is None:
        return []
    from zoneinfo import ZoneInfo

    london = moment.astimezone(ZoneInfo("Europe/London"))
    return [
        f"clock: every test starts at {moment.isoformat()} (London {london:%a %d %b %Y %H:%M %Z}), ticking; "
        f"tests marked {' or '.join(OTHER_PROCESS_MARKERS)} are skipped"
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    moment = clock(config)
    if moment is None:
        return
    skip = pytest.mark.skip(
        reason=(
            f"--clock={moment.isoformat()} moves only this process's clock, and this test's work "
            "runs in other processes (browser, workers, servers) whose clocks cannot be moved"
        )
    )
    for item in items:
        if any(item.get_closest_marker(name) for name in OTHER_PROCESS_MARKERS):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    """Under --clock, travel for the whole test (fixtures, body, teardown), starting afresh for each.

    Tests and fixtures that freeze or travel the clock themselves still do: time_machine's
    travels nest, and leaving an inner one comes back to this one.
    """
    moment = clock(item.config)
    if moment is None:
        return (yield)
    with time_machine.travel(moment, tick=True):
        return (yield)


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
    from committees.models import Meeting

    committee = national_committee(member)
    starts = timezone.now() + dt.timedelta(days=30)
    return Meeting.objects.create(
        committee=committee, starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
