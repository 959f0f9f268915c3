"""A motion referred to the national committee always lands on an NC agenda (issue 14, item 10).

With no NC meeting to come it is queued, and lands when one is called or scheduled (or by the sweep);
on an agenda not yet prepared it is added without stopping the standard order of business from being
built; on an agenda already published it is added and members get a new agenda notice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from awl.models import OutboundMessage
from committees import notices
from committees import services as committees
from committees.models import (
    AgendaItem,
    AgendaSection,
    Committee,
    CommitteeKind,
    Meeting,
    TermBasis,
    TermRole,
)
from conference.business.services import motions
from conference.models import BusinessRules, Conference, Motion, Outcome
from members.models import Member
from tests.conference.test_motion_standing_orders import motion
from tests.conference.test_motions import AT_CONFERENCE, BEFORE_DEADLINE, rules, seconder
from tests.factories import LONDON_TZ, CommitteeFactory
from tests.helpers.clock import frozen

__all__ = ["motion", "rules", "seconder"]  # fixtures used here

TITLE = "Referred by conference 2027: Rent controls"
JUNE = dt.datetime(2027, 6, 26, 11, tzinfo=LONDON_TZ)


@pytest.fixture
def nc(db: None, delegate: Member) -> Committee:
    """The NC, with no meetings yet, and Dora on it (so its notices have someone to go to)."""
    committee = CommitteeFactory.create(
        name="National Committee", slug="nc", kind=CommitteeKind.NATIONAL, notice_days=14
    )
    committees.start_term(
        actor=None,
        committee=committee,
        member=delegate,
        role=TermRole.MEMBER,
        starts_on=dt.date(2027, 1, 1),
        basis=TermBasis.ELECTED_AT_CONFERENCE,
    )
    return committee


def refer(conference: Conference, motion: Motion, cac: Any) -> None:
    with frozen(BEFORE_DEADLINE):
        motions.order_business(actor=cac, conference=conference, motions=[motion])
    with frozen(AT_CONFERENCE):
        motions.record_outcome(actor=cac, item=Motion.objects.get(pk=motion.pk), outcome=Outcome.REFERRED)


def meeting(nc: Committee, starts_at: dt.datetime = JUNE) -> Meeting:
    with frozen(AT_CONFERENCE):
        return committees.call_meeting(
            actor=None, committee=nc, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=4)
        )


def test_a_referral_with_no_nc_meeting_to_come_is_queued_and_lands_when_one_is_called(
    conference: Conference, rules: BusinessRules, motion: Motion, nc: Committee, cac: Any
) -> None:
    refer(conference, motion, cac)
    assert not AgendaItem.objects.exists()

    called = meeting(nc)

    [item] = AgendaItem.objects.filter(meeting=called)
    assert item.title == TITLE and item.section == AgendaSection.MOTIONS
    from conference.models import Referral  # (imported here so that the test fails on its assertion first)

    queued = Referral.objects.get(motion=motion)
    assert queued.agenda_item == item and queued.landed_at is not None


def test_the_sweep_lands_a_queued_referral_on_a_meeting_made_without_the_hook(
    conference: Conference, rules: BusinessRules, motion: Motion, nc: Committee, cac: Any
) -> None:
    refer(conference, motion, cac)
    made = Meeting.objects.create(committee=nc, starts_at=JUNE, ends_at=JUNE + dt.timedelta(hours=4))
    from conference.business.services import referrals

    with frozen(AT_CONFERENCE):
        assert referrals.land_referrals() == 1
        assert referrals.land_referrals() == 0  # twice lands it once
    assert AgendaItem.objects.get(meeting=made).title == TITLE


def test_a_referral_on_an_unprepared_agenda_leaves_the_standard_order_to_be_built(
    conference: Conference, rules: BusinessRules, motion: Motion, nc: Committee, cac: Any
) -> None:
    called = meeting(nc)
    refer(conference, motion, cac)
    with frozen(AT_CONFERENCE):
        items = committees.prepare_agenda(actor=None, meeting=called)
    sections = [item.section for item in items]
    assert sections[0] == AgendaSection.APOLOGIES and sections[-1] == AgendaSection.NEXT_MEETING
    assert len(items) == len(AgendaSection) + 1
    motions_at = sections.index(AgendaSection.MOTIONS)
    assert items[motions_at + 1].title == TITLE and items[motions_at + 1].section == AgendaSection.MOTIONS


def test_a_referral_on_a_published_agenda_sends_a_new_agenda_notice(
    conference: Conference, rules: BusinessRules, motion: Motion, nc: Committee, delegate: Member, cac: Any
) -> None:
    called = meeting(nc)
    with frozen(AT_CONFERENCE):
        committees.prepare_agenda(actor=None, meeting=called)
        committees.publish_agenda(actor=None, meeting=called)
    notices.sweep(AT_CONFERENCE + dt.timedelta(minutes=1))
    agenda = OutboundMessage.objects.filter(
        key__startswith=f"meeting-{called.pk}-agenda-", to=delegate.user.email
    )
    assert agenda.count() == 1

    refer(conference, motion, cac)
    notices.sweep(AT_CONFERENCE + dt.timedelta(minutes=2))

    assert agenda.count() == 2
    newest = agenda.order_by("-pk").first()
    assert newest is not None and TITLE in newest.body_text


def test_a_referral_whose_meeting_is_cancelled_is_queued_again_and_lands_on_the_next(
    conference: Conference, rules: BusinessRules, motion: Motion, nc: Committee, cac: Any
) -> None:
    first = meeting(nc)
    refer(conference, motion, cac)
    with frozen(AT_CONFERENCE):
        committees.cancel_meeting(actor=None, meeting=first, reason="Hall unavailable")
    from conference.business.services import referrals

    with frozen(AT_CONFERENCE):
        assert referrals.land_referrals() == 0  # queued again, with no meeting to come
    later = meeting(nc, JUNE + dt.timedelta(days=14))
    assert AgendaItem.objects.get(meeting=later).title == TITLE
