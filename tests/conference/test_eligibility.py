"""Who may vote: good standing on the cut-off date, exceptions, delegates by formula, the snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings

from awl.models import AuditEntry
from conference.models import Conference, EligibilityException, Rounding, Snapshot, VotingBasis
from conference.registration import services
from conference.registration.services import ConferenceError
from members.models import Branch, DuesRate, Member
from members.standing import standing_for
from tests.conference.conftest import paid_up_member
from tests.factories import LONDON_TZ, change_status, make_member, pay


def one_month_member(branch: Branch, joined_on: dt.date) -> tuple[Member, dt.date]:
    """A member who paid one month on joining; returns them and the last day they are in good standing."""
    member = make_member(branch, joined_on=joined_on, full_name="Mo Month")
    pay(member, "10.00", paid_on=joined_on)
    last_good = standing_for(member, joined_on).grace_until
    assert last_good is not None
    return member, last_good


@pytest.mark.parametrize(("offset", "entitled"), [(-1, True), (0, True), (1, False)])
def test_entitlement_follows_good_standing_on_the_cutoff_date_to_the_day(
    conference: Conference, london: Branch, dues_rates: dict[str, DuesRate], offset: int, entitled: bool
) -> None:
    member, last_good = one_month_member(london, dt.date(2026, 11, 2))
    conference.eligibility_cutoff = last_good + dt.timedelta(days=offset)

    verdict = services.eligibility(conference, member)

    assert verdict.entitled is entitled
    if not entitled:
        assert "Dues not paid up" in verdict.reason
        assert f"{settings.AWL_DUES_GRACE_DAYS} days' grace" in verdict.reason
        assert "Pay your dues" in verdict.how_to_fix


def test_a_payment_made_after_the_cutoff_does_not_make_a_member_entitled(
    conference: Conference, london: Branch, dues_rates: dict[str, DuesRate]
) -> None:
    member, last_good = one_month_member(london, dt.date(2026, 11, 2))
    conference.eligibility_cutoff = last_good + dt.timedelta(days=1)
    pay(member, "120.00", paid_on=conference.eligibility_cutoff + dt.timedelta(days=1))

    assert not services.eligibility(conference, member).entitled


def test_a_member_suspended_before_the_cutoff_is_told_their_status(
    conference: Conference, delegate: Member
) -> None:
    change_status(delegate, "suspended", on=dt.date(2027, 2, 1))

    verdict = services.eligibility(conference, delegate)

    assert not verdict.entitled
    assert "status suspended" in verdict.reason


def test_an_exception_needs_a_reason_and_then_entitles(
    conference: Conference, london: Branch, dues_rates: dict[str, DuesRate], cac: Any
) -> None:
    member, last_good = one_month_member(london, dt.date(2026, 11, 2))
    conference.eligibility_cutoff = last_good + dt.timedelta(days=10)
    conference.save(update_fields=["eligibility_cutoff"])
    audit = AuditEntry.objects.count()

    with pytest.raises(ConferenceError, match="reason"):
        services.grant_exception(actor=cac, conference=conference, member=member, reason="   ")
    assert not EligibilityException.objects.exists()
    assert AuditEntry.objects.count() == audit

    services.grant_exception(
        actor=cac, conference=conference, member=member, reason="Paid late: hospital stay"
    )
    verdict = services.eligibility(conference, member)
    assert verdict.entitled
    assert "Paid late: hospital stay" in verdict.reason


def test_only_the_cac_grants_exceptions(conference: Conference, delegate: Member, member: Member) -> None:
    with pytest.raises(ConferenceError, match="arrangements committee"):
        services.grant_exception(actor=member.user, conference=conference, member=delegate, reason="Because")
    assert not EligibilityException.objects.exists()


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        (Rounding.DOWN, {0: 0, 1: 1, 9: 1, 10: 2, 11: 2, 25: 3}),
        (Rounding.UP, {0: 0, 1: 2, 9: 2, 10: 2, 11: 3, 25: 4}),
    ],
)
def test_delegates_are_the_base_plus_members_over_the_divisor_rounded_as_stated(
    conference: Conference, rounding: str, expected: dict[int, int]
) -> None:
    conference.delegate_base, conference.delegate_per_members, conference.delegate_rounding = 1, 10, rounding

    assert {size: services.delegates_for(conference, size) for size in expected} == expected


def test_the_snapshot_records_branch_entitlement_and_each_members_reason(
    conference: Conference, dues_rates: dict[str, DuesRate], cac: Any
) -> None:
    # Branch sizes in good standing on the cut-off: Hull 0 (one member, lapsed), York 3, Derby 5.
    branches = {
        name: Branch.objects.create(name=name, slug=name.lower(), city=name)
        for name in ("Hull", "York", "Derby")
    }
    lapsed = paid_up_member(branches["Hull"], "Lou Lapsed")
    change_status(lapsed, "lapsed", on=dt.date(2027, 1, 15))
    for n in range(3):
        paid_up_member(branches["York"], f"York Member {n}")
    for n in range(5):
        paid_up_member(branches["Derby"], f"Derby Member {n}")
    late = paid_up_member(
        branches["Derby"], "Late Joiner", joined_on=dt.date(2027, 3, 5)
    )  # after the cut-off
    conference.voting_basis = VotingBasis.DELEGATES
    conference.delegate_base, conference.delegate_per_members = 1, 2
    conference.save()

    with time_machine.travel(dt.datetime(2027, 3, 2, 9, tzinfo=LONDON_TZ), tick=False):
        snapshot = services.take_snapshot(actor=cac, conference=conference)

    by_branch = {row.branch_name: (row.in_good_standing, row.delegates) for row in snapshot.branches.all()}
    assert by_branch["Hull"] == (0, 0)
    assert by_branch["York"] == (3, 2)  # 1 + 3 ÷ 2 rounded down
    assert by_branch["Derby"] == (5, 3)  # 1 + 5 ÷ 2 rounded down
    rows = {row.member_id: row for row in snapshot.members.all()}
    assert late.pk not in rows
    assert not rows[lapsed.pk].good_standing and "lapsed" in rows[lapsed.pk].reason
    assert snapshot.formula == conference.formula_text()
    assert "1 + (members in good standing ÷ 2), rounded down" in snapshot.formula


def test_the_snapshot_is_taken_once_after_the_cutoff_and_kept(
    conference: Conference, delegate: Member, cac: Any
) -> None:
    on_the_cutoff = time_machine.travel(dt.datetime(2027, 3, 1, 12, tzinfo=LONDON_TZ), tick=False)
    with on_the_cutoff, pytest.raises(ConferenceError, match="cut-off date"):
        services.take_snapshot(actor=cac, conference=conference)
    assert not Snapshot.objects.exists()

    with time_machine.travel(dt.datetime(2027, 3, 2, 9, tzinfo=LONDON_TZ), tick=False):
        snapshot = services.take_snapshot(actor=cac, conference=conference)
        [row] = snapshot.members.filter(member=delegate)
        assert row.good_standing
        # Later changes to the member do not rewrite what was decided.
        change_status(delegate, "suspended", on=dt.date(2027, 2, 1))
        with pytest.raises(ConferenceError, match="already been taken"):
            services.take_snapshot(actor=cac, conference=conference)

    row.refresh_from_db()
    assert row.good_standing
    assert Snapshot.objects.count() == 1
