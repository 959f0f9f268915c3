from celery import shared_task

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
