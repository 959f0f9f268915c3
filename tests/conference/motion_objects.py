"""Rows for the motions pages in the permission matrix and the robustness tests.

A conference of its own (year 2093, slug ``motion-objects``), two months
after *now* (those suites run at the real time), taking motions for another
twenty days and amendments for thirty. Sid Seconder is a second London
member, so that the matrix's member, Rosa, can propose and second:

* ``motion_conference``: the conference (the motions list, proposing), with Sid made;
* ``member_motion``: Rosa's motion, seconded by Sid, who has confirmed (so every member reads it: one
  awaiting its seconder is seen only by its proposer, its seconder and the CAC) (its page, edit,
  withdraw, amend);
* ``member_amendment``: Sid's amendment to it (insert after line 1), seconded by Rosa, confirmed (Rosa
  answers it);
* ``second_token``: the seconding link of Sid's motion, which names Rosa as its seconder.

The rows are made through the services, and only when a URL asks for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from conference.business.services import motions
from conference.models import AmendmentKind, BusinessRules, Conference, Motion, ProposerKind
from members.models import Member
from tests.conference.programme_objects import programme_conference
from tests.factories import UserFactory, make_member

SLUG = "motion-objects"
SECONDER_EMAIL = "sid.seconder@example.org"
TEXT = "Conference notes the cost of living.\nConference resolves to campaign for rent controls."


def motion_conference() -> Conference:
    conference = programme_conference(SLUG, 2093)
    if not BusinessRules.objects.filter(conference=conference).exists():
        now = timezone.now()
        BusinessRules.objects.create(
            conference=conference,
            motions_deadline=now + dt.timedelta(days=20),
            amendments_deadline=now + dt.timedelta(days=30),
        )
    return conference


def sid(member: Member) -> Member:
    existing = Member.objects.filter(user__email=SECONDER_EMAIL).first()
    if existing is not None:
        return existing
    user = UserFactory(username="sid.seconder", email=SECONDER_EMAIL)
    return make_member(member.branch, full_name="Sid Seconder", user=user)


def members_motion(member: Member) -> Motion:
    conference = motion_conference()
    existing = Motion.objects.filter(conference=conference, proposer=member).first()
    if existing is not None:
        return existing
    made = motions.submit_motion(
        actor=member.user,
        conference=conference,
        proposer_kind=ProposerKind.MEMBER,
        title="Rent controls",
        text=TEXT,
        topic="Housing",
        seconder=sid(member),
    )
    motions.confirm_seconding(token=motions.seconder_token(made))
    return made


def seconded_by_member(member: Member) -> Motion:
    conference = motion_conference()
    seconder = sid(member)
    existing = Motion.objects.filter(conference=conference, proposer=seconder).first()
    if existing is not None:
        return existing
    return motions.submit_motion(
        actor=seconder.user,
        conference=conference,
        proposer_kind=ProposerKind.MEMBER,
        title="Free public transport",
        text="Conference resolves to campaign for free buses.",
        seconder=member,
    )


def amendment(member: Member) -> Any:
    motion = members_motion(member)
    existing = motion.amendments.first()
    if existing is not None:
        return existing
    made = motions.submit_amendment(
        actor=sid(member).user,
        motion=motion,
        proposer_kind=ProposerKind.MEMBER,
        kind=AmendmentKind.INSERT,
        line_from=1,
        insert_text="Conference also resolves to support tenants' unions.",
        seconder=member,
    )
    motions.confirm_seconding(token=motions.seconder_token(made))
    return made


def motion_objects(member: Member) -> dict[str, Callable[[], list[Any]]]:
    return {
        "motion_conference": lambda: [sid(member) and motion_conference().slug],
        "member_motion": lambda: [members_motion(member).pk],
        "member_amendment": lambda: [amendment(member).pk],
        "second_token": lambda: [motions.seconder_token(seconded_by_member(member))],
    }
