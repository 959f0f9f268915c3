from celery import shared_task

from committees import notices


@shared_task
def send_due_notices() -> dict[str, int]:
    return notices.sweep()
