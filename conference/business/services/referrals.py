"""Motions conference referred to the national committee: queued, then landed on an NC agenda.

A referral is a row (``Referral``) written with the outcome, so it cannot be lost: it lands at once on
the agenda of the NC's next meeting still to come, or waits until there is one. It lands when the NC's
meetings are scheduled or called (``committees.hooks``, registered in ``ConferenceConfig.ready``) and
by the sweep (``conference.tasks.land_referrals``), which also re-queues one whose meeting was
cancelled. On an agenda not yet prepared it is simply added (the standard order is built around it
later); on an agenda already published, members are sent the agenda again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from awl.audit import log_action
from conference.models import Motion, Referral

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from committees.models import Committee, Meeting


def _body(motion: Motion) -> str:
    from conference.business.services.motions import as_carried

    return as_carried(motion)


def _next_nc_meeting() -> Meeting | None:
    from committees.models import CommitteeKind, Meeting, MeetingStatus

    return (
        Meeting.objects.filter(
            committee__kind=CommitteeKind.NATIONAL,
            status=MeetingStatus.SCHEDULED,
            starts_at__gt=timezone.now(),
        )
        .order_by("starts_at", "pk")
        .first()
    )


@transaction.atomic
def queue_referral(*, actor: User | None, motion: Motion) -> Referral:
    """Record the referral (once per motion) and land it if the NC has a meeting to come."""
    referral, made = Referral.objects.get_or_create(motion=motion)
    if made:
        log_action(
            actor=actor,
            action="conference.referral_queued",
            target=motion.conference,
            detail={"motion": motion.pk},
        )
    _land(referral.pk)
    return Referral.objects.get(pk=referral.pk)


def _land(pk: int) -> bool:
    """Put one queued referral on the NC's next agenda; False while there is no meeting to come."""
    from committees import services as committee_services
    from committees.models import AgendaSection

    referral = (
        Referral.objects.select_for_update(skip_locked=True)
        .select_related("motion__conference")
        .filter(pk=pk, landed_at__isnull=True)
        .first()
    )
    if referral is None:
        return False
    meeting = _next_nc_meeting()
    if meeting is None:
        return False
    motion = referral.motion
    item = committee_services.add_agenda_item(
        actor=None,
        meeting=meeting,
        section=AgendaSection.MOTIONS,
        title=f"Referred by conference {motion.conference.year}: {motion.title}"[:200],
        body=_body(motion),
        renotify=True,
    )
    referral.agenda_item = item
    referral.landed_at = timezone.now()
    referral.save(update_fields=["agenda_item", "landed_at"])
    log_action(
        actor=None,
        action="conference.referral_landed",
        target=motion.conference,
        detail={"motion": motion.pk, "meeting": meeting.pk, "item": item.pk},
    )
    return True


@transaction.atomic
def land_referrals() -> int:
    """The sweep: re-queue referrals whose meeting was cancelled or whose item was taken off before
    the meeting, then land every queued one that can; returns how many landed. Safe to run twice."""
    from committees.models import MeetingStatus

    lost = Referral.objects.filter(landed_at__isnull=False).filter(
        agenda_item__meeting__status=MeetingStatus.CANCELLED
    )
    for referral in lost.select_for_update():
        referral.agenda_item, referral.landed_at = None, None
        referral.save(update_fields=["agenda_item", "landed_at"])
    queued = Referral.objects.filter(landed_at__isnull=True).order_by("referred_at", "pk")
    return sum(_land(pk) for pk in queued.values_list("pk", flat=True))


def meetings_created(committee: Committee) -> None:
    """The hook committees calls when meetings are made: an NC meeting may be the one a referral waits for."""
    from committees.models import CommitteeKind

    if committee.kind == CommitteeKind.NATIONAL:
        land_referrals()
