from celery import shared_task

from dayschools import mail


@shared_task
def send_dayschool_reminders() -> dict[str, int]:
    """Queue the day-before reminders that are due (beat runs this on an interval)."""
    return mail.queue_reminders()
