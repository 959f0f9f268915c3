from celery import shared_task

from awl import outbox


@shared_task(acks_late=True)
def send_message(message_id: int) -> bool:
    return outbox.send_message_now(message_id)


@shared_task
def send_pending_messages() -> int:
    sent = 0
    for message_id in outbox.pending_message_ids():
        sent += outbox.send_message_now(message_id)
    return sent
