"""Recording dues: whole months at the member's band rate, recorded by their branch treasurer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from awl.models import AuditEntry
from members import services
from members.models import Application, Branch, DuesBand, Member, MemberStatus, Payment, PaymentMethod, Role
from members.services import MembershipError
from tests.factories import change_status, make_member, make_officer, pay, travel

JOINED = dt.date(2025, 1, 10)
TODAY = dt.date(2025, 2, 20)


def record(actor: Any, member: Member, amount: str, *, paid_on: dt.date = TODAY) -> Payment:
    with travel(TODAY):
        return services.record_payment(
            actor=actor, member=member, paid_on=paid_on, amount=Decimal(amount), method=PaymentMethod.CASH
        )


@pytest.fixture
def new_member(london: Branch, dues_rates: Any) -> Member:
    """Admitted on JOINED at the waged rate (£10 a month), nothing paid yet."""
    return make_member(london, joined_on=JOINED)


def test_payment_buys_whole_months_at_the_band_rate(new_member: Member, treasurer: Any) -> None:
    payment = record(treasurer, new_member, "25.00")

    assert payment.months == 2
    assert payment.covers_to == dt.date(2025, 3, 9)
    assert payment.amount == Decimal("25.00")


@pytest.mark.parametrize(
    ("band", "amount", "months"),
    [(DuesBand.WAGED, "60.00", 6), (DuesBand.LOW_WAGED, "60.00", 12), (DuesBand.UNWAGED, "3.50", 3)],
)
def test_months_depend_on_the_members_band(
    london: Branch, dues_rates: Any, treasurer: Any, band: str, amount: str, months: int
) -> None:
    member = make_member(london, joined_on=JOINED, band=band)

    assert record(treasurer, member, amount).months == months


def test_rate_in_force_on_the_payment_date_applies(new_member: Member, treasurer: Any) -> None:
    from tests.factories import DuesRateFactory

    DuesRateFactory.create(
        band=DuesBand.WAGED, monthly_amount=Decimal("12.50"), valid_from=dt.date(2025, 2, 1)
    )

    assert record(treasurer, new_member, "25.00", paid_on=dt.date(2025, 1, 31)).months == 2
    assert record(treasurer, new_member, "25.00", paid_on=dt.date(2025, 2, 1)).months == 2
    assert record(treasurer, new_member, "24.99", paid_on=dt.date(2025, 2, 1)).months == 1


def test_next_payment_runs_on_from_the_previous_cover_not_from_the_payment_date(
    new_member: Member, treasurer: Any
) -> None:
    record(treasurer, new_member, "30.00", paid_on=JOINED)

    second = record(treasurer, new_member, "10.00", paid_on=dt.date(2025, 2, 1))

    assert second.covers_to == dt.date(2025, 5, 9)


def test_payment_after_reinstatement_runs_from_the_reinstatement(
    new_member: Member, treasurer: Any, national_office: Any
) -> None:
    pay(new_member, "10.00", paid_on=JOINED)
    change_status(new_member, MemberStatus.LAPSED, on=dt.date(2025, 6, 1), by=national_office)
    change_status(new_member, MemberStatus.MEMBER, on=dt.date(2025, 9, 15), by=national_office, reason="Back")

    payment = pay(new_member, "10.00", paid_on=dt.date(2025, 9, 15), by=treasurer)

    assert payment.covers_to == dt.date(2025, 10, 14)


@pytest.mark.parametrize("status", [MemberStatus.LAPSED, MemberStatus.SUSPENDED])
def test_lapsed_and_suspended_members_can_still_pay(
    new_member: Member, treasurer: Any, national_office: Any, status: MemberStatus
) -> None:
    change_status(new_member, status, on=dt.date(2025, 2, 1), by=national_office)

    assert record(treasurer, new_member, "10.00").months == 1


def test_resigned_member_cannot_pay(new_member: Member, treasurer: Any, national_office: Any) -> None:
    change_status(new_member, MemberStatus.RESIGNED, on=dt.date(2025, 2, 1), by=national_office)

    with pytest.raises(MembershipError, match="resigned"):
        record(treasurer, new_member, "10.00")

    assert not Payment.objects.exists()


def test_applicant_cannot_pay(applicant: Application, national_office: Any) -> None:
    with pytest.raises(MembershipError, match="applicant"):
        services.record_payment(
            actor=national_office,
            member=applicant.member,
            paid_on=applicant.submitted_at.date(),
            amount=Decimal("10.00"),
            method=PaymentMethod.CASH,
        )

    assert not Payment.objects.exists()


def test_treasurer_of_another_branch_cannot_record_dues(new_member: Member, leeds: Branch) -> None:
    leeds_treasurer = make_officer(Role.BRANCH_TREASURER, leeds)

    with pytest.raises(MembershipError, match="London"):
        record(leeds_treasurer, new_member, "10.00")

    assert not Payment.objects.exists()


def test_branch_organiser_cannot_record_dues(new_member: Member, london_organiser: Any) -> None:
    with pytest.raises(MembershipError):
        record(london_organiser, new_member, "10.00")

    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", ["9.99", "0.00", "-10.00"])
def test_less_than_one_month_is_refused(new_member: Member, treasurer: Any, amount: str) -> None:
    with pytest.raises(MembershipError):
        record(treasurer, new_member, amount)

    assert not Payment.objects.exists()


def test_payment_dated_in_the_future_is_refused(new_member: Member, treasurer: Any) -> None:
    with pytest.raises(MembershipError, match="future"):
        record(treasurer, new_member, "10.00", paid_on=TODAY + dt.timedelta(days=1))

    assert not Payment.objects.exists()


def test_recording_a_payment_writes_an_audit_entry(new_member: Member, treasurer: Any) -> None:
    record(treasurer, new_member, "25.00")

    entry = AuditEntry.objects.get(action="payment.recorded")
    assert (entry.actor, entry.target_id) == (treasurer, str(new_member.pk))
    assert entry.detail == {"amount": "25.00", "months": 2, "covers_to": "2025-03-09"}
    assert Payment.objects.get().recorded_by == treasurer
