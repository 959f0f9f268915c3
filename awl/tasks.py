"""Sending the outbox: thin tasks over ``awl.outbox``.

Neither task retries on its own (no ``self.retry``): a failed attempt sets
the row's ``next_attempt_at`` (the back-off), and the beat sweep
``send_pending_messages``, every minute, tries only rows that are due. A
``send_message`` the broker delivers again, or one queued by a resend,
finds a row that is not yet due (or already sent) and does nothing, so no
path shortens the back-off. A Celery countdown would not do instead: Redis
redelivers tasks held longer than its visibility timeout, and the row
would be the truth anyway.
"""

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


@shared_task
def run_retention() -> dict[str, int]:
    """Anonymise what every app's retention rules say is due (daily, from beat)."""
    from awl.personal_data import run_retention as run

    return run()
