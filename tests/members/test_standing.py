"""The good-standing rule (members/standing.py): status on the date, dues within the grace period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings

from members.models import Branch, Member, MemberStatus
from members.standing import standing_for
from tests.factories import change_status, make_application, make_member, pay

JOINED = dt.date(2025, 1, 10)
# £10 at the waged rate buys one month from the day before dues start.
PAID_TO = dt.date(2025, 2, 9)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def grace() -> dt.timedelta:
    return days(settings.AWL_DUES_GRACE_DAYS)


def in_good_standing(member: Member, on: dt.date) -> bool:
    return standing_for(member, on).good_standing


@pytest.fixture
def paid_one_month(london: Branch, dues_rates: Any) -> Member:
    member = make_member(london, joined_on=JOINED)
    pay(member, "10.00", paid_on=JOINED)
    return member


def test_paid_up_to_is_one_month_on_from_the_day_before_dues_start(paid_one_month: Member) -> None:
    assert standing_for(paid_one_month, PAID_TO).paid_up_to == PAID_TO


def test_last_day_of_the_grace_period_is_still_good_standing(paid_one_month: Member) -> None:
    standing = standing_for(paid_one_month, PAID_TO + grace())

    assert standing.good_standing
    assert standing.grace_until == PAID_TO + grace()


def test_the_day_after_the_grace_period_is_not_good_standing(paid_one_month: Member) -> None:
    assert not in_good_standing(paid_one_month, PAID_TO + grace() + days(1))


def test_queryset_and_standing_for_agree_on_both_sides_of_the_grace_period(paid_one_month: Member) -> None:
    last_good = PAID_TO + grace()
    for on in (JOINED, PAID_TO, last_good, last_good + days(1), last_good + days(400)):
        in_list = Member.objects.in_good_standing(on).filter(pk=paid_one_month.pk).exists()
        assert in_list == in_good_standing(paid_one_month, on), on


def test_new_member_without_payments_is_in_good_standing_through_the_grace_period_after_admission(
    london: Branch, dues_rates: Any
) -> None:
    member = make_member(london, joined_on=JOINED)
    last_good = JOINED - days(1) + grace()

    assert in_good_standing(member, JOINED)
    assert in_good_standing(member, last_good)
    assert not in_good_standing(member, last_good + days(1))


def test_before_admission_a_member_was_not_in_good_standing(paid_one_month: Member) -> None:
    assert not in_good_standing(paid_one_month, JOINED - days(1))


def test_applicant_is_never_in_good_standing(london: Branch, dues_rates: Any) -> None:
    applicant = make_application(london, on=JOINED).member

    for on in (JOINED - days(30), JOINED, JOINED + days(1), JOINED + days(30)):
        assert not in_good_standing(applicant, on), on
    assert not Member.objects.in_good_standing(JOINED).filter(pk=applicant.pk).exists()


def test_member_who_lapsed_later_was_in_good_standing_before(
    paid_one_month: Member, national_office: Any
) -> None:
    lapsed_on = dt.date(2025, 5, 1)
    change_status(paid_one_month, MemberStatus.LAPSED, on=lapsed_on, by=national_office)

    assert in_good_standing(paid_one_month, dt.date(2025, 2, 1))
    assert standing_for(paid_one_month, dt.date(2025, 2, 1)).status == MemberStatus.MEMBER
    assert standing_for(paid_one_month, lapsed_on).status == MemberStatus.LAPSED
    assert not in_good_standing(paid_one_month, lapsed_on)


def test_suspended_member_is_not_in_good_standing_however_well_paid(
    london: Branch, dues_rates: Any, national_office: Any
) -> None:
    member = make_member(london, joined_on=JOINED)
    pay(member, "120.00", paid_on=JOINED)
    change_status(member, MemberStatus.SUSPENDED, on=dt.date(2025, 3, 1), by=national_office)

    assert in_good_standing(member, dt.date(2025, 2, 28))
    assert not in_good_standing(member, dt.date(2025, 3, 1))


def test_payments_made_after_the_date_do_not_count_for_it(london: Branch, dues_rates: Any) -> None:
    member = make_member(london, joined_on=JOINED)
    late_payment = dt.date(2025, 6, 1)
    pay(member, "120.00", paid_on=late_payment)
    before = late_payment - days(1)

    assert before > JOINED - days(1) + grace()
    assert not in_good_standing(member, before)
    assert standing_for(member, before).paid_up_to == JOINED - days(1)
    assert in_good_standing(member, late_payment)


def test_reinstated_member_starts_a_fresh_grace_period(paid_one_month: Member, national_office: Any) -> None:
    change_status(paid_one_month, MemberStatus.LAPSED, on=dt.date(2025, 5, 1), by=national_office)
    reinstated_on = dt.date(2025, 9, 1)
    change_status(paid_one_month, MemberStatus.MEMBER, on=reinstated_on, by=national_office, reason="Back")

    assert in_good_standing(paid_one_month, reinstated_on)
    assert in_good_standing(paid_one_month, reinstated_on - days(1) + grace())
    assert not in_good_standing(paid_one_month, reinstated_on + grace())


def test_in_good_standing_lists_exactly_the_members_standing_for_calls_good(
    london: Branch, leeds: Branch, dues_rates: Any, national_office: Any
) -> None:
    paid = make_member(london, joined_on=JOINED, full_name="Paid Up")
    pay(paid, "120.00", paid_on=JOINED)
    unpaid = make_member(leeds, joined_on=JOINED, full_name="Never Paid")
    lapsed = make_member(london, joined_on=JOINED, full_name="Lapsed Later")
    pay(lapsed, "30.00", paid_on=JOINED)
    change_status(lapsed, MemberStatus.LAPSED, on=dt.date(2025, 7, 1), by=national_office)
    applicant = make_application(leeds, on=JOINED, full_name="Still Waiting").member
    everyone = [paid, unpaid, lapsed, applicant]

    for on in (JOINED - days(1), JOINED, dt.date(2025, 3, 1), dt.date(2025, 3, 15), dt.date(2025, 7, 1)):
        listed = set(Member.objects.in_good_standing(on).values_list("pk", flat=True))
        expected = {m.pk for m in everyone if in_good_standing(m, on)}
        assert listed == expected, on
    assert set(Member.objects.in_good_standing(dt.date(2025, 3, 1)).values_list("full_name", flat=True)) == {
        "Paid Up",
        "Never Paid",
        "Lapsed Later",
    }


@pytest.mark.parametrize(("grace_days", "good"), [(0, False), (1, True)])
def test_grace_period_comes_from_the_setting(
    paid_one_month: Member, settings: Any, grace_days: int, good: bool
) -> None:
    settings.AWL_DUES_GRACE_DAYS = grace_days

    assert in_good_standing(paid_one_month, PAID_TO + days(1)) is good
    assert Member.objects.in_good_standing(PAID_TO + days(1)).exists() is good
