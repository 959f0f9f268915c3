from celery import shared_task

from conference.programme import notices


@shared_task
def send_conference_mail() -> dict[str, int]:
    """Documents published or updated, and the week-before reminder: whatever is due now."""
    return notices.sweep()
