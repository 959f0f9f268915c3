"""Terms of office that would overlap, and cycle rules that end on a UTC date (RFC 5545's form)."""

from __future__ import annotations

import datetime as dt

import pytest

from committees import services
from committees.models import Committee, Meeting, Term, TermBasis, TermRole
from committees.services import CommitteeError
from members.models import Member
from tests.helpers.clock import frozen, london_time


def start(committee: Committee, member: Member, starts_on: dt.date, ends_on: dt.date | None = None) -> Term:
    return services.start_term(
        actor=None,
        committee=committee,
        member=member,
        role=TermRole.CHAIR,
        starts_on=starts_on,
        ends_on=ends_on,
        basis=TermBasis.CO_OPTED,
    )


def test_an_open_term_cannot_start_before_a_later_term_in_the_same_role(
    nc: Committee, people: dict[str, Member]
) -> None:
    cleo = people["Cleo Rhys"]
    start(nc, cleo, dt.date(2026, 6, 1))

    # Current on 1 January there is nothing, but the new open term would run into June's.
    with pytest.raises(CommitteeError, match="already holds"):
        start(nc, cleo, dt.date(2026, 1, 1))

    assert Term.objects.filter(committee=nc, member=cleo).count() == 1


def test_terms_in_the_same_role_that_do_not_overlap_are_both_kept(
    nc: Committee, people: dict[str, Member]
) -> None:
    cleo = people["Cleo Rhys"]
    start(nc, cleo, dt.date(2026, 6, 1))
    start(nc, cleo, dt.date(2026, 1, 1), ends_on=dt.date(2026, 5, 31))

    assert Term.objects.filter(committee=nc, member=cleo).count() == 2


def test_a_closed_term_that_reaches_into_a_later_one_is_refused(
    nc: Committee, people: dict[str, Member]
) -> None:
    cleo = people["Cleo Rhys"]
    start(nc, cleo, dt.date(2026, 6, 1), ends_on=dt.date(2026, 9, 30))

    with pytest.raises(CommitteeError, match="already holds"):
        start(nc, cleo, dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 1))


def test_a_cycle_ending_on_a_utc_until_keeps_its_last_local_meeting(ec: Committee, secretary: Member) -> None:
    # RFC 5545 writes UNTIL in UTC; 19:00 on Monday 27 July 2026 in London is 18:00Z.
    ec.cycle_rule = "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260727T180000Z"
    ec.save(update_fields=["cycle_rule"])

    with frozen(london_time(2026, 6, 1, 9)):
        services.schedule_meetings(actor=secretary.user, committee=ec, until=dt.date(2026, 12, 31))

    starts = list(Meeting.objects.filter(committee=ec).values_list("starts_at", flat=True))
    assert starts[-1] == london_time(2026, 7, 27, 19)
    assert len(starts) == 8  # 8 June to 27 July; 1 June is inside the notice period


def test_a_cycle_with_a_malformed_until_is_refused(ec: Committee, secretary: Member) -> None:
    ec.cycle_rule = "FREQ=WEEKLY;BYDAY=MO;UNTIL=2026-07-27"
    ec.save(update_fields=["cycle_rule"])

    with frozen(london_time(2026, 6, 1, 9)), pytest.raises(CommitteeError):
        services.schedule_meetings(actor=secretary.user, committee=ec, until=dt.date(2026, 12, 31))

    assert not Meeting.objects.exists()
