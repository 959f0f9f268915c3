from celery import shared_task

from members import services


@shared_task
def lapse_overdue_members() -> dict[str, int]:
    return services.lapse_overdue_members()
