from celery import shared_task

from conference.elections.services import electorates
from conference.programme import notices


@shared_task
def send_conference_mail() -> dict[str, int]:
    """Documents published or updated, and the week-before reminder: whatever is due now."""
    return notices.sweep()


@shared_task
def land_referrals() -> int:
    """Motions referred to the NC, queued until it has a meeting to come: land those that can."""
    from conference.business.services import referrals

    return referrals.land_referrals()


@shared_task
def freeze_electorates() -> int:
    """Fix the electorate of every committee election whose voting has just opened."""
    return electorates.freeze_due()
